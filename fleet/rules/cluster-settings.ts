/**
 * Rules over one cluster's resolved settings, reported where the value came from: the layer of
 * fleet.yaml (class, environment, org, org in environment) that set it, and so its line.
 *
 * The rules themselves are the constructs' own pure checks (constructs/<folder>/settings.ts), run
 * on the fleet's shape of the settings; only what the fleet decides beyond them lives here: VM
 * sizes from the listed series (fleet/vm-sizes.ts) and zones.
 */
import {
  apiServerProblems,
  maintenanceWindowFieldProblems,
  nodePoolFieldProblems,
  poolNameProblems,
} from "../../constructs/cluster/settings";
import { type FieldProblem, under } from "../../constructs/common/problems";
import { ingressReplicaProblems } from "../../constructs/in-cluster/settings";
import { softDeleteRetentionProblems } from "../../constructs/keyvault/settings";
import { retentionInDaysProblems } from "../../constructs/monitoring/settings";
import { FILES } from "../files";
import type { ClusterSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import { type Layer, originOf, originOfAny } from "../resolve";
import type { SourceFile } from "../source";
import { checkVmSize } from "../vm-sizes";

const POOLS = ["system", "user"] as const;

/** Every problem of one cluster's settings, at paths inside the settings. */
export function clusterSettingsFieldProblems(s: ClusterSettings): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const key of POOLS) {
    const pool = s.nodePools[key];
    out.push(...under(["nodePools", key], nodePoolFieldProblems(pool, key === "system")));
    const size = checkVmSize(pool.vmSize);
    if (size) {
      out.push({
        path: ["nodePools", key, "vmSize"],
        value: pool.vmSize,
        message: size.message,
        fix: size.nearest
          ? `use ${size.nearest} (the nearest valid size), or another size of a listed series`
          : "use a size such as Standard_D4s_v5",
      });
    }
  }
  // The construct numbers its pools (system first); the fleet names them.
  const named = (path: readonly (string | number)[]) =>
    typeof path[0] === "number" ? ["nodePools", POOLS[path[0]]!, ...path.slice(1)] : path;
  for (const p of poolNameProblems(POOLS.map((k) => s.nodePools[k].name))) {
    out.push({ ...p, path: named(p.path), related: p.related?.map(named) });
  }
  for (const key of ["autoUpgrade", "nodeOs"] as const) {
    out.push(...under(["maintenance", key], maintenanceWindowFieldProblems(s.maintenance[key])));
  }
  if (s.zones.length === 0) {
    out.push({
      path: ["zones"],
      value: s.zones,
      message: "no availability zones: every node would sit in one failure domain",
      fix: 'list the zones, e.g. ["1", "2", "3"]',
    });
  }
  // fleet.yaml has neither private clusters nor a public API server: every cluster lists its ranges.
  for (const p of apiServerProblems({ authorizedIpRanges: s.apiServerAuthorizedIpRanges })) {
    out.push({ ...p, path: ["apiServerAuthorizedIpRanges", ...p.path.slice(1)] });
  }
  out.push(...under(["keyVault"], softDeleteRetentionProblems(s.keyVault.softDeleteRetentionDays)));
  out.push(...under(["logAnalytics"], retentionInDaysProblems(s.logAnalytics.retentionInDays)));
  // fleet.yaml has no single-replica switch: every cluster runs at least two.
  out.push(...under(["ingress"], ingressReplicaProblems(s.ingress.replicas, false)));
  return out;
}

/** The problems of one cluster's settings, each at the line of the layer that set the value. */
export function clusterSettingsProblems(
  layers: readonly Layer[],
  resolved: ClusterSettings,
  settingsSource: SourceFile,
  org: string | undefined,
  environment: string,
): FleetProblem[] {
  return clusterSettingsFieldProblems(resolved).map((issue) => {
    const origin = issue.related
      ? originOfAny(layers, [issue.path, ...issue.related])
      : originOf(layers, issue.path);
    return problem({
      file: FILES.settings,
      line: settingsSource.lineOf(origin),
      org: origin[0] === "orgs" ? org : undefined,
      environment: origin[0] === "environmentClasses" ? undefined : environment,
      field: origin.join("."),
      value: issue.value,
      message: issue.message,
      fix: issue.fix,
    });
  });
}
