/**
 * The cdktf app (`npx cdktf synth`, `npx cdktf list`, `npx cdktf diff <stack>`): reads the fleet
 * definition (environments/, or FLEET_DIR), refuses to build anything when it has problems, and
 * synthesizes one stack per unit of state into CDKTF_OUTDIR (set by the cdktf CLI). FLEET_STACKS
 * selects stacks as `npm run synth -- --stacks` does. `npm run synth` adds an atomic output and a
 * summary (cli/synth.ts).
 */
import { loadFleetOrExit, synthOptionsFromEnv } from "./cli/synth";
import { synthFleet } from "./stacks/synth-fleet";

const fleet = loadFleetOrExit();
synthFleet(fleet, { ...synthOptionsFromEnv(), outdir: process.env.CDKTF_OUTDIR ?? "cdktf.out" });
