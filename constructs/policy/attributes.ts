/**
 * Read access to one resource's synthesized attributes, the way a Checkov or trivy check reads
 * them: snake_case paths (`network_rules.default_action`), nested blocks whether cdktf wrote them
 * as an object (single blocks) or as a list, and unresolved references (`${...}`) reported as
 * UNKNOWN instead of being mistaken for values.
 *
 * Every path a rule reads is reported to an optional recorder: the rule tests use it to prove that
 * each attribute a rule reads exists in the azurerm 4.x schema the provider bindings were built
 * from, so a misspelt attribute cannot silently turn a rule into a no-op.
 */

/** A value that depends on a reference resolved only at apply time. */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export type PathRecorder = (path: string) => void;

/** True for a string that contains a Terraform interpolation (`${...}`). */
export function isReference(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A block written as a Terraform `dynamic` block (`"dynamic": { "<name>": {...} }`): its content is unknown. */
function isDynamic(parent: Record<string, unknown>, key: string): boolean {
  const dynamic = parent.dynamic;
  return isRecord(dynamic) && key in dynamic;
}

export class ResourceView {
  constructor(
    /** Terraform type of the resource. */
    readonly type: string,
    private readonly attrs: Readonly<Record<string, unknown>>,
    private readonly prefix = "",
    private readonly recorder?: PathRecorder,
  ) {}

  /**
   * The value at a dotted path of attribute and block names: `undefined` when absent, UNKNOWN
   * when the value or a block on the way is a reference. A single block is followed whether it
   * was written as an object or as a one-element list; a list of several blocks is returned as
   * is (use {@link blocks} for those).
   */
  get(path: string): unknown {
    this.recorder?.(this.prefix + path);
    let current: unknown = this.attrs;
    for (const key of path.split(".")) {
      if (isReference(current)) return UNKNOWN;
      if (Array.isArray(current) && current.length === 1) current = current[0];
      if (isReference(current)) return UNKNOWN;
      if (!isRecord(current)) return undefined;
      if (current[key] === undefined && isDynamic(current, key)) return UNKNOWN;
      current = current[key];
    }
    if (isReference(current)) return UNKNOWN;
    return current;
  }

  /**
   * The reference expression at `path` when the value is one (`${data.azurerm_subscription.x.id}`),
   * for rules that judge what a reference points at; undefined otherwise.
   */
  reference(path: string): string | undefined {
    this.recorder?.(this.prefix + path);
    let current: unknown = this.attrs;
    for (const key of path.split(".")) {
      if (Array.isArray(current) && current.length === 1) current = current[0];
      if (!isRecord(current)) return undefined;
      current = current[key];
    }
    return isReference(current) ? current : undefined;
  }

  /** True when the attribute or block is present (set to anything but null). */
  has(path: string): boolean {
    const value = this.get(path);
    return value !== undefined && value !== null;
  }

  /**
   * A boolean attribute: `true`/`false` (Terraform also accepts the strings), `undefined` when
   * unset, UNKNOWN for a reference.
   */
  bool(path: string): boolean | undefined | Unknown {
    const value = this.get(path);
    if (value === UNKNOWN) return UNKNOWN;
    if (value === true || value === "true") return true;
    if (value === false || value === "false") return false;
    return undefined;
  }

  /** A string (numbers are converted), `undefined` when unset, UNKNOWN for a reference. */
  str(path: string): string | undefined | Unknown {
    const value = this.get(path);
    if (value === UNKNOWN) return UNKNOWN;
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    return undefined;
  }

  /** A number (numeric strings are converted), `undefined` when unset, UNKNOWN for a reference. */
  num(path: string): number | undefined | Unknown {
    const value = this.get(path);
    if (value === UNKNOWN) return UNKNOWN;
    if (typeof value === "number") return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
      return Number(value);
    }
    return undefined;
  }

  /**
   * A list attribute; elements stay as written (an element may itself be a reference). A lone
   * scalar becomes a one-element list. UNKNOWN when the whole list is a reference.
   */
  list(path: string): readonly unknown[] | undefined | Unknown {
    const value = this.getRaw(path);
    if (value === UNKNOWN) return UNKNOWN;
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value : [value];
  }

  /**
   * The blocks at a path (a list block such as `container`, or a single block), each as a view
   * whose paths continue from there. `[]` when absent, UNKNOWN when the blocks are a reference
   * (a dynamic block).
   */
  blocks(path: string): readonly ResourceView[] | Unknown {
    const value = this.getRaw(path);
    if (value === UNKNOWN) return UNKNOWN;
    if (value === undefined || value === null) return [];
    const items = Array.isArray(value) ? value : [value];
    if (items.some((item) => isReference(item))) return UNKNOWN;
    return items
      .filter(isRecord)
      .map((item) => new ResourceView(this.type, item, `${this.prefix}${path}.`, this.recorder));
  }

  /** Like get, but a list at the end of the path is returned whole (not unwrapped). */
  private getRaw(path: string): unknown {
    this.recorder?.(this.prefix + path);
    const keys = path.split(".");
    let current: unknown = this.attrs;
    for (const key of keys) {
      if (isReference(current)) return UNKNOWN;
      if (Array.isArray(current) && current.length === 1) current = current[0];
      if (isReference(current)) return UNKNOWN;
      if (!isRecord(current)) return undefined;
      if (current[key] === undefined && isDynamic(current, key)) return UNKNOWN;
      current = current[key];
    }
    if (isReference(current)) return UNKNOWN;
    return current;
  }
}
