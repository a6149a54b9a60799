#!/usr/bin/env node
/**
 * `npm run bundle`: the prebuilt command line of the pipeline's legs, one self-contained file
 * `dist/fleet-cli/fleet.cjs` (esbuild, every dependency inside), so plan, apply, gate and
 * init-state jobs run `node fleet.cjs plan|apply|pipeline ...` without `npm ci`. The entry is
 * bin/fleet.ts; what it reaches must never import cdktf or a provider package (the build fails
 * when it does: those are the megabytes a leg should not load).
 *
 * A bundle has no repository around it: the project root (cli/project-root.ts) is the working
 * directory, unless FLEET_PROJECT_ROOT names another.
 */
"use strict";
const { mkdirSync, rmSync, statSync } = require("node:fs");
const { join, relative, resolve } = require("node:path");

const ROOT = resolve(__dirname, "..");
const OUT_DIR = join(ROOT, "dist", "fleet-cli");
const OUT = join(OUT_DIR, "fleet.cjs");
/** Packages a leg's bundle must not contain. */
const FORBIDDEN = /node_modules\/(cdktf|@cdktf\/|constructs\/)/;

rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(OUT_DIR, { recursive: true });
const result = require("esbuild").buildSync({
  entryPoints: [join(ROOT, "bin", "fleet.ts")],
  outfile: OUT,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  legalComments: "linked",
  // ESM builds first: UMD builds (jsonc-parser, the language service) require their parts by
  // computed paths that a bundler cannot follow.
  mainFields: ["module", "main"],
  metafile: true,
  logLevel: "error",
  banner: {
    js: "globalThis.__fleetProjectRoot = process.env.FLEET_PROJECT_ROOT || process.cwd();",
  },
});
const forbidden = Object.keys(result.metafile.inputs).filter((f) => FORBIDDEN.test(f));
if (forbidden.length > 0) {
  rmSync(OUT_DIR, { recursive: true, force: true });
  process.stderr.write(
    `bundle: the leg commands import cdktf or a provider package; they must not:\n${forbidden.map((f) => `  ${f}`).join("\n")}\n`,
  );
  process.exit(1);
}
const kib = Math.round(statSync(OUT).size / 1024);
process.stdout.write(
  `bundle: wrote ${relative(ROOT, OUT)} (${kib} KiB, ${Object.keys(result.metafile.inputs).length} modules)\n`,
);
