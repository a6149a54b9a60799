/**
 * The prebuilt command line of the pipeline's legs (`npm run bundle` writes
 * dist/fleet-cli/fleet.cjs): `node fleet.cjs plan|apply|pipeline <args>` takes exactly the flags
 * of `npm run plan`, `npm run apply` and `npm run pipeline`, without node_modules.
 */

import { fleetMain } from "../cli/fleet-cli/command";
import { runMain } from "../cli/shared/command";

runMain(fleetMain);
