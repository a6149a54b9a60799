/**
 * Normalized Terraform JSON: what a stack means, without what cdktf writes beside it.
 *
 * - `"//"` keys are dropped at every depth. Terraform's JSON syntax treats them as comments;
 *   cdktf puts its metadata there (construct paths, unique ids, its version, the stack name).
 * - The absolute path of the tree the stack was synthesized in, when known, is replaced by
 *   `<tree>`, so a base synthesized in a temporary worktree compares equal to the same code in
 *   the checkout (a local backend or asset path may hold it).
 * - Keys are sorted, so two normalized values are equal exactly when their canonical strings are.
 *
 * Array order is kept: in Terraform JSON it is meaningful (lists, ordered blocks).
 */
import { readFileSync } from "node:fs";
import { isJsonObject, type Json, type JsonObject, parseJson } from "./json";

export const TREE_PLACEHOLDER = "<tree>";

export interface NormalizeOptions {
  /** Absolute path of the tree synthesized from (the project root); replaced by `<tree>` in strings. */
  readonly treeRoot?: string;
}

export function normalizeTerraformJson(value: Json, options: NormalizeOptions = {}): Json {
  const mask = rootMask(options.treeRoot);
  const walk = (v: Json): Json => {
    if (typeof v === "string") return mask ? mask(v) : v;
    if (Array.isArray(v)) return v.map(walk);
    if (isJsonObject(v)) {
      const out: JsonObject = {};
      for (const key of Object.keys(v).sort()) {
        if (key === "//") continue;
        out[key] = walk(v[key]!);
      }
      return out;
    }
    return v;
  };
  return walk(value);
}

/**
 * Replaces the tree path where it stands as a whole path or a path prefix (followed by `/`,
 * a quote, whitespace or the end), never inside a longer name. The filesystem root is never
 * masked.
 */
function rootMask(treeRoot: string | undefined): ((text: string) => string) | undefined {
  const root = treeRoot?.replace(/\/+$/, "");
  if (root === undefined || root === "") return undefined;
  const escaped = root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?<![\\w./-])${escaped}(?=$|[/"'\\s])`, "g");
  return (text) => (text.includes(root) ? text.replace(pattern, TREE_PLACEHOLDER) : text);
}

/** Reads and normalizes one synthesized stack file. */
export function readNormalizedStack(file: string, options: NormalizeOptions = {}): Json {
  return normalizeTerraformJson(parseJson(readFileSync(file, "utf8"), file), options);
}
