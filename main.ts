/**
 * The cdktf app (`npx cdktf synth`, `npx cdktf list`, `npx cdktf diff <stack>`): reads the fleet
 * definition (environments/, or FLEET_DIR), refuses to build anything when it has problems, and
 * synthesizes one stack per unit of state into CDKTF_OUTDIR (set by the cdktf CLI). FLEET_STACKS
 * selects stacks as `npm run synth -- --stacks` does and keeps the other stacks' output: the
 * manifest still lists them, so the cdktf CLI does not delete their directories. `npm run synth`
 * adds an atomic output and a summary (cli/synth/synth.ts).
 */
import { loadFleetOrExit, synthOptionsFromEnv } from "./cli/synth/synth";
import { NoStacksSelectedError, synthFleet } from "./stacks/synth-fleet";

const fleet = loadFleetOrExit();
const outdir = process.env.CDKTF_OUTDIR ?? "cdktf.out";
try {
  synthFleet(fleet, { ...synthOptionsFromEnv(), outdir, keepFrom: outdir });
} catch (e) {
  if (!(e instanceof NoStacksSelectedError)) throw e;
  process.stderr.write(`error: FLEET_STACKS: ${e.message}\n`);
  process.exit(1);
}
