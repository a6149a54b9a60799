/**
 * The code a synthesis runs, as a hash: part of every stack's input hash (stacks/inputs.ts), so
 * a code change never lets earlier output be reused.
 *
 * Conservatively the code is every project file reachable through relative `import`, `export
 * ... from` and `require` from the entry points that load and synthesize the fleet (the fleet
 * loader, the stack plan and every construct: `fleet/load.ts`, `stacks/synth-fleet.ts`), data
 * files imported the same way (the registry's JSON schema), and `package-lock.json` for every
 * dependency (cdktf, the providers, the YAML parser). Type-only imports count too. A file the
 * synthesis loads by another route would be missed: `__tests__/stacks/code-hash.test.ts` checks
 * the closure against the files esbuild bundles for the same entry points.
 *
 * Files are identified by git's blob id (`sha1("blob <size>\0" + bytes)`), so the code of
 * another revision can be compared through `git ls-tree` without checking it out.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

/** What a synthesis runs, relative to the project root. */
export const CODE_ENTRY_POINTS = ["fleet/load.ts", "stacks/synth-fleet.ts"] as const;
/** Pins every dependency the code loads from node_modules. */
export const DEPENDENCY_LOCK = "package-lock.json";

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** git's blob id of some bytes. */
export function gitBlobId(bytes: Buffer): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function resolveImport(fromFile: string, spec: string): string | undefined {
  const base = resolve(dirname(fromFile), spec);
  for (const candidate of [base, `${base}.ts`, join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/**
 * The project files the synthesis loads, by path relative to `root` (with `/`), each with its
 * git blob id; sorted. Throws on a relative import that names no file (the closure would be
 * incomplete).
 */
export function codeFiles(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const todo = CODE_ENTRY_POINTS.map((e) => join(root, e));
  const lock = join(root, DEPENDENCY_LOCK);
  if (existsSync(lock)) files.set(DEPENDENCY_LOCK, gitBlobId(readFileSync(lock)));
  while (todo.length > 0) {
    const file = todo.pop()!;
    const rel = relative(root, file).split(sep).join("/");
    if (files.has(rel)) continue;
    const bytes = readFileSync(file);
    files.set(rel, gitBlobId(bytes));
    if (!file.endsWith(".ts")) continue;
    for (const m of bytes.toString("utf8").matchAll(IMPORT)) {
      const target = resolveImport(file, m[1]!);
      if (target === undefined) {
        throw new Error(`${rel} imports "${m[1]}", which names no file: the code hash would miss it`);
      }
      todo.push(target);
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** One hash over the files the synthesis loads (names and blob ids). */
export function hashCodeFiles(files: ReadonlyMap<string, string>): string {
  const h = createHash("sha256");
  for (const [path, blob] of files) h.update(`${path}\0${blob}\n`);
  return h.digest("hex");
}

const byRoot = new Map<string, string>();

/** The code hash of the project at `root`, computed once per process. */
export function codeHash(root: string): string {
  let hash = byRoot.get(root);
  if (hash === undefined) {
    hash = hashCodeFiles(codeFiles(root));
    byRoot.set(root, hash);
  }
  return hash;
}
