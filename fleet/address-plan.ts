/**
 * The fleet's address plan: one IPv4 block per cluster network, from one pool, recorded in the
 * committed file `address-plan.yaml` and never moved.
 *
 * Why a committed allocation file: Azure refuses to move a VNet's or a subnet's range while the
 * subnets have members (nodes, private endpoints), so a block that moves means a new network and
 * a new cluster (`npm run diff` flags it: cli/diff/risk-rules.ts). Deriving blocks from a cluster's position in a list
 * (`cidrsubnet(pool, n, index)`) moves every later block when an org is added or removed. Here a
 * block, once written, is kept until it is released on purpose (`--prune`).
 *
 * Rules (all checked by `validateAddressPlan`, all reported at once):
 * - Settings (`addressPlan` in fleet.yaml): `pool`, `reserved[].cidr`, `podCidr` and
 *   `serviceCidr` are IPv4 CIDRs written as their network address. Reserved ranges may lie
 *   inside the pool (that is what they are for: hub networks, gateways, peered VNets). The pod
 *   and service ranges are overlay ranges that every cluster reuses (Azure CNI Overlay), so they
 *   must overlap neither the pool, nor a reserved range, nor each other. `dnsServiceIp` lies in
 *   `serviceCidr` and is neither its first address (Kubernetes gives that to the API server
 *   service; AKS refuses it) nor its last. No range may touch the ones Azure forbids in virtual
 *   networks (`AZURE_FORBIDDEN_RANGES`). `blockPrefixLength` is at least the pool's prefix and
 *   leaves room for the subnet layout (`CLUSTER_SUBNETS`, three /24s: at most /22).
 * - Blocks: every required cluster key has one; each is a well-formed CIDR of exactly
 *   `blockPrefixLength`, aligned (10.0.4.0/22, never 10.0.5.0/22), inside the pool, clear of
 *   reserved, pod, service and Azure-forbidden ranges, and clear of every other block.
 * - A block whose key is no longer required (org or environment removed) is a notice, not an
 *   error: it stays reserved (its VNet may still exist) and is never handed to another cluster
 *   until `npm run allocate -- --prune` releases it.
 *
 * Allocation (`allocate`) is stable and deterministic: keys without a block are taken in sorted
 * (code unit) order and each gets the lowest free aligned block of the pool, so gaps left by
 * pruned blocks are reused first. Existing blocks are never changed; with `prune`, exactly the
 * blocks of keys that are not required are removed (and their space may go to a new key in the
 * same run). Running it twice changes nothing. It refuses to place blocks around a plan that has
 * errors (`FleetValidationError`) and fails as a whole when the pool is too small
 * (`AddressPoolExhaustedError`); it never allocates part of what was asked.
 *
 * The file (`address-plan-file.ts`): a header comment, then `allocations:` mapping cluster key to
 * block, sorted by address, one line each; the same plan always renders to the same bytes.
 *
 *   allocations:
 *     apps-brg-prod: 10.1.0.0/22
 *     apps-brg-tt02: 10.1.4.0/22
 *
 * Subnets inside a block come from a declared, append-only table (`address-plan-subnets.ts`).
 *
 * Cost: validation sorts the blocks once and scans neighbours (O(n log n), n blocks); reserved
 * ranges are looked up in a sorted index (O(log r)). Allocation sorts once and sweeps the gaps of
 * the pool (O((n + m) log n), m new blocks). No pairwise comparisons: the fleet is ~130 clusters
 * and must work at ten times that.
 *
 * CIDR math (parsing, masking, stepping to the next network, containment) is done by
 * `ip-address`; this code only adds and compares the BigInt addresses it returns (and divides
 * a gap by the block size to count free blocks). IPv4 only: the VNets are single stack today (Altinn's dual-stack /56 plan is not
 * modelled).
 */

