/** Reading parsed JSON or YAML whose shape is not yet known to be right. */

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

export function objectAt(v: unknown, key: string): Record<string, unknown> | undefined {
  const inner = isObject(v) ? v[key] : undefined;
  return isObject(inner) ? inner : undefined;
}

export function arrayAt(v: unknown, key: string): unknown[] | undefined {
  const inner = isObject(v) ? v[key] : undefined;
  return Array.isArray(inner) ? inner : undefined;
}
