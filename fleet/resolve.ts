/**
 * Layered settings with provenance: the resolved value of every field, and for any field the
 * layer (and so the line in fleet.yaml) it came from, so a problem found after merging still
 * points at the line that caused it.
 */
import type { PathSegment } from "./source";

export interface Layer {
  /** Where this layer sits in fleet.yaml, e.g. ["orgs", "skd", "environments", "production"]. */
  readonly path: readonly PathSegment[];
  readonly value: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Deep merge: objects merge key by key, everything else (arrays included) is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    out[k] = deepMerge(base[k], v);
  }
  return out;
}

export function mergeLayers(layers: readonly Layer[]): unknown {
  return layers.reduce<unknown>((acc, layer) => deepMerge(acc, layer.value), undefined);
}

/** The fleet.yaml path of the layer that set `field` last (the one that decides its value). */
export function originOf(layers: readonly Layer[], field: readonly PathSegment[]): PathSegment[] {
  const i = originIndex(layers, field);
  return [...(layers[i]?.path ?? []), ...field];
}

/**
 * Where a contradiction between fields comes from: the most specific layer that set any of them
 * (an org override that lowers maxCount below the class's minCount is the org's mistake).
 */
export function originOfAny(
  layers: readonly Layer[],
  fields: readonly (readonly PathSegment[])[],
): PathSegment[] {
  let best = -1;
  let bestField = fields[0] ?? [];
  for (const f of fields) {
    const i = originIndex(layers, f);
    if (i > best) {
      best = i;
      bestField = f;
    }
  }
  return [...(layers[Math.max(best, 0)]?.path ?? []), ...bestField];
}

function originIndex(layers: readonly Layer[], field: readonly PathSegment[]): number {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    let v: unknown = layer.value;
    let found = true;
    for (const seg of field) {
      if (!isPlainObject(v) || !(String(seg) in v)) {
        found = false;
        break;
      }
      v = v[String(seg)];
    }
    if (found) return i;
  }
  return 0;
}
