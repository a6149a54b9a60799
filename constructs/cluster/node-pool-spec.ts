import { Token } from "cdktf";
import type { AvailabilityZone } from "../network/static-public-ip";
import { nodePoolFieldProblems } from "./settings";

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

/** The default rotation name: short enough for the 12-character limit, and never the pool's own name. */
export function defaultRotationName(poolName: string): string {
  const candidate = `${poolName.slice(0, 9)}tmp`;
  return candidate === poolName ? `${poolName.slice(0, 9)}rot` : candidate;
}

/**
 * Problems with one pool spec, as messages naming the pool. `system` applies the system-pool
 * rules (at least one node, no taints). The rules are `nodePoolFieldProblems` (./settings).
 */
export function nodePoolProblems(spec: NodePoolSpec, system: boolean): string[] {
  const label = `${system ? "systemPool" : "userPools"} "${spec.name}"`;
  return nodePoolFieldProblems(spec, system, Token.isUnresolved).map((p) => `${label}: ${p.message}`);
}