import type { Static } from "@sinclair/typebox";
import { compareText } from "../cli/shared/sorted-json";
import {
  addressAt,
  alignedBlockAtOrAfter,
  alignedBlocksBetween,
  type CidrRange,
  compareBig,
  contains,
  overlaps,
  parseAddress,
  parseCidr,
  RangeIndex,
  widerBlock,
} from "../constructs/network/cidr";
import {
  ADDRESS_PLAN_FILE,
  type LoadedAddressPlan,
  loadAddressPlan,
  sortByAddress,
} from "./address-plan-file";
import { layoutFits, SERVICE_SUBNETS, smallestBlockPrefixFor } from "./address-plan-subnets";
import type { DeepReadonly } from "./model";
import { type FleetProblem, FleetValidationError, notice, problem } from "./problems";
import type { AddressPlanSettingsSchema, ReservedRangeSchema } from "./schemas/fleet-settings";

export type { CidrRange } from "../constructs/network/cidr";
export {
  ADDRESS_PLAN_FILE,
  ADDRESS_PLAN_HEADER,
  type LoadedAddressPlan,
  loadAddressPlan,
  parseAddressPlan,
  renderAddressPlan,
} from "./address-plan-file";
export {
  APPS_SUBNETS,
  CLUSTER_SUBNETS,
  type ClusterSubnetName,
  type PlannedSubnet,
  SERVICE_SUBNETS,
  type SubnetSpec,
  smallestBlockPrefixFor,
  subnetCidr,
  subnetLayout,
} from "./address-plan-subnets";

/** `addressPlan` in fleet.yaml and its reserved ranges: types of the settings schema. */
export type ReservedRange = DeepReadonly<Static<typeof ReservedRangeSchema>>;
export type AddressPlanSettings = DeepReadonly<Static<typeof AddressPlanSettingsSchema>>;

/**
 * Ranges Azure does not allow in a virtual network's address space (Microsoft Cloud Adoption
 * Framework, "Plan for IP addressing"). Pool, pod and service ranges must avoid them too.
 */
export const AZURE_FORBIDDEN_RANGES: readonly ReservedRange[] = [
  { cidr: "224.0.0.0/4", reason: "multicast; Azure forbids it in virtual networks" },
  { cidr: "255.255.255.255/32", reason: "broadcast; Azure forbids it in virtual networks" },
  { cidr: "127.0.0.0/8", reason: "loopback; Azure forbids it in virtual networks" },
  { cidr: "169.254.0.0/16", reason: "link-local; Azure forbids it in virtual networks" },
  { cidr: "168.63.129.16/32", reason: "Azure platform DNS, DHCP and health probe address" },
];

export interface ValidateContext {
  /** 1-based line of each entry in the allocation file (`LoadedAddressPlan.lines`). */
  readonly lines?: ReadonlyMap<string, number>;
  /** File the settings are read from, for problems. Default `fleet.yaml`. */
  readonly settingsFile?: string;
  /** Dotted path of the settings in that file. Default `addressPlan`. */
  readonly settingsField?: string;
  /** 1-based line of settings fields, keyed by field name (`pool`, `reserved[0].cidr`, ...). */
  readonly settingsLines?: ReadonlyMap<string, number>;
}

/** A range no block may overlap, with a label for messages. */
interface Barrier {
  readonly start: bigint;
  readonly end: bigint;
  readonly cidr: string;
  readonly label: string;
  /** How to fix a block that overlaps it, given the generic "restore the entry" advice. */
  readonly fix: (restore: string) => string;
}

interface ResolvedSettings {
  /** Undefined when `pool` is invalid (then pool checks are skipped). */
  readonly pool: CidrRange | undefined;
  /** Undefined when `blockPrefixLength` is invalid (then prefix checks are skipped). */
  readonly prefixLength: number | undefined;
  /** Valid reserved, pod, service and Azure-forbidden ranges. */
  readonly barriers: RangeIndex<Barrier>;
}

// ---------------------------------------------------------------- settings

/** Problems in the settings alone (also part of `validateAddressPlan`). */
export function validateAddressPlanSettings(
  settings: AddressPlanSettings,
  context: ValidateContext = {},
): FleetProblem[] {
  return resolveSettings(settings, context).problems;
}

