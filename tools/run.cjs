#!/usr/bin/env node
/**
 * Runs one of the project's TypeScript entry points (`node tools/run.cjs bin/synth.ts ...`) from
 * a bundle cached under node_modules/.cache/fleet-run/, rebuilt whenever a project source file
 * changes. Transpiling about a hundred modules at every start (tsx) cost more than half a second;
 * a cached bundle starts in a fraction of that, which is what makes `--stacks` selections quick.
 * Dependencies stay external (loaded from node_modules as usual); esbuild is the bundler tsx uses.
 *
 * Several checkouts may share one node_modules (the base worktree `affected` and `diff` create
 * links to it), so the cache is safe for concurrent use: a bundle's name carries the checkout
 * (a hash of its path) as well as the hash of its sources, so checkouts never replace or clean
 * up each other's bundles; a bundle is written under a private temporary name in the same
 * directory and renamed into place (atomic), so no process ever reads a half-written bundle;
 * and a bundle removed between the check and the load is simply built again.
 */
"use strict";
const { createHash, randomBytes } = require("node:crypto");
const { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } = require("node:fs");
const { basename, join, relative, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
/** Folders whose TypeScript is bundled; data (environments/, examples/) is read at run time. */
const SOURCE_DIRS = ["bin", "cli", "constructs", "docs-gen", "fleet", "safety", "stacks"];

function sourceFiles() {
  const out = [join(ROOT, "main.ts"), join(ROOT, "package-lock.json")];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (/\.(ts|json)$/.test(entry.name)) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return out.sort();
}

function cacheKey(entry) {
  const h = createHash("sha256").update(entry).update(require("esbuild/package.json").version);
  for (const f of sourceFiles()) {
    const s = statSync(f);
    h.update(`${relative(ROOT, f)}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return h.digest("hex").slice(0, 16);
}

/** The cache directory and the bundle file names of one entry of this checkout. */
function bundlePaths(entry) {
  const dir = join(ROOT, "node_modules", ".cache", "fleet-run");
  const checkout = createHash("sha256").update(ROOT).digest("hex").slice(0, 8);
  const name = `${relative(ROOT, entry).replace(/[\\/]/g, "__").replace(/\.ts$/, "")}-${checkout}`;
  return { dir, name, out: join(dir, `${name}-${cacheKey(entry)}.cjs`) };
}

function bundle(entry, rebuild = false) {
  const { dir, name, out } = bundlePaths(entry);
  if (!rebuild && existsSync(out)) return out;
  mkdirSync(dir, { recursive: true });
  // Built in a private directory under its final name (the map link names the file), then moved.
  const tmpDir = join(dir, `.build-${process.pid}-${randomBytes(4).toString("hex")}`);
  const tmp = join(tmpDir, basename(out));
  require("esbuild").buildSync({
    entryPoints: [entry],
    outfile: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    sourcemap: "linked",
    logLevel: "error",
  });
  renameSync(`${tmp}.map`, `${out}.map`);
  renameSync(tmp, out);
  rmSync(tmpDir, { recursive: true, force: true });
  // Older bundles of the same entry of this checkout are stale (other checkouts' are left alone).
  for (const f of readdirSync(dir)) {
    const mine = f === basename(out) || f === `${basename(out)}.map`;
    if (f.startsWith(`${name}-`) && !mine) rmSync(join(dir, f), { force: true });
  }
  return out;
}

/** Loads the entry's bundle (which may sit in another checkout's node_modules: it is told its own root); one removed after the check (a concurrent rebuild) is built again. */
function load(entry) {
  globalThis.__fleetProjectRoot = ROOT;
  const out = bundle(entry);
  try {
    require(out);
  } catch (e) {
    const gone = e && e.code === "MODULE_NOT_FOUND" && !existsSync(out);
    if (!gone) throw e;
    require(bundle(entry, true));
  }
}

const [entryArg, ...args] = process.argv.slice(2);
if (!entryArg) {
  process.stderr.write("usage: node tools/run.cjs <entry.ts> [args...]\n");
  process.exit(2);
}
const entry = resolve(ROOT, entryArg);
// The entry sees its own arguments in process.argv, as under `node entry.js args`.
process.argv = [process.argv[0], entry, ...args];
// Source maps cost ~90 ms at every start; FLEET_SOURCE_MAPS=1 turns them on for debugging.
if (process.env.FLEET_SOURCE_MAPS === "1") process.setSourceMapsEnabled(true);
load(entry);
