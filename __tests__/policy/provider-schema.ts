/**
 * The attribute schema of a Terraform resource type, read from the prebuilt cdktf provider
 * bindings in node_modules (@cdktf/provider-azurerm 14.23.1 binds azurerm 4.55.0). Every config
 * field there carries its registry anchor (`...#min_tls_version`), which is the snake_case
 * attribute name; nested blocks are typed by interfaces in the same files.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const NODE_MODULES = join(__dirname, "..", "..", "node_modules", "@cdktf");

const PROVIDER_PACKAGES: Readonly<Record<string, string>> = {
  azurerm: "provider-azurerm",
  kubernetes: "provider-kubernetes",
  helm: "provider-helm",
};

interface Field {
  readonly attribute: string;
  /** Interface names the field's type mentions (nested blocks). */
  readonly types: readonly string[];
  /** A map attribute (`{ [key: string]: ... }`): what follows it in a path is data. */
  readonly isMap: boolean;
}

export interface ResourceSchema {
  readonly type: string;
  readonly config: string;
  readonly interfaces: ReadonlyMap<string, readonly Field[]>;
}

/** Terraform meta-arguments every resource accepts, with lifecycle's own keys. */
const META = new Set([
  "lifecycle",
  "provider",
  "count",
  "for_each",
  "depends_on",
  "provisioner",
  "connection",
]);
const LIFECYCLE = new Set([
  "create_before_destroy",
  "prevent_destroy",
  "ignore_changes",
  "replace_triggered_by",
  "precondition",
  "postcondition",
]);

function dtsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...dtsFiles(path));
    else if (name.endsWith(".d.ts")) out.push(path);
  }
  return out;
}

const cache = new Map<string, ResourceSchema | undefined>();

/** The schema of a resource type, or undefined when the bindings have no such resource. */
export function resourceSchema(type: string): ResourceSchema | undefined {
  if (cache.has(type)) return cache.get(type);
  const provider = type.slice(0, type.indexOf("_"));
  const pkg = PROVIDER_PACKAGES[provider];
  const dir = pkg
    ? join(NODE_MODULES, pkg, "lib", type.slice(provider.length + 1).replace(/_/g, "-"))
    : undefined;
  if (!dir || !existsSync(dir)) {
    cache.set(type, undefined);
    return undefined;
  }
  const interfaces = new Map<string, Field[]>();
  let config: string | undefined;
  for (const file of dtsFiles(dir)) {
    const text = readFileSync(file, "utf8");
    const blocks = text.split(/^export interface /m).slice(1);
    for (const block of blocks) {
      const header = /^(\w+)(\s+extends\s+cdktf\.TerraformMetaArguments)?/.exec(block);
      if (!header?.[1]) continue;
      const name = header[1];
      if (header[2]) config = name;
      const body = block.slice(0, block.indexOf("\n}"));
      const fields: Field[] = [];
      const fieldPattern = /#([a-z0-9_]+) [A-Za-z0-9]+#[a-z0-9_]+\}[\s\S]*?\*\/\s*readonly \w+\??: ([^;]+);/g;
      for (const m of body.matchAll(fieldPattern)) {
        const types = [...(m[2] ?? "").matchAll(/\b([A-Z]\w+)\b/g)].map((t) => t[1] ?? "");
        fields.push({ attribute: m[1] ?? "", types, isMap: (m[2] ?? "").includes("[key: string]") });
      }
      interfaces.set(name, fields);
    }
  }
  const schema = config ? { type, config, interfaces } : undefined;
  cache.set(type, schema);
  return schema;
}

/**
 * Whether a dotted attribute path (`network_rules.default_action`) exists for the type. A map
 * attribute ends the walk: its keys are data, not schema.
 */
export function hasAttributePath(type: string, path: string): boolean {
  const schema = resourceSchema(type);
  if (!schema) return false;
  const parts = path.split(".");
  if (META.has(parts[0] ?? "")) {
    return (
      parts[0] !== "lifecycle" || parts.length === 1 || (parts.length === 2 && LIFECYCLE.has(parts[1] ?? ""))
    );
  }
  let current: readonly string[] = [schema.config];
  for (const [i, part] of parts.entries()) {
    const field = current
      .flatMap((name) => schema.interfaces.get(name) ?? [])
      .find((f) => f.attribute === part);
    if (!field) return false;
    if (field.isMap) return true;
    current = field.types.filter((t) => schema.interfaces.has(t));
    if (current.length === 0) return i === parts.length - 1;
  }
  return true;
}
