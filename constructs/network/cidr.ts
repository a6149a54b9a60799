/**
 * IPv4 CIDR checks shared by the constructs that take address ranges (network, cluster, storage
 * and Key Vault firewalls). Parsing uses the `ip-address` library, never hand-written bit maths.
 */
import { Address4 } from "ip-address";

/** A parsed IPv4 CIDR, or why the text is not one. */
export type ParsedCidr =
  | { readonly ok: true; readonly cidr: Address4 }
  | { readonly ok: false; readonly problem: string };

/**
 * Parses `a.b.c.d/n`. The prefix length is required and the address must be the network address
 * of its prefix: Azure rejects `10.0.0.5/24` rather than rounding it down.
 */
export function parseIpv4Cidr(value: string): ParsedCidr {
  if (!value.includes("/")) {
    return { ok: false, problem: `"${value}" has no prefix length; write it as a CIDR such as 10.0.0.0/24` };
  }
  let cidr: Address4;
  try {
    cidr = new Address4(value);
  } catch {
    return { ok: false, problem: `"${value}" is not a valid IPv4 CIDR` };
  }
  const network = cidr.startAddress().correctForm();
  if (network !== cidr.correctForm()) {
    return {
      ok: false,
      problem: `"${value}" is not a network address; the prefix /${cidr.subnetMask} starts at ${network}`,
    };
  }
  return { ok: true, cidr };
}

/** Parses a single IPv4 address (no prefix). */
export function parseIpv4Address(value: string): Address4 | undefined {
  if (value.includes("/") || !Address4.isValid(value)) {
    return undefined;
  }
  return new Address4(value);
}

/** Two CIDRs overlap exactly when one contains the other. */
export function cidrsOverlap(a: Address4, b: Address4): boolean {
  return a.isInSubnet(b) || b.isInSubnet(a);
}

/** `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Address4, inner: Address4): boolean {
  return inner.isInSubnet(outer);
}