function resolveSettings(
  settings: AddressPlanSettings,
  context: ValidateContext,
): { resolved: ResolvedSettings; problems: FleetProblem[] } {
  const file = context.settingsFile ?? "fleet.yaml";
  const base = context.settingsField ?? "addressPlan";
  const problems: FleetProblem[] = [];
  const report = (field: string, value: unknown, message: string, fix: string) =>
    problems.push(
      problem({
        file,
        line: context.settingsLines?.get(field),
        field: `${base}.${field}`,
        value,
        message,
        fix,
      }),
    );

  const azure = new RangeIndex(
    AZURE_FORBIDDEN_RANGES.map(({ cidr, reason }) => {
      const range = parseCidr(cidr);
      if (!range.ok) throw new Error(range.reason);
      return {
        start: range.range.start,
        end: range.range.end,
        cidr,
        label: `${cidr} (${reason})`,
        fix: (restore: string) => restore,
      };
    }),
  );

  /** Parses one settings CIDR, reporting malformed or unaligned values. */
  const range = (field: string, value: unknown, what: string, checkAzure = true): CidrRange | undefined => {
    const parsed = parseCidr(value);
    if (!parsed.ok) {
      report(field, value, `${what} is not an IPv4 CIDR: ${parsed.reason}`, "write it like 10.0.0.0/16");
      return undefined;
    }
    if (!parsed.range.aligned) {
      report(
        field,
        value,
        `${what} has host bits set: its network address is ${parsed.range.network}`,
        `write ${parsed.range.network}`,
      );
      return undefined;
    }
    const forbidden = checkAzure ? azure.firstOverlap(parsed.range) : undefined;
    if (forbidden !== undefined) {
      report(field, value, `${what} overlaps ${forbidden.label}`, "use a private range (RFC 1918)");
    }
    return parsed.range;
  };

  const pool = range("pool", settings.pool, "the pool");

  let prefixLength: number | undefined;
  const prefix: unknown = settings.blockPrefixLength;
  if (typeof prefix !== "number" || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) {
    report(
      "blockPrefixLength",
      prefix,
      "expected a whole number from 0 to 32",
      "write e.g. 22 for /22 blocks",
    );
  } else if (pool !== undefined && prefix < pool.prefixLength) {
    report(
      "blockPrefixLength",
      prefix,
      `blocks of /${prefix} are larger than the pool ${pool.network}`,
      `use a prefix length of at least ${pool.prefixLength}, or widen the pool`,
    );
  } else if (!layoutFits(prefix, SERVICE_SUBNETS)) {
    // Every block must fit the largest layout (Platform and Studio clusters add service subnets).
    const needed = smallestBlockPrefixFor(SERVICE_SUBNETS);
    report(
      "blockPrefixLength",
      prefix,
      `a /${prefix} block is too small for the cluster subnets (${SERVICE_SUBNETS.map(
        (s) => `${s.name} /${s.prefixLength}`,
      ).join(", ")}), which need at least a /${needed}`,
      `use ${needed} or less`,
    );
  } else {
    prefixLength = prefix;
  }

  const barriers: Barrier[] = [];
  const reservedList: unknown = settings.reserved;
  if (!Array.isArray(reservedList)) {
    report("reserved", reservedList, "expected a list of { cidr, reason }", "write `reserved: []` for none");
  } else {
    reservedList.forEach((entry: unknown, i: number) => {
      const item = (typeof entry === "object" && entry !== null ? entry : {}) as Partial<ReservedRange>;
      const reason = item.reason;
      if (typeof reason !== "string" || reason.trim() === "") {
        report(
          `reserved[${i}].reason`,
          reason,
          "every reserved range needs a reason",
          "say what uses the range (e.g. hub network)",
        );
      }
      const r = range(`reserved[${i}].cidr`, item.cidr, "the reserved range", false);
      if (r !== undefined) {
        const why = typeof reason === "string" && reason.trim() !== "" ? ` (${reason})` : "";
        barriers.push({
          start: r.start,
          end: r.end,
          cidr: r.network,
          label: `reserved range ${r.network}${why}`,
          fix: (restore: string) =>
            `if ${base}.reserved[${i}] was added after this block was allocated, narrow it to leave the block free, or move the cluster: delete this entry and run \`npm run allocate\` (the cluster's network, and the cluster, are replaced); otherwise ${restore}`,
        });
      }
    });
  }
  const reserved = new RangeIndex([...barriers]);

  const overlay = (field: "podCidr" | "serviceCidr", what: string): CidrRange | undefined => {
    const r = range(field, settings[field], what);
    if (r === undefined) return undefined;
    if (pool !== undefined && overlaps(r, pool)) {
      report(
        field,
        settings[field],
        `${what} overlaps the pool ${pool.network}; every cluster reuses it, so it must stay out of the VNet space`,
        `pick a range outside ${pool.network} and the reserved ranges (e.g. 10.240.0.0/16 for pods, 10.250.0.0/24 for services with a 10.0.0.0/9 pool)`,
      );
    }
    const hit = reserved.firstOverlap(r);
    if (hit !== undefined) {
      report(
        field,
        settings[field],
        `${what} overlaps ${hit.label}`,
        "pick a range that no network the clusters can reach uses",
      );
    }
    return r;
  };
  const pod = overlay("podCidr", "the pod CIDR");
  const service = overlay("serviceCidr", "the service CIDR");
  if (pod !== undefined && service !== undefined && overlaps(pod, service)) {
    report(
      "serviceCidr",
      settings.serviceCidr,
      `the service CIDR overlaps the pod CIDR ${pod.network}`,
      "give pods and services separate ranges",
    );
  }
  if (pod !== undefined) {
    barriers.push({
      start: pod.start,
      end: pod.end,
      cidr: pod.network,
      label: `the pod CIDR ${pod.network}`,
      fix: () => `move ${base}.podCidr out of the pool and the cluster blocks (every cluster reuses it)`,
    });
  }
  if (service !== undefined) {
    barriers.push({
      start: service.start,
      end: service.end,
      cidr: service.network,
      label: `the service CIDR ${service.network}`,
      fix: () => `move ${base}.serviceCidr out of the pool and the cluster blocks (every cluster reuses it)`,
    });
  }

  const dns = parseAddress(settings.dnsServiceIp);
  if (dns === undefined) {
    report(
      "dnsServiceIp",
      settings.dnsServiceIp,
      "expected an IPv4 address without a prefix",
      "write e.g. 10.250.0.10",
    );
  } else if (service !== undefined) {
    const at = dns.bigInt();
    const tenth = addressAt(service.start + 10n);
    if (!dns.isInSubnet(service.address)) {
      report(
        "dnsServiceIp",
        settings.dnsServiceIp,
        `the DNS service IP is outside the service CIDR ${service.network}`,
        `use an address inside it, e.g. ${tenth}`,
      );
    } else if (at === service.start) {
      report(
        "dnsServiceIp",
        settings.dnsServiceIp,
        "the DNS service IP is the service CIDR's first address, which Kubernetes gives the API server service (AKS refuses it)",
        `use another address, e.g. ${tenth}`,
      );
    } else if (at === service.end) {
      report(
        "dnsServiceIp",
        settings.dnsServiceIp,
        "the DNS service IP is the service CIDR's last (broadcast) address",
        `use another address, e.g. ${tenth}`,
      );
    }
  }

  for (const b of azure.sorted) {
    barriers.push(b);
  }
  return { resolved: { pool, prefixLength, barriers: new RangeIndex(barriers) }, problems };
}

