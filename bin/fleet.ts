/**
 * The prebuilt command line of the pipeline's legs (`npm run bundle` writes
 * dist/fleet-cli/fleet.cjs): `node fleet.cjs plan|apply|pipeline <args>` takes exactly the flags
 * of `npm run plan`, `npm run apply` and `npm run pipeline`, without node_modules.
 */
import { runMain } from "../cli/commands/common";
import { fleetMain } from "../cli/fleet-command";

runMain(fleetMain);
