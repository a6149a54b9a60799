/**
 * IPv4 address and CIDR arithmetic, once for the whole project: the constructs that take address
 * ranges (network, cluster, storage and Key Vault firewalls, DNS) and the fleet's address plan
 * (fleet/address-plan*.ts). All address maths is done by the `ip-address` library (BigInt
 * based); this module only compares and adds the values it returns, never hand-written bit maths.
 *
 * Two ways to read a block: `parseCidr` keeps a block written with host bits and says so
 * (`aligned`), so the address plan can report "not aligned" instead of "malformed";
 * `parseIpv4Cidr` refuses it, as Azure does (`10.0.0.5/24` is rejected, not rounded down).
 */
import { Address4 } from "ip-address";

/** A parsed IPv4 CIDR range. */
export interface CidrRange {
  /** As written. */
  readonly text: string;
  /** The parsed address with its prefix. */
  readonly address: Address4;
  readonly prefixLength: number;
  /** First address (the network address), as a number. */
  readonly start: bigint;
  /** Last address (the broadcast address), as a number; inclusive. */
  readonly end: bigint;
  /** The canonical network form (`10.0.0.0/22` for `10.0.1.0/22`). */
  readonly network: string;
  /** Whether the text is the canonical network form (not `10.0.1.0/22`). */
  readonly aligned: boolean;
}

export type CidrParse =
  | { readonly ok: true; readonly range: CidrRange }
  | { readonly ok: false; readonly reason: string };

/**
 * Parses `a.b.c.d/n`. The prefix must be written (a bare address is not a block); host bits are
 * allowed here and reported through `aligned`, so callers can say "not aligned" rather than
 * "malformed".
 */
export function parseCidr(text: unknown): CidrParse {
  if (typeof text !== "string") {
    return { ok: false, reason: `expected a string like 10.0.4.0/22, got ${describeType(text)}` };
  }
  if (!/^\d{1,3}(\.\d{1,3}){3}\/(\d|[12]\d|3[0-2])$/.test(text)) {
    return { ok: false, reason: `"${text}" is not an IPv4 CIDR block like 10.0.4.0/22` };
  }
  let address: Address4;
  try {
    address = new Address4(text);
  } catch (e) {
    return { ok: false, reason: `"${text}" is not an IPv4 CIDR block: ${(e as Error).message}` };
  }
  if (address.addressMinusSuffix !== address.correctForm()) {
    return { ok: false, reason: `"${text}" is not in canonical dotted-decimal form` };
  }
  return { ok: true, range: rangeOf(text, address) };
}

/** Parses a single address (no prefix), e.g. a DNS service IP. */
export function parseAddress(text: unknown): Address4 | undefined {
  if (typeof text !== "string" || !/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    return undefined;
  }
  try {
    const address = new Address4(text);
    return address.correctForm() === text ? address : undefined;
  } catch {
    return undefined;
  }
}

function rangeOf(text: string, address: Address4): CidrRange {
  const start = address.startAddress();
  return {
    text,
    address,
    prefixLength: address.subnetMask,
    start: start.bigInt(),
    end: address.endAddress().bigInt(),
    network: address.networkForm(),
    aligned: address.addressMinusSuffix === start.correctForm(),
  };
}

/** Parses a CIDR known to be well formed (built by this module); throws otherwise. */
export function cidr(text: string): CidrRange {
  const parsed = parseCidr(text);
  if (!parsed.ok) {
    throw new Error(parsed.reason);
  }
  return parsed.range;
}

/** The dotted-decimal address at a numeric position (a range's `start` plus an offset). */
export function addressAt(at: bigint): string {
  return Address4.fromBigInt(at).correctForm();
}

/** The block one bit wider (`10.0.0.0/8` for `10.0.0.0/9`), or undefined for `/0` and non-blocks. */
export function widerBlock(text: string): string | undefined {
  const parsed = parseCidr(text);
  if (!parsed.ok || parsed.range.prefixLength === 0) {
    return undefined;
  }
  return new Address4(
    `${parsed.range.address.addressMinusSuffix}/${parsed.range.prefixLength - 1}`,
  ).networkForm();
}

