import { Token } from "cdktf";
import { checkName, NAMING_RULES } from "../naming/rules";
import type { AvailabilityZone } from "../network/static-public-ip";

/** OS disk kind. Ephemeral disks are faster and free but must fit the VM size's cache or temp disk. */
export type OsDiskType = "Managed" | "Ephemeral";

/** Kubernetes taint effects. */
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";

/**
 * One AKS node pool. All pools autoscale between `minCount` and `maxCount`; the node count is
 * left to the autoscaler and ignored in plans.
 *
 * Properties marked "rotates the pool" are changed by the provider by cycling the pool through
 * its temporary rotation name: a new pool is created, the old one deleted, without cordon and
 * drain. Plan such changes in a maintenance window with PodDisruptionBudgets in place.
 */
export interface NodePoolSpec {
  /**
   * Pool name: 1-12 lowercase letters and digits, starting with a letter. Part of the Terraform
   * address of user pools. Changing this replaces the pool (for the system pool: rotates it).
   */
  readonly name: string;
  /** VM size, e.g. `Standard_D4s_v5`. Changing this rotates the pool. */
  readonly vmSize: string;
  /** Autoscaler minimum. At least 1 for the system pool; 0 allowed for user pools. */
  readonly minCount: number;
  /** Autoscaler maximum, at least `minCount` and at most 1000. */
  readonly maxCount: number;
  /**
   * Availability zones the pool spreads over. Pass `[]` only in a region without zones.
   * Changing this rotates the pool.
   * @default ["1", "2", "3"]
   */
  readonly zones?: readonly AvailabilityZone[];
  /** Subnet the nodes live in (pods use the overlay range). Changing this rotates the pool. */
  readonly vnetSubnetId: string;
  /**
   * Maximum pods per node (10-250 with Azure CNI Overlay). 110 is the upstream Kubernetes
   * per-node limit; with the D2s-D8s sizes Altinn uses, memory requests run out long before
   * that. Overlay pods take no VNet addresses, so this costs nothing in the address plan.
   * Changing this rotates the pool.
   * @default 110
   */
  readonly maxPods?: number;
  /**
   * OS disk size in GB (30-2048). Changing this rotates the pool.
   * @default - AKS default for the VM size (128 GB for managed disks)
   */
  readonly osDiskSizeGb?: number;
  /**
   * OS disk type. Changing this rotates the pool.
   * @default "Managed"
   */
  readonly osDiskType?: OsDiskType;
  /**
   * Extra nodes added during upgrades and node-image rollouts, as a count (`"1"`) or a
   * percentage (`"33%"`). Set explicitly because AKS fills in `10%` and every plan would
   * otherwise show a diff.
   * @default "10%"
   */
  readonly maxSurge?: string;
  /**
   * Kubernetes labels on the nodes.
   * @default - none
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Kubernetes taints, `key=value:Effect` or `key:Effect`. Not supported on the system pool,
   * which is tainted `CriticalAddonsOnly=true:NoSchedule` instead.
   * @default - none
   */
  readonly taints?: readonly string[];
  /**
   * Name of the temporary pool used when a change rotates the pool.
   * @default - the first 9 characters of `name` followed by `tmp`
   */
  readonly temporaryNameForRotation?: string;
}

const TAINT =
  /^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?(=[-A-Za-z0-9_.]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/;
const MAX_SURGE = /^([1-9][0-9]*)(%?)$/;

/** The default rotation name: short enough for the 12-character limit, and never the pool's own name. */
export function defaultRotationName(poolName: string): string {
  const candidate = `${poolName.slice(0, 9)}tmp`;
  return candidate === poolName ? `${poolName.slice(0, 9)}rot` : candidate;
}

/**
 * Problems with one pool spec, as messages naming the pool. `system` applies the system-pool
 * rules (at least one node, no taints).
 */
export function nodePoolProblems(spec: NodePoolSpec, system: boolean): string[] {
  const problems: string[] = [];
  const label = `${system ? "systemPool" : "userPools"} "${spec.name}"`;
  const nameProblem = Token.isUnresolved(spec.name)
    ? "pool names must be literal strings: they are part of the Terraform address"
    : checkName(NAMING_RULES.aksNodePool, spec.name);
  if (nameProblem) problems.push(`${label}: ${nameProblem}`);

  if (spec.temporaryNameForRotation !== undefined) {
    const tmpProblem = checkName(NAMING_RULES.aksNodePool, spec.temporaryNameForRotation);
    if (tmpProblem) problems.push(`${label}: temporaryNameForRotation: ${tmpProblem}`);
  }

  if (!Token.isUnresolved(spec.minCount) && !Token.isUnresolved(spec.maxCount)) {
    const min = system ? 1 : 0;
    if (!Number.isInteger(spec.minCount) || spec.minCount < min) {
      problems.push(
        `${label}: minCount ${spec.minCount} must be an integer of at least ${min}` +
          (system ? " (the system pool runs CoreDNS and other critical add-ons)" : ""),
      );
    }
    if (!Number.isInteger(spec.maxCount) || spec.maxCount < 1 || spec.maxCount > 1000) {
      problems.push(`${label}: maxCount ${spec.maxCount} must be an integer between 1 and 1000`);
    }
    if (spec.minCount > spec.maxCount) {
      problems.push(`${label}: minCount ${spec.minCount} is greater than maxCount ${spec.maxCount}`);
    }
  }

  const maxPods = spec.maxPods;
  if (maxPods !== undefined && !Token.isUnresolved(maxPods)) {
    if (!Number.isInteger(maxPods) || maxPods < 10 || maxPods > 250) {
      problems.push(`${label}: maxPods ${maxPods} must be an integer between 10 and 250 (Azure CNI Overlay)`);
    }
  }

  const disk = spec.osDiskSizeGb;
  if (
    disk !== undefined &&
    !Token.isUnresolved(disk) &&
    (!Number.isInteger(disk) || disk < 30 || disk > 2048)
  ) {
    problems.push(`${label}: osDiskSizeGb ${disk} must be an integer between 30 and 2048`);
  }

  const surge = spec.maxSurge;
  if (surge !== undefined && !Token.isUnresolved(surge)) {
    const match = MAX_SURGE.exec(surge);
    if (match === null || (match[2] === "%" && Number(match[1]) > 100)) {
      problems.push(
        `${label}: maxSurge "${surge}" must be a node count such as "1" or a percentage from "1%" to "100%"`,
      );
    }
  }

  const zones = spec.zones;
  if (zones !== undefined && !Token.isUnresolved(zones) && new Set(zones).size !== zones.length) {
    problems.push(`${label}: zones [${zones.join(", ")}] lists a zone twice`);
  }

  if (spec.taints !== undefined && spec.taints.length > 0) {
    if (system) {
      problems.push(
        `${label}: taints are not supported on the system pool (it is tainted CriticalAddonsOnly); ` +
          "put tainted workloads on a user pool",
      );
    }
    for (const taint of spec.taints) {
      if (!Token.isUnresolved(taint) && !TAINT.test(taint)) {
        problems.push(
          `${label}: taint "${taint}" must look like key=value:NoSchedule (or PreferNoSchedule, NoExecute)`,
        );
      }
    }
  }
  return problems;
}
