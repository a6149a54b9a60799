#!/usr/bin/env node
/**
 * `npm run bundle`: the prebuilt command line of the pipeline's legs, one self-contained file
 * `dist/fleet-cli/fleet.cjs` (esbuild, every dependency inside), so plan, apply, gate and
 * init-state jobs run `node fleet.cjs plan|apply|pipeline ...` without `npm ci`. The entry is
 * bin/fleet.ts; what it reaches must never import cdktf or a provider package (the build fails
 * when it does: those are the megabytes a leg should not load).
 *
 * A bundle has no repository around it: the project root (cli/shared/project-root.ts) is the working
 * directory, unless FLEET_PROJECT_ROOT names another.
 */
"use strict";
const { mkdirSync, rmSync, statSync } = require("node:fs");
const { join, relative, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
/** Packages a leg's bundle must not contain. */
const FORBIDDEN = /node_modules\/(cdktf|@cdktf\/|constructs\/)/;

/**
 * Writes `<outDir>/fleet.cjs`; returns its path and the modules inside. Throws (and writes
 * nothing) when a leg command reaches cdktf or a provider package.
 */
function bundleFleetCli(outDir = join(ROOT, "dist", "fleet-cli")) {
  const out = join(outDir, "fleet.cjs");
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = require("esbuild").buildSync({
    entryPoints: [join(ROOT, "bin", "fleet.ts")],
    outfile: out,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    legalComments: "none",
    // ESM builds first: UMD builds (jsonc-parser, the language service) require their parts by
    // computed paths that a bundler cannot follow.
    mainFields: ["module", "main"],
    metafile: true,
    logLevel: "error",
    banner: {
      js: "globalThis.__fleetProjectRoot = process.env.FLEET_PROJECT_ROOT || process.cwd();",
    },
  });
  const modules = Object.keys(result.metafile.inputs);
  const forbidden = modules.filter((f) => FORBIDDEN.test(f));
  if (forbidden.length > 0) {
    rmSync(outDir, { recursive: true, force: true });
    throw new Error(
      `the leg commands import cdktf or a provider package; they must not:\n${forbidden.map((f) => `  ${f}`).join("\n")}`,
    );
  }
  return { file: out, modules };
}

module.exports = { bundleFleetCli };

if (require.main === module) {
  try {
    const { file, modules } = bundleFleetCli();
    const kib = Math.round(statSync(file).size / 1024);
    process.stdout.write(`bundle: wrote ${relative(ROOT, file)} (${kib} KiB, ${modules.length} modules)\n`);
  } catch (e) {
    process.stderr.write(`bundle: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}