/** Whether two ranges share at least one address. */
export function overlaps(a: { start: bigint; end: bigint }, b: { start: bigint; end: bigint }): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Whether `inner` lies entirely inside `outer` (ip-address's subnet test, on the network forms). */
export function contains(outer: CidrRange, inner: CidrRange): boolean {
  return cidrContains(new Address4(outer.network), new Address4(inner.network));
}

/**
 * The first block of `prefixLength` that starts at or after `at`, or undefined when the address
 * space ends first. Uses ip-address to mask down and to step to the next network.
 */
export function alignedBlockAtOrAfter(at: bigint, prefixLength: number): CidrRange | undefined {
  const around = new Address4(`${Address4.fromBigInt(at).correctForm()}/${prefixLength}`);
  const first = cidr(around.networkForm());
  if (first.start >= at) {
    return first;
  }
  try {
    return cidr(around.nextNetwork().networkForm());
  } catch {
    return undefined;
  }
}

/**
 * The `index`-th block of `prefixLength` inside `block` (0 = the first), or undefined when it does
 * not fit. Steps with ip-address's `nextNetwork`, so no mask arithmetic here.
 */
export function nthSubnet(block: CidrRange, prefixLength: number, index: number): CidrRange | undefined {
  if (!Number.isInteger(index) || index < 0 || prefixLength < block.prefixLength || prefixLength > 32) {
    return undefined;
  }
  let current = new Address4(`${Address4.fromBigInt(block.start).correctForm()}/${prefixLength}`);
  for (let i = 0; i < index; i++) {
    try {
      current = current.nextNetwork();
    } catch {
      return undefined;
    }
  }
  const sub = cidr(current.networkForm());
  return contains(block, sub) ? sub : undefined;
}

/** Number of whole, aligned blocks of `prefixLength` in `[start, end]`. */
export function alignedBlocksBetween(start: bigint, end: bigint, prefixLength: number): bigint {
  if (start > end) {
    return 0n;
  }
  const first = alignedBlockAtOrAfter(start, prefixLength);
  if (first === undefined || first.end > end) {
    return 0n;
  }
  const size = first.end - first.start + 1n;
  return (end + 1n - first.start) / size;
}

/**
 * A set of labelled ranges that answers "does [start, end] overlap any of them?" in O(log n):
 * ranges sorted by start, with a running maximum of their ends.
 */
export class RangeIndex<T extends { readonly start: bigint; readonly end: bigint }> {
  private readonly items: readonly T[];
  /** Index of the item with the largest end among items[0..i]. */
  private readonly widest: readonly number[];

  constructor(items: Iterable<T>) {
    const sorted = [...items].sort((a, b) => compareBig(a.start, b.start) || compareBig(b.end, a.end));
    const widest: number[] = [];
    sorted.forEach((item, i) => {
      const prev = i === 0 ? undefined : widest[i - 1]!;
      widest.push(prev !== undefined && sorted[prev]!.end >= item.end ? prev : i);
    });
    this.items = sorted;
    this.widest = widest;
  }

  /** One item overlapping [start, end] (the one reaching furthest), or undefined. */
  firstOverlap(range: { readonly start: bigint; readonly end: bigint }): T | undefined {
    // Last item whose start is <= range.end.
    let lo = 0;
    let hi = this.items.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.items[mid]!.start <= range.end) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (last < 0) {
      return undefined;
    }
    const candidate = this.items[this.widest[last]!]!;
    return candidate.end >= range.start ? candidate : undefined;
  }

  get sorted(): readonly T[] {
    return this.items;
  }
}

export function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  return typeof value === "object" ? "a map" : `${typeof value} ${JSON.stringify(value)}`;
}

/** A parsed IPv4 CIDR for a construct, or why the text is not one. */
export type ParsedCidr =
  | { readonly ok: true; readonly cidr: Address4 }
  | { readonly ok: false; readonly problem: string };

/**
 * Parses `a.b.c.d/n` for a construct. The prefix length is required and the address must be the
 * network address of its prefix: Azure rejects `10.0.0.5/24` rather than rounding it down.
 */
export function parseIpv4Cidr(value: string): ParsedCidr {
  if (!value.includes("/")) {
    return { ok: false, problem: `"${value}" has no prefix length; write it as a CIDR such as 10.0.0.0/24` };
  }
  const parsed = parseCidr(value);
  if (!parsed.ok) {
    return { ok: false, problem: `"${value}" is not a valid IPv4 CIDR` };
  }
  if (!parsed.range.aligned) {
    const start = parsed.range.network.split("/")[0];
    return {
      ok: false,
      problem: `"${value}" is not a network address; the prefix /${parsed.range.prefixLength} starts at ${start}`,
    };
  }
  return { ok: true, cidr: parsed.range.address };
}

/** Parses a single IPv4 address (no prefix). */
export function parseIpv4Address(value: string): Address4 | undefined {
  return parseAddress(value);
}

/** Two CIDRs overlap when they share an address (one then contains the other). */
export function cidrsOverlap(a: Address4, b: Address4): boolean {
  return overlaps(span(a), span(b));
}

/** `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Address4, inner: Address4): boolean {
  return inner.isInSubnet(outer);
}

function span(address: Address4): { start: bigint; end: bigint } {
  return { start: address.startAddress().bigInt(), end: address.endAddress().bigInt() };
}