// ---------------------------------------------------------------- validation

/**
 * Every problem of the settings and the allocations, at once. `requiredKeys` are the clusters
 * that exist in the fleet; a block for another key is a notice. Pass `context.lines` (from
 * `loadAddressPlan`) for line numbers.
 */
export function validateAddressPlan(
  settings: AddressPlanSettings,
  allocations: ReadonlyMap<string, string>,
  requiredKeys: readonly string[],
  file: string = ADDRESS_PLAN_FILE,
  context: ValidateContext = {},
): FleetProblem[] {
  const { resolved, problems } = resolveSettings(settings, context);
  const { pool, prefixLength, barriers } = resolved;
  const required = new Set(requiredKeys);
  const restore = `restore the entry from version control (git log -p ${file}); blocks are written by \`npm run allocate\` and never edited by hand`;

  for (const key of required) {
    if (!allocations.has(key)) {
      problems.push(
        problem({
          file,
          field: `allocations.${key}`,
          message: "the cluster has no address block",
          fix: `run \`npm run allocate\` and commit ${file}`,
        }),
      );
    }
  }

  const blocks: { key: string; range: CidrRange }[] = [];
  const keys = [...allocations.keys()].sort(compareText);

  // One root cause, said once: when several blocks share a size other than blockPrefixLength,
  // the setting changed, not every block (existing blocks never change size).
  const otherSizes = new Set<number>();
  let otherCount = 0;
  for (const value of allocations.values()) {
    const parsed = parseCidr(value);
    if (parsed.ok && prefixLength !== undefined && parsed.range.prefixLength !== prefixLength) {
      otherSizes.add(parsed.range.prefixLength);
      otherCount++;
    }
  }
  const settingChanged = otherCount > 1 && otherSizes.size === 1;
  if (settingChanged) {
    const size = [...otherSizes][0]!;
    problems.push(
      problem({
        file: context.settingsFile ?? "fleet.yaml",
        line: context.settingsLines?.get("blockPrefixLength"),
        field: `${context.settingsField ?? "addressPlan"}.blockPrefixLength`,
        value: prefixLength,
        message: `${otherCount} of the ${allocations.size} allocated blocks are /${size}, not /${prefixLength}; existing blocks never change size`,
        fix: `set blockPrefixLength back to ${size}`,
      }),
    );
  }
  for (const key of keys) {
    const value = allocations.get(key)!;
    const at = { file, line: context.lines?.get(key), field: `allocations.${key}`, value };
    if (!required.has(key)) {
      problems.push(
        notice({
          ...at,
          message:
            "no cluster in the fleet uses this block any more (org or environment removed); it stays reserved and is never given to another cluster",
          fix: "once the cluster is destroyed, run `npm run allocate -- --prune` to release the block",
        }),
      );
    }
    const parsed = parseCidr(value);
    if (!parsed.ok) {
      problems.push(problem({ ...at, message: parsed.reason, fix: restore }));
      continue;
    }
    const range = parsed.range;
    if (prefixLength !== undefined && range.prefixLength !== prefixLength && !settingChanged) {
      problems.push(
        problem({
          ...at,
          message: `the block is a /${range.prefixLength}, but addressPlan.blockPrefixLength is ${prefixLength}`,
          fix: `${restore}; if blockPrefixLength was changed in fleet.yaml, change it back (existing blocks never change size)`,
        }),
      );
    }
    if (!range.aligned) {
      problems.push(
        problem({
          ...at,
          message: `the block is not aligned to its size: a /${range.prefixLength} containing it starts at ${range.network}`,
          fix: restore,
        }),
      );
    }
    if (pool !== undefined && !contains(pool, range)) {
      problems.push(
        problem({
          ...at,
          message: `the block is outside the pool ${pool.network}`,
          fix: `${restore}; if addressPlan.pool was narrowed in fleet.yaml, widen it again so it contains every allocated block`,
        }),
      );
    }
    const barrier = barriers.firstOverlap(range);
    if (barrier !== undefined) {
      problems.push(
        problem({
          ...at,
          message: `the block overlaps ${barrier.label}`,
          fix: barrier.fix(restore),
        }),
      );
    }
    blocks.push({ key, range });
  }

  // Neighbour scan: sorted by start (widest first), any block starting before the furthest end
  // seen so far overlaps the block that reached that far.
  blocks.sort(
    (a, b) =>
      compareBig(a.range.start, b.range.start) ||
      compareBig(b.range.end, a.range.end) ||
      compareText(a.key, b.key),
  );
  let reach: { key: string; range: CidrRange } | undefined;
  for (const block of blocks) {
    if (reach !== undefined && block.range.start <= reach.range.end) {
      problems.push(
        problem({
          file,
          line: context.lines?.get(block.key),
          field: `allocations.${block.key}`,
          value: block.range.text,
          message: `the block overlaps the block of ${reach.key} (${reach.range.text})`,
          fix: `${restore}; if both clusters really have these networks, delete the entry of the one to rebuild and run \`npm run allocate\` (that cluster gets a new network and is replaced)`,
        }),
      );
    }
    if (reach === undefined || block.range.end > reach.range.end) {
      reach = block;
    }
  }
  return problems;
}

