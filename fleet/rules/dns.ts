/** What DNS needs from outside the fleet, reported on every run. */

import { fleetZones, zoneDelegations } from "../dns-zones";
import { FILES } from "../files";
import type { AppsEnvironment, PlatformEnvironment, StudioEnvironment } from "../model";
import { type FleetProblem, notice } from "../problems";

/**
 * Zones whose parent domain no stack owns resolve only after the parent's owner adds NS records
 * with the zone's name servers (each stack's `dns_name_servers` output): said on every run.
 */
export function externalDelegationNotices(
  apps: readonly AppsEnvironment[],
  platforms: readonly PlatformEnvironment[],
  studios: readonly StudioEnvironment[],
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const { external } = zoneDelegations(fleetZones({ apps, platforms, studios }));
  if (external.size === 0) return problems;
  const parents = [...external.entries()].map(([domain, zones]) =>
    zones.length === 1 ? `${domain} (${zones[0]!.name})` : `${domain} (${zones.length} zones)`,
  );
  problems.push(
    notice({
      file: FILES.environments,
      field: "hostname",
      message:
        `${[...external.values()].flat().length} zones the fleet creates sit under domains no stack owns, so they ` +
        `resolve only once those domains delegate them: ${parents.join(", ")}`,
      fix:
        "the owner of each domain adds an NS record per zone with the zone's name servers (output " +
        '`dns_name_servers` of the zone\'s stack) after its first apply; README "DNS: who answers which name"',
    }),
  );
  return problems;
}
