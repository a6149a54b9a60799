/**
 * `npm run allocate [-- --fleet-dir <dir>] [--prune] [--dry-run]`
 *
 * Gives every cluster of the fleet that has no address block the lowest free block of
 * `addressPlan.pool` and records it in `<fleet dir>/address-plan.yaml` (commit that file).
 * Existing blocks never move. `--prune` releases the blocks of clusters that no longer exist;
 * run it only after those clusters are destroyed. The fleet directory is `--fleet-dir`, else
 * `$FLEET_DIR`, else `environments/`.
 */

import { type FleetForAllocation, main } from "../fleet/address-plan-cli";
import type { FleetProblem } from "../fleet/problems";

/**
 * The fleet loader (`fleet/load.ts`), imported when the command runs and checked for the
 * fields this command needs. It returns `addressing` (settings and cluster keys) whenever the
 * registry and settings could be read, even when blocks are missing, which is the case this
 * command exists for; `fleet` (only present without errors) is the fallback.
 */
async function loadFleet(
  dir: string,
): Promise<{ fleet?: FleetForAllocation; problems: readonly FleetProblem[] }> {
  const specifier = "../fleet/load";
  const loader = (await import(specifier)) as { loadFleet?: unknown };
  if (typeof loader.loadFleet !== "function") {
    throw new Error("fleet/load.ts does not export loadFleet(dir)");
  }
  const loaded = (await (loader.loadFleet as (d: string) => unknown)(dir)) as {
    fleet?: { addressPlan?: unknown; clusterKeys?: unknown };
    addressing?: { settings?: unknown; clusterKeys?: unknown };
    problems?: readonly FleetProblem[];
  };
  const problems = loaded.problems ?? [];
  const source = loaded.addressing
    ? { addressPlan: loaded.addressing.settings, clusterKeys: loaded.addressing.clusterKeys }
    : loaded.fleet;
  if (source === undefined || source === null) {
    return { problems };
  }
  if (
    typeof source.addressPlan !== "object" ||
    source.addressPlan === null ||
    !Array.isArray(source.clusterKeys)
  ) {
    throw new Error("loadFleet(dir) returned no address plan settings or cluster keys");
  }
  return { fleet: source as FleetForAllocation, problems };
}

main(process.argv, { loadFleet }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  },
);
