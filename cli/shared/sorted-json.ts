/**
 * JSON with its object keys sorted at every level (code-unit order, so the same on every machine),
 * for files that must come out byte-identical for the same content (`manifest.json`,
 * `stacks.json`) and for comparing values whatever order their keys were written in. Array order
 * is kept: in Terraform JSON and in the manifest it is meaningful.
 */

/** Code-unit string order: locale independent, so output is the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A copy of the value with the keys of every object sorted. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortKeys) as T;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(record)
        .sort(compareText)
        .map((k) => [k, sortKeys(record[k])]),
    ) as T;
  }
  return value;
}

/** Sorted keys, two-space indent, as cdktf writes its manifest: for files. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}

/** Sorted keys, no whitespace: equal strings mean equal values. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}
