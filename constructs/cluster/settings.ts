/**
 * What a cluster's callers may set, as data and pure checks: the AKS enumerations and the rules
 * for node pools and maintenance windows. The constructs (AksCluster, maintenance windows) run
 * these checks and throw; the fleet loader runs the same ones on fleet.yaml and reports each at
 * its line (fleet/rules/cluster-settings.ts). Loads neither cdktf nor the provider: a caller
 * passes `Token.isUnresolved` to skip values only known at apply time.
 */
import { ALL_RESOLVED, type FieldProblem, type IsUnresolved, wholeNumberProblems } from "../common/problems";
import { checkName, NAMING_RULES } from "../naming/rules";
import { parseIpv4Cidr } from "../network/cidr";
import type { AksApiServerSpec } from "./aks-cluster";
import type { MaintenanceWindowSpec } from "./maintenance-window";
import type { NodePoolSpec } from "./node-pool-spec";

/** AKS pricing tiers (`sku_tier`). */
export const AKS_SKU_TIERS = ["Free", "Standard", "Premium"] as const;
export type AksSkuTier = (typeof AKS_SKU_TIERS)[number];

/** Cluster (Kubernetes version) auto-upgrade channels. */
export const AUTOMATIC_UPGRADE_CHANNELS = ["patch", "stable", "rapid", "node-image", "none"] as const;
export type AutomaticUpgradeChannel = (typeof AUTOMATIC_UPGRADE_CHANNELS)[number];

/** Node OS image upgrade channels. `Unmanaged` leaves reboots to the cluster (Kured). */
export const NODE_OS_UPGRADE_CHANNELS = ["NodeImage", "SecurityPatch", "Unmanaged", "None"] as const;
export type NodeOsUpgradeChannel = (typeof NODE_OS_UPGRADE_CHANNELS)[number];

export const MAINTENANCE_FREQUENCIES = ["Weekly", "Daily"] as const;
export type MaintenanceFrequency = (typeof MAINTENANCE_FREQUENCIES)[number];

export const DAYS_OF_WEEK = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/** AKS's autoscaler limit per pool. */
export const MAX_NODES_PER_POOL = 1000;

const TAINT =
  /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[-A-Za-z0-9_.]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/;
const MAX_SURGE = /^([1-9][0-9]*)(%?)$/;

/**
 * Problems with one pool, at paths inside the pool (`["minCount"]`). `system` applies the
 * system-pool rules (at least one node, no taints).
 */