/**
 * Loads `address-plan.yaml` and validates it, for synth. A missing file is one problem (not one
 * per cluster); a file that does not parse is reported without validating its entries.
 */
export function checkAddressPlan(
  path: string,
  settings: AddressPlanSettings,
  requiredKeys: readonly string[],
  file: string = ADDRESS_PLAN_FILE,
  context: Omit<ValidateContext, "lines"> = {},
  /** The file as already read (the loader reads it once for every check that needs it). */
  loaded: LoadedAddressPlan = loadAddressPlan(path, file),
): { allocations: Map<string, string>; problems: FleetProblem[] } {
  if (!loaded.exists && requiredKeys.length > 0) {
    return {
      allocations: loaded.allocations,
      problems: [
        ...validateAddressPlanSettings(settings, context),
        problem({
          file,
          field: "(file)",
          message: `the address plan does not exist, so none of the ${requiredKeys.length} clusters has an address block`,
          fix: `run \`npm run allocate\` and commit ${file}`,
        }),
      ],
    };
  }
  if (loaded.problems.some((p) => p.severity === "error")) {
    return {
      allocations: loaded.allocations,
      problems: [...validateAddressPlanSettings(settings, context), ...loaded.problems],
    };
  }
  return {
    allocations: loaded.allocations,
    problems: validateAddressPlan(settings, loaded.allocations, requiredKeys, file, {
      ...context,
      lines: loaded.lines,
    }),
  };
}

