/**
 * Building blocks for rules, so each rule reads like the check it was taken from: an attribute,
 * the compliant values, and what the provider does when the attribute is left unset.
 */
import { isReference, type ResourceView, UNKNOWN, type Unknown } from "./attributes";
import type { Verdict } from "./rule";

/** What an unset attribute means for the rule; follows the azurerm 4.x default of the attribute. */
export type WhenUnset = "pass" | "fail" | "n/a";

export const PASS: Verdict = "pass";
export const NOT_APPLICABLE: Verdict = "n/a";
export const UNKNOWN_VERDICT: Verdict = "unknown";

/** A violation with one or more concrete details. */
export function fail(...details: string[]): Verdict {
  return details.length > 0 ? details : ["non-compliant"];
}

/** Renders a value for a finding: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (value === UNKNOWN) return "(known after apply)";
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value);
}

function unsetVerdict(path: string, whenUnset: WhenUnset, unsetNote?: string): Verdict {
  if (whenUnset === "pass") return PASS;
  if (whenUnset === "n/a") return NOT_APPLICABLE;
  return fail(`${path} is not set${unsetNote ? ` (${unsetNote})` : ""}`);
}

export interface ExpectOptions {
  readonly whenUnset: WhenUnset;
  /** Said when an unset attribute fails, e.g. "the azurerm default is true". */
  readonly unsetNote?: string;
}

/** The boolean at `path` must equal `expected`. */
export function expectBool(
  r: ResourceView,
  path: string,
  expected: boolean,
  options: ExpectOptions,
): Verdict {
  const value = r.bool(path);
  if (value === UNKNOWN) return UNKNOWN_VERDICT;
  if (value === undefined) return unsetVerdict(path, options.whenUnset, options.unsetNote);
  return value === expected ? PASS : fail(`${path} is ${value}`);
}

/** The string at `path` must be one of `allowed` (compared case-insensitively). */
export function expectOneOf(
  r: ResourceView,
  path: string,
  allowed: readonly string[],
  options: ExpectOptions,
): Verdict {
  const value = r.str(path);
  if (value === UNKNOWN) return UNKNOWN_VERDICT;
  if (value === undefined || value === "") {
    return unsetVerdict(path, options.whenUnset, options.unsetNote);
  }
  const ok = allowed.some((a) => a.toLowerCase() === value.toLowerCase());
  return ok ? PASS : fail(`${path} is ${show(value)}; allowed: ${allowed.join(", ")}`);
}

/** The number at `path` must be at least `min`. */
export function expectAtLeast(r: ResourceView, path: string, min: number, options: ExpectOptions): Verdict {
  const value = r.num(path);
  if (value === UNKNOWN) return UNKNOWN_VERDICT;
  if (value === undefined) return unsetVerdict(path, options.whenUnset, options.unsetNote);
  return value >= min ? PASS : fail(`${path} is ${value}; at least ${min} is required`);
}

/**
 * The attribute or block at `path` must be present. A reference counts as present: it names a
 * value that will be there (a workspace id, a certificate in Key Vault).
 */
export function expectPresent(r: ResourceView, path: string, note?: string): Verdict {
  const value = r.get(path);
  if (value === UNKNOWN) return PASS;
  const empty =
    value === undefined ||
    value === null ||
    value === "" ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === "object" && value !== null && Object.keys(value).length === 0 && !Array.isArray(value));
  return empty ? fail(`${path} is not set${note ? ` (${note})` : ""}`) : PASS;
}

/**
 * Every verdict must hold: violations are collected from all of them; otherwise unknown wins
 * over pass; all n/a is n/a.
 */
export function allOf(...verdicts: readonly Verdict[]): Verdict {
  const failures = verdicts.flatMap((v) => (Array.isArray(v) ? (v as readonly string[]) : []));
  if (failures.length > 0) return failures;
  if (verdicts.some((v) => v === "unknown")) return UNKNOWN_VERDICT;
  if (verdicts.length > 0 && verdicts.every((v) => v === "n/a")) return NOT_APPLICABLE;
  return PASS;
}

/**
 * One of the verdicts must hold (e.g. "private, or restricted by a firewall"): any pass passes;
 * otherwise unknown wins; otherwise the violation lists every alternative's details.
 */
export function anyOf(...verdicts: readonly Verdict[]): Verdict {
  if (verdicts.some((v) => v === "pass" || (Array.isArray(v) && v.length === 0))) return PASS;
  if (verdicts.some((v) => v === "unknown")) return UNKNOWN_VERDICT;
  const failures = verdicts.flatMap((v) => (Array.isArray(v) ? (v as readonly string[]) : []));
  if (failures.length > 0) return [failures.join(", and ")];
  return NOT_APPLICABLE;
}

/** Applies a check to every block at `path`; n/a when there are none. */
export function eachBlock(
  r: ResourceView,
  path: string,
  check: (block: ResourceView, index: number) => Verdict,
): Verdict {
  const blocks = r.blocks(path);
  if (blocks === UNKNOWN) return UNKNOWN_VERDICT;
  if (blocks.length === 0) return NOT_APPLICABLE;
  return allOf(...blocks.map((b, i) => prefixDetails(check(b, i), blocks.length > 1 ? `${path}[${i}]` : "")));
}

/** Prefixes every violation detail with a location, e.g. `container "app": ...`. */
export function prefixDetails(verdict: Verdict, where: string): Verdict {
  if (!Array.isArray(verdict) || where === "") return verdict;
  return (verdict as readonly string[]).map((d) => `${where}: ${d}`);
}

/** The literal strings of a list attribute, without references; UNKNOWN when the list is one. */
export function literalStrings(r: ResourceView, path: string): readonly string[] | undefined | Unknown {
  const list = r.list(path);
  if (list === UNKNOWN || list === undefined) return list;
  return list.filter((v): v is string => typeof v === "string" && !isReference(v));
}

/** True when a list attribute holds at least one reference element. */
export function hasReferenceElement(r: ResourceView, path: string): boolean {
  const list = r.list(path);
  return list !== UNKNOWN && list !== undefined && list.some((v) => isReference(v));
}
