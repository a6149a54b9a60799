/**
 * The cdktf app (`npx cdktf synth`, `npx cdktf list`, `npx cdktf diff <stack>`): reads the fleet
 * definition (environments/, or FLEET_DIR), refuses to build anything when it has problems, and
 * synthesizes one stack per unit of state. `npm run synth` does the same with an atomic output
 * and a summary (cli/synth.ts).
 */
import { loadFleetOrExit, synthOptionsFromEnv } from "./cli/synth";
import { buildFleetApp } from "./stacks/app";

const fleet = loadFleetOrExit();
const { app } = buildFleetApp(fleet, synthOptionsFromEnv());
app.synth();