// ---------------------------------------------------------------- allocation

export interface AllocateOptions {
  /** Remove the blocks of keys that are not required (and only those) before allocating. */
  readonly prune?: boolean;
}

export interface AllocationResult {
  /** The new plan, in address order. The input map is not changed. */
  readonly allocations: Map<string, string>;
  /** Keys that got a block, in the order they were allocated (sorted). */
  readonly added: string[];
  /** Keys whose block was released (only with `prune`), sorted. */
  readonly pruned: string[];
}

/** Thrown when the pool has fewer free blocks than new clusters. Nothing is allocated. */
export class AddressPoolExhaustedError extends Error {
  constructor(
    readonly pool: string,
    readonly blockPrefixLength: number,
    readonly needed: number,
    readonly free: number,
    readonly used: number,
  ) {
    const wider = widerBlock(pool);
    super(
      `The address pool ${pool} is exhausted: ${needed} new cluster${needed === 1 ? "" : "s"} need${
        needed === 1 ? "s" : ""
      } a /${blockPrefixLength} block, but only ${free} free /${blockPrefixLength} block${
        free === 1 ? " is" : "s are"
      } left (${used} allocated). Widen addressPlan.pool in fleet.yaml${
        wider === undefined ? "" : ` (e.g. to ${wider}; existing blocks stay where they are)`
      }, or release the blocks of destroyed clusters with \`npm run allocate -- --prune\`.`,
    );
    this.name = "AddressPoolExhaustedError";
  }
}

/**
 * Gives every required key without a block the lowest free aligned block of the pool. Existing
 * blocks never change; with `prune`, blocks of keys that are not required are removed first (and
 * their space can be reused). Throws `FleetValidationError` when the settings or the existing
 * blocks have errors (nothing can be placed safely around a broken plan), and
 * `AddressPoolExhaustedError` when the pool is too small.
 */