export function nodePoolFieldProblems(
  spec: Partial<NodePoolSpec> & Pick<NodePoolSpec, "name" | "minCount" | "maxCount">,
  system: boolean,
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: string, value: unknown, message: string, fix: string, related?: string) =>
    problems.push({ path: [path], value, message, fix, ...(related ? { related: [[related]] } : {}) });
  const nameProblem = isUnresolved(spec.name)
    ? "pool names must be literal strings: they are part of the Terraform address"
    : checkName(NAMING_RULES.aksNodePool, spec.name);
  if (nameProblem) {
    add(
      "name",
      spec.name,
      nameProblem,
      "use 1-12 lowercase letters and digits starting with a letter, e.g. syspool or workpool",
    );
  }
  if (spec.temporaryNameForRotation !== undefined) {
    const why = checkName(NAMING_RULES.aksNodePool, spec.temporaryNameForRotation);
    if (why) {
      add(
        "temporaryNameForRotation",
        spec.temporaryNameForRotation,
        `temporaryNameForRotation: ${why}`,
        "use 1-12 lowercase letters and digits starting with a letter, other than any pool's name",
      );
    }
  }

  const { minCount, maxCount } = spec;
  if (!isUnresolved(minCount) && !isUnresolved(maxCount)) {
    const min = system ? 1 : 0;
    if (!Number.isInteger(minCount) || minCount < min) {
      add(
        "minCount",
        minCount,
        `minCount ${minCount} must be an integer of at least ${min}` +
          (system ? ": the system pool runs CoreDNS and metrics-server and cannot scale to zero" : ""),
        system ? "use a minCount of 1 or more (3 across zones in production)" : "use 0 or more",
      );
    }
    if (!Number.isInteger(maxCount) || maxCount < 1 || maxCount > MAX_NODES_PER_POOL) {
      add(
        "maxCount",
        maxCount,
        `maxCount ${maxCount} must be an integer between 1 and ${MAX_NODES_PER_POOL}: AKS allows at most ${MAX_NODES_PER_POOL} nodes in a pool`,
        maxCount > MAX_NODES_PER_POOL
          ? `use a maxCount of ${MAX_NODES_PER_POOL} or less, or add a pool`
          : "allow at least one node",
      );
    }
    if (minCount > maxCount) {
      add(
        "minCount",
        minCount,
        `minCount ${minCount} is greater than maxCount ${maxCount}`,
        "make minCount at most maxCount (the autoscaler keeps the pool between the two)",
        "maxCount",
      );
    }
  }

  const maxPods = spec.maxPods;
  if (
    maxPods !== undefined &&
    !isUnresolved(maxPods) &&
    (!Number.isInteger(maxPods) || maxPods < 10 || maxPods > 250)
  ) {
    add(
      "maxPods",
      maxPods,
      `maxPods ${maxPods} must be an integer between 10 and 250 (Azure CNI Overlay)`,
      "use 10 to 250 (110 is the default)",
    );
  }
  const disk = spec.osDiskSizeGb;
  if (disk !== undefined && !isUnresolved(disk) && (!Number.isInteger(disk) || disk < 30 || disk > 2048)) {
    add(
      "osDiskSizeGb",
      disk,
      `osDiskSizeGb ${disk} must be an integer between 30 and 2048`,
      "use 30 to 2048 GB, or leave it to the VM size's default",
    );
  }
  const surge = spec.maxSurge;
  if (surge !== undefined && !isUnresolved(surge)) {
    const match = MAX_SURGE.exec(surge);
    if (match === null || (match[2] === "%" && Number(match[1]) > 100)) {
      add(
        "maxSurge",
        surge,
        `maxSurge "${surge}" must be a node count such as "1" or a percentage from "1%" to "100%"`,
        'write a node count such as "1" or a percentage such as "10%"',
      );
    }
  }
  const zones = spec.zones;
  if (zones !== undefined && !isUnresolved(zones) && new Set(zones).size !== zones.length) {
    add("zones", zones, `zones [${zones.join(", ")}] lists a zone twice`, "list each zone once");
  }
  if (spec.taints !== undefined && spec.taints.length > 0) {
    if (system) {
      add(
        "taints",
        spec.taints,
        "taints are not supported on the system pool (it is tainted CriticalAddonsOnly); put tainted workloads on a user pool",
        "remove the taints, or move the workloads to a user pool",
      );
    }
    spec.taints.forEach((taint, i) => {
      if (!isUnresolved(taint) && !TAINT.test(taint)) {
        problems.push({
          path: ["taints", i],
          value: taint,
          message: `taint "${taint}" must look like key=value:NoSchedule (or PreferNoSchedule, NoExecute)`,
          fix: "write key=value:Effect or key:Effect",
        });
      }
    });
  }
  return problems;
}

/**
 * Pools of one cluster need distinct names; `names[0]` is the system pool's. Problems at
 * `[index, "name"]` of the later pool.
 */
