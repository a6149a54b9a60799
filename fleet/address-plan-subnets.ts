/**
 * How a cluster's address block is carved into subnets.
 *
 * The layout is a declared table, not a computation over the list: every subnet names its own
 * position (the `index`-th range of its `prefixLength` inside the block). Adding a subnet later is
 * adding a row that uses spare space; no existing subnet moves, so no existing cluster is
 * replaced. Changing or removing a row moves or deletes a live subnet and must never be done for
 * clusters that exist.
 *
 * With the fleet's /22 blocks (`addressPlan.blockPrefixLength: 22`):
 *
 *   10.0.4.0/22  syspool    10.0.4.0/24   AKS system node pool
 *                workpool   10.0.5.0/24   AKS user (workload) node pool
 *                endpoints  10.0.6.0/24   private endpoints (storage, key vault, registry, ...)
 *                postgres   10.0.7.0/25   PostgreSQL flexible servers (delegated; Apps, Platform, Studio)
 *                apim       10.0.7.128/26 API Management (Platform only)
 *                (spare)    10.0.7.192/26
 *
 * One /24 per node pool follows Altinn's own convention (research/altinn.md §3: `aks_syspool`
 * and `aks_workpool` are the first two /24s of the cluster block). Pods and services use the
 * overlay ranges, so a /24 holds 251 nodes (Azure keeps 5 addresses of every subnet).
 */
import { type CidrRange, compareBig, nthSubnet, overlaps, parseCidr } from "../constructs/network/cidr";

export interface SubnetSpec {
  /** Subnet name in Azure; also the node pool name for node subnets. */
  readonly name: string;
  /** Position: the `index`-th block of `prefixLength` inside the cluster block (0 = first). */
  readonly index: number;
  readonly prefixLength: number;
  readonly purpose: string;
}

/** The cluster subnets. Append only: never change or remove a row (see the header). */
export const CLUSTER_SUBNETS = [
  { name: "syspool", index: 0, prefixLength: 24, purpose: "AKS system node pool" },
  { name: "workpool", index: 1, prefixLength: 24, purpose: "AKS user (workload) node pool" },
  { name: "endpoints", index: 2, prefixLength: 24, purpose: "private endpoints" },
] as const satisfies readonly SubnetSpec[];

export type ClusterSubnetName = (typeof CLUSTER_SUBNETS)[number]["name"];

/** PostgreSQL flexible servers need a delegated subnet: the first half of the fourth /24. */
const POSTGRES_SUBNET_ROW = {
  name: "postgres",
  index: 6,
  prefixLength: 25,
  purpose: "PostgreSQL flexible servers (delegated)",
} as const satisfies SubnetSpec;

/**
 * Platform and Studio clusters also host managed services in their network: PostgreSQL
 * flexible servers need a delegated subnet, API Management one of its own. Both sit in the
 * fourth /24, which the cluster layout leaves spare. Append only, as above.
 */
export const SERVICE_SUBNETS = [
  ...CLUSTER_SUBNETS,
  POSTGRES_SUBNET_ROW,
  { name: "apim", index: 14, prefixLength: 26, purpose: "API Management (VNet injection)" },
] as const satisfies readonly SubnetSpec[];

/**
 * Apps clusters: the cluster subnets plus the same delegated PostgreSQL subnet as the service
 * layout (each Apps environment runs its own configuration-sync server there, docs/operators.md).
 * The row sits in the spare fourth /24, so no existing subnet moves. Append only, as above.
 */
export const APPS_SUBNETS = [
  ...CLUSTER_SUBNETS,
  POSTGRES_SUBNET_ROW,
] as const satisfies readonly SubnetSpec[];

/** One carved subnet; structurally a `SubnetPlan` of the fleet model. */
export interface PlannedSubnet<N extends string = string> {
  readonly name: N;
  readonly cidr: string;
}

/**
 * Carves a cluster block into the declared subnets, in table order. Throws when the block is
 * malformed or not aligned, or when a subnet does not fit inside it.
 *
 * @example subnetLayout("10.0.4.0/22") // [{name: "syspool", cidr: "10.0.4.0/24"}, ...]
 */
export function subnetLayout(blockCidr: string): readonly PlannedSubnet<ClusterSubnetName>[];
export function subnetLayout<N extends string>(
  blockCidr: string,
  layout: readonly (SubnetSpec & { readonly name: N })[],
): readonly PlannedSubnet<N>[];
export function subnetLayout(
  blockCidr: string,
  layout: readonly SubnetSpec[] = CLUSTER_SUBNETS,
): readonly PlannedSubnet[] {
  const parsed = parseCidr(blockCidr);
  if (!parsed.ok) {
    throw new Error(`cannot carve subnets: ${parsed.reason}`);
  }
  if (!parsed.range.aligned) {
    throw new Error(
      `cannot carve subnets: block ${blockCidr} is not aligned (its network is ${parsed.range.network})`,
    );
  }
  return carve(parsed.range, layout).map(({ name, range }) => ({ name, cidr: range.network }));
}

/** The CIDR of one named subnet of a cluster block. */
export function subnetCidr(blockCidr: string, name: ClusterSubnetName): string {
  const found = subnetLayout(blockCidr).find((s) => s.name === name);
  if (found === undefined) {
    throw new Error(`no subnet named ${name} in the cluster subnet layout`);
  }
  return found.cidr;
}

/**
 * The longest block prefix (smallest block) the layout fits in, e.g. 22 for three /24s at
 * indexes 0-2. Used to check `addressPlan.blockPrefixLength`.
 */
export function smallestBlockPrefixFor(layout: readonly SubnetSpec[] = CLUSTER_SUBNETS): number {
  for (let prefix = 32; prefix >= 0; prefix--) {
    const block = parseCidr(`0.0.0.0/${prefix}`);
    if (block.ok && tryCarve(block.range, layout) !== undefined) {
      return prefix;
    }
  }
  throw new Error("the subnet layout fits in no IPv4 block (overlapping or duplicate rows?)");
}

/** Whether the layout fits in a block of this prefix length. */
export function layoutFits(prefixLength: number, layout: readonly SubnetSpec[] = CLUSTER_SUBNETS): boolean {
  const block = parseCidr(`0.0.0.0/${prefixLength}`);
  return block.ok && tryCarve(block.range, layout) !== undefined;
}

function tryCarve(block: CidrRange, layout: readonly SubnetSpec[]) {
  try {
    return carve(block, layout);
  } catch {
    return undefined;
  }
}

function carve(block: CidrRange, layout: readonly SubnetSpec[]): { name: string; range: CidrRange }[] {
  const names = new Set<string>();
  const carved = layout.map((spec) => {
    if (names.has(spec.name)) {
      throw new Error(`subnet layout names ${spec.name} twice`);
    }
    names.add(spec.name);
    const range = nthSubnet(block, spec.prefixLength, spec.index);
    if (range === undefined) {
      throw new Error(
        `subnet ${spec.name} (/${spec.prefixLength} number ${spec.index}) does not fit in block ${block.network}`,
      );
    }
    return { name: spec.name, range };
  });
  const byStart = [...carved].sort((a, b) => compareBig(a.range.start, b.range.start));
  for (let i = 1; i < byStart.length; i++) {
    const prev = byStart[i - 1]!;
    const next = byStart[i]!;
    if (overlaps(prev.range, next.range)) {
      throw new Error(
        `subnets ${prev.name} (${prev.range.network}) and ${next.name} (${next.range.network}) overlap`,
      );
    }
  }
  return carved;
}