export function allocate(
  settings: AddressPlanSettings,
  allocations: ReadonlyMap<string, string>,
  requiredKeys: readonly string[],
  options: AllocateOptions = {},
): AllocationResult {
  const required = new Set(requiredKeys);
  const kept = new Map<string, string>();
  const pruned: string[] = [];
  for (const [key, value] of allocations) {
    if (options.prune && !required.has(key)) {
      pruned.push(key);
    } else {
      kept.set(key, value);
    }
  }
  pruned.sort(compareText);

  const errors = validateAddressPlan(settings, kept, []).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new FleetValidationError(errors);
  }
  const { resolved } = resolveSettings(settings, {});
  const pool = resolved.pool!;
  const prefixLength = resolved.prefixLength!;

  const missing = [...required].filter((key) => !kept.has(key)).sort(compareText);
  const added: string[] = [];
  if (missing.length > 0) {
    const occupied = occupiedRanges(kept, resolved);
    const free = findFreeBlocks(pool, prefixLength, occupied, missing.length);
    if (free.length < missing.length) {
      throw new AddressPoolExhaustedError(pool.network, prefixLength, missing.length, free.length, kept.size);
    }
    missing.forEach((key, i) => {
      kept.set(key, free[i]!.network);
      added.push(key);
    });
  }
  return { allocations: new Map(sortByAddress(kept)), added, pruned };
}

export interface PoolUsage {
  readonly pool: string;
  readonly blockPrefixLength: number;
  /** Aligned blocks the pool holds. */
  readonly total: number;
  /** Blocks allocated (inside the pool). */
  readonly used: number;
  /** Aligned blocks still free (not allocated, not in a reserved range). */
  readonly free: number;
}

/** How full the pool is. Assumes valid settings and blocks (throws `FleetValidationError` otherwise). */
export function poolUsage(
  settings: AddressPlanSettings,
  allocations: ReadonlyMap<string, string>,
): PoolUsage {
  const errors = validateAddressPlan(settings, allocations, []).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new FleetValidationError(errors);
  }
  const { resolved } = resolveSettings(settings, {});
  const pool = resolved.pool!;
  const prefixLength = resolved.prefixLength!;
  let free = 0n;
  for (const gap of gaps(pool, occupiedRanges(allocations, resolved))) {
    free += alignedBlocksBetween(gap.start, gap.end, prefixLength);
  }
  return {
    pool: pool.network,
    blockPrefixLength: prefixLength,
    total: Number(alignedBlocksBetween(pool.start, pool.end, prefixLength)),
    used: allocations.size,
    free: Number(free),
  };
}

/** Allocated blocks and barriers, sorted by start. */
function occupiedRanges(
  allocations: ReadonlyMap<string, string>,
  resolved: ResolvedSettings,
): { start: bigint; end: bigint }[] {
  const occupied: { start: bigint; end: bigint }[] = [...resolved.barriers.sorted];
  for (const value of allocations.values()) {
    const parsed = parseCidr(value);
    if (parsed.ok) {
      occupied.push(parsed.range);
    }
  }
  return occupied.sort((a, b) => compareBig(a.start, b.start));
}

/** The free stretches of the pool between occupied ranges (sorted by start). */
function* gaps(
  pool: CidrRange,
  occupied: readonly { start: bigint; end: bigint }[],
): Generator<{ start: bigint; end: bigint }> {
  let cursor = pool.start;
  for (const range of occupied) {
    if (cursor > pool.end) {
      return;
    }
    if (range.end < cursor) {
      continue;
    }
    if (range.start > cursor) {
      yield { start: cursor, end: range.start - 1n < pool.end ? range.start - 1n : pool.end };
    }
    cursor = range.end + 1n;
  }
  if (cursor <= pool.end) {
    yield { start: cursor, end: pool.end };
  }
}

/** Up to `limit` free aligned blocks, lowest first. */
function findFreeBlocks(
  pool: CidrRange,
  prefixLength: number,
  occupied: readonly { start: bigint; end: bigint }[],
  limit: number,
): CidrRange[] {
  const found: CidrRange[] = [];
  for (const gap of gaps(pool, occupied)) {
    let cursor = gap.start;
    while (found.length < limit && cursor <= gap.end) {
      const block = alignedBlockAtOrAfter(cursor, prefixLength);
      if (block === undefined || block.end > gap.end) {
        break;
      }
      found.push(block);
      cursor = block.end + 1n;
    }
    if (found.length >= limit) {
      break;
    }
  }
  return found;
}
