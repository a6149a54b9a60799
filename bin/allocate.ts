/**
 * `npm run allocate [-- --fleet-dir <dir>] [--prune] [--dry-run]`
 *
 * Gives every cluster of the fleet that has no address block the lowest free block of
 * `addressPlan.pool` and records it in `<fleet dir>/address-plan.yaml` (commit that file).
 * Existing blocks never move. `--prune` releases the blocks of clusters that no longer exist;
 * run it only after those clusters are destroyed. The fleet directory is `--fleet-dir`, else
 * `$FLEET_DIR`, else `environments/`.
 */

import { runMain } from "../cli/shared/command";
import { type FleetForAllocation, main } from "../fleet/address-plan-cli";
import { loadFleet } from "../fleet/load";
import type { FleetProblem } from "../fleet/problems";

/**
 * The fleet's clusters and address settings. `loadFleet` returns `addressing` whenever the
 * registry and settings could be read, even when blocks are missing, which is the case this
 * command exists for.
 */
async function loadForAllocation(
  dir: string,
): Promise<{ fleet?: FleetForAllocation; problems: readonly FleetProblem[] }> {
  const { addressing, problems } = loadFleet(dir);
  return addressing
    ? { fleet: { addressPlan: addressing.settings, clusterKeys: addressing.clusterKeys }, problems }
    : { problems };
}

// address-plan-cli's main parses the whole process.argv (commander's "node" convention).
runMain((argv) => main([process.argv[0]!, process.argv[1]!, ...argv], { loadFleet: loadForAllocation }));
