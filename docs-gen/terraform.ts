/**
 * Reading synthesized Terraform JSON: the parts of `cdk.tf.json` the docs look at, and the
 * references (`${azurerm_subnet.x.id}`, `${data.azurerm_public_ip.y.ip_address}`) between blocks.
 */

/** A JSON value as it appears in synthesized output. */
export type Json = string | number | boolean | null | readonly Json[] | { readonly [key: string]: Json };

export type JsonObject = { readonly [key: string]: Json };

/** One block: a resource's or data source's attributes (with cdktf's `//` metadata). */
export type Block = JsonObject;

/** The parts of a synthesized `cdk.tf.json` the docs read. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Block>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Block>>>>;
  readonly provider?: Readonly<Record<string, readonly Block[]>>;
  readonly [key: string]: unknown;
}

/** `cdktf.out/manifest.json`, the parts the docs read. */
export interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly dependencies?: readonly string[] }>>;
}

export type BlockMode = "resource" | "data";

/** A Terraform address: `azurerm_subnet.x` or `data.azurerm_public_ip.y`. */
export interface Address {
  readonly mode: BlockMode;
  readonly type: string;
  readonly name: string;
}

export function addressKey(a: Address): string {
  return a.mode === "data" ? `data.${a.type}.${a.name}` : `${a.type}.${a.name}`;
}

/** A reference found in an attribute value. */
export interface Reference {
  readonly target: Address;
  /** What is read from the target, e.g. `id`, `kubelet_identity[0].object_id`; empty if nothing. */
  readonly attribute: string;
}

/** Prefixes of expressions that are not block references. */
const NOT_BLOCKS = new Set(["var", "local", "module", "path", "each", "count", "self", "terraform"]);

/**
 * Every block reference inside the `${...}` interpolations of one string, in order of appearance.
 * Function calls and operators around them are skipped: `${base64decode(data.a.b.c[0].d)}` reads
 * `data.a.b` attribute `c[0].d`.
 */
export function parseReferences(value: string): Reference[] {
  const out: Reference[] = [];
  for (const expr of interpolations(value)) {
    const re =
      /(?<![\w.-])(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z_][A-Za-z0-9_-]*|\[\d+\]|\["[^"]*"\])*)/g;
    for (const m of expr.matchAll(re)) {
      const [, data, type, name, rest] = m;
      if (!data && NOT_BLOCKS.has(type!)) continue;
      out.push({
        target: { mode: data ? "data" : "resource", type: type!, name: name! },
        attribute: (rest ?? "").replace(/^\./, ""),
      });
    }
  }
  return out;
}

/** The contents of each `${...}` in a string, allowing nested braces; `$${` is an escape. */
function interpolations(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf("${", i);
    if (start < 0) break;
    if (start > 0 && value[start - 1] === "$") {
      i = start + 2;
      continue;
    }
    let depth = 1;
    let j = start + 2;
    while (j < value.length && depth > 0) {
      if (value[j] === "{") depth++;
      else if (value[j] === "}") depth--;
      j++;
    }
    out.push(value.slice(start + 2, depth === 0 ? j - 1 : j));
    i = j;
  }
  return out;
}

/** A reference together with where it was found, e.g. `default_node_pool.vnet_subnet_id`. */
export interface AttributeReference extends Reference {
  readonly path: string;
}

/** Every reference in a block's attributes (the `//` metadata excluded), in attribute order. */
export function blockReferences(block: Json, path = ""): AttributeReference[] {
  if (typeof block === "string") return parseReferences(block).map((r) => ({ ...r, path }));
  if (Array.isArray(block)) {
    return (block as readonly Json[]).flatMap((v, i) => blockReferences(v, `${path}[${i}]`));
  }
  if (block !== null && typeof block === "object") {
    return Object.keys(block)
      .filter((k) => k !== "//")
      .sort()
      .flatMap((k) => {
        const value = (block as JsonObject)[k]!;
        const at = path ? `${path}.${k}` : k;
        return k === "depends_on" && path === "" ? dependsOn(value, at) : blockReferences(value, at);
      });
  }
  return [];
}

/** `depends_on` lists bare addresses (`azurerm_subnet.x`), without `${...}`. */
function dependsOn(value: Json, path: string): AttributeReference[] {
  if (!Array.isArray(value)) return [];
  return (value as readonly Json[]).flatMap((v, i) => {
    if (typeof v !== "string") return [];
    const bare = v.replace(/^\$\{(.*)\}$/, "$1");
    const m = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)$/.exec(bare);
    if (!m) return [];
    const target: Address = { mode: m[1] ? "data" : "resource", type: m[2]!, name: m[3]! };
    return [{ target, attribute: "", path: `${path}[${i}]` }];
  });
}

/**
 * The attribute that names a reference: the last key of its path
 * (`network_acls.virtual_network_subnet_ids[0]` → `virtual_network_subnet_ids`), or the block
 * it sits in when the last key only says `name` or `id` (`role_ref.name` → `role_ref`).
 */
export function leafKey(path: string): string {
  const parts = path.replace(/\[\d+\]/g, "").split(".");
  const last = parts[parts.length - 1] ?? path;
  const parent = parts[parts.length - 2];
  return parent && (last === "name" || last === "id") ? parent : last;
}

/** A string attribute, if the block has one at this path (`metadata.name`, `metadata[0].name`). */
export function stringAt(block: Json | undefined, path: string): string | undefined {
  let cur: Json | undefined = block;
  for (const key of path.split(".")) {
    if (Array.isArray(cur)) cur = (cur as readonly Json[])[0];
    if (cur === null || typeof cur !== "object" || Array.isArray(cur)) return undefined;
    cur = (cur as JsonObject)[key];
  }
  if (Array.isArray(cur)) cur = (cur as readonly Json[])[0];
  return typeof cur === "string" ? cur : undefined;
}

/** True if a string is exactly one interpolation (`"${a.b.c}"`), i.e. not a literal. */
export function isPureReference(value: string): boolean {
  return /^\$\{[^}]*\}$/.test(value);
}

/** Every block in a stack, resources first, then data sources, each sorted by type and name. */
export function blocksOf(stack: StackJson): { address: Address; block: Block }[] {
  const out: { address: Address; block: Block }[] = [];
  for (const mode of ["resource", "data"] as const) {
    const byType = stack[mode] ?? {};
    for (const type of Object.keys(byType).sort()) {
      const byName = byType[type] ?? {};
      for (const name of Object.keys(byName).sort()) {
        out.push({ address: { mode, type, name }, block: byName[name]! });
      }
    }
  }
  return out;
}

/** Number of resources and of data sources in a stack. */
export function countBlocks(stack: StackJson): { resources: number; dataSources: number } {
  const count = (m: StackJson["resource"]) =>
    Object.values(m ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
  return { resources: count(stack.resource), dataSources: count(stack.data) };
}