export function poolNameProblems(names: readonly string[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  names.forEach((name, i) => {
    const first = names.indexOf(name);
    if (first === i) return;
    problems.push({
      path: [i, "name"],
      related: [[first, "name"]],
      value: name,
      message: `pool name "${name}" is used twice${first === 0 ? ": the pool has the same name as the system pool" : ""}`,
      fix: "give every pool its own name (syspool and workpool)",
    });
  });
  return problems;
}

const START_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const UTC_OFFSET = /^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$/;

/**
 * Problems with a maintenance window, at paths inside it (`["durationHours"]`). Windows last 4 to
 * 24 hours (`duration` of both maintenance window blocks, hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/containers/kubernetes_cluster_resource.go).
 */
export function maintenanceWindowFieldProblems(
  spec: MaintenanceWindowSpec,
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: string, value: unknown, message: string, fix: string) =>
    problems.push({ path: [path], value, message, fix });
  if (spec.frequency === "Weekly" && spec.dayOfWeek === undefined) {
    add("dayOfWeek", undefined, "a Weekly window needs dayOfWeek", "add dayOfWeek, e.g. Tuesday");
  }
  if (spec.frequency === "Daily" && spec.dayOfWeek !== undefined) {
    add(
      "dayOfWeek",
      spec.dayOfWeek,
      `a Daily window must not set dayOfWeek (got ${spec.dayOfWeek})`,
      "remove dayOfWeek, or make the window Weekly",
    );
  }
  if (!isUnresolved(spec.startTime) && !START_TIME.test(spec.startTime)) {
    add(
      "startTime",
      spec.startTime,
      `startTime "${spec.startTime}" must be HH:MM in 24-hour time, e.g. "23:30"`,
      'write the time as HH:MM, e.g. "02:00"',
    );
  }
  problems.push(
    ...wholeNumberProblems(
      "durationHours",
      spec.durationHours,
      {
        min: 4,
        max: 24,
        why: "(AKS needs at least four hours to finish an upgrade)",
        fix: "use a duration from 4 to 24 hours",
      },
      isUnresolved,
    ),
  );
  const offset = spec.utcOffset;
  if (offset !== undefined && !isUnresolved(offset) && !UTC_OFFSET.test(offset)) {
    add(
      "utcOffset",
      offset,
      `utcOffset "${offset}" must look like "+00:00" or "-05:00"`,
      'write the offset as +HH:MM or -HH:MM, e.g. "+01:00"',
    );
  }
  const interval = spec.interval;
  if (interval !== undefined && !isUnresolved(interval) && (!Number.isInteger(interval) || interval < 1)) {
    add("interval", interval, `interval ${interval} must be a whole number of at least 1`, "use 1 or more");
  }
  return problems;
}

/** AKS's limit on authorized IP ranges of the API server. */
export const MAX_AUTHORIZED_IP_RANGES = 200;

/**
 * Who reaches the API server: authorized ranges, a private cluster, or (explicitly) everyone.
 * Problems at paths inside the spec (`["authorizedIpRanges"]`).
 */
export function apiServerProblems(
  api: AksApiServerSpec,
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const ranges = api.authorizedIpRanges ?? [];
  const hasRanges = isUnresolved(ranges) || ranges.length > 0;
  if (api.privateCluster === true && hasRanges) {
    problems.push({
      path: ["authorizedIpRanges"],
      related: [["privateCluster"]],
      value: ranges,
      message: "authorizedIpRanges cannot be combined with privateCluster",
      fix: "drop authorizedIpRanges, or privateCluster",
    });
  }
  if (!hasRanges && api.privateCluster !== true && api.allowPublicApiServer !== true) {
    problems.push({
      path: ["authorizedIpRanges"],
      value: ranges,
      message: "the API server would be open to the Internet",
      fix: "give authorizedIpRanges (the egress ranges of the build agents and the operations VPN), set privateCluster, or set allowPublicApiServer: true to accept that explicitly",
    });
  }
  if (!isUnresolved(ranges)) {
    if (ranges.length > MAX_AUTHORIZED_IP_RANGES) {
      problems.push({
        path: ["authorizedIpRanges"],
        value: ranges.length,
        message: `authorizedIpRanges has ${ranges.length} entries; AKS allows ${MAX_AUTHORIZED_IP_RANGES}`,
        fix: "merge ranges into larger blocks",
      });
    }
    ranges.forEach((range, i) => {
      if (isUnresolved(range)) return;
      const parsed = parseIpv4Cidr(range);
      if (!parsed.ok) {
        problems.push({
          path: ["authorizedIpRanges", i],
          value: range,
          message: `authorizedIpRanges: ${parsed.problem}`,
          fix: "write an IPv4 range in CIDR notation, e.g. 203.0.113.0/24",
        });
      }
    });
  }
  return problems;
}
