/**
 * `npm run docs [-- --check] [--from <cdktf.out>] [--docs <dir>]`
 *
 * Synthesizes the fleet in-process into a temporary directory (or reads `--from`), then writes
 * docs/architecture/ (diagrams as Mermaid and SVG, and their index) and docs/fleet.md.
 * `--check` writes nothing and exits 1 if the committed docs differ from what would be written.
 */
import { rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Command } from "commander";
import { parse as parseArgs } from "../cli/shared/command";
import { fleetDirFromEnv, loadFleet } from "../fleet/load";
import { formatProblem } from "../fleet/problems";
import { generateDocs } from "./generate";
import {
  compareDocs,
  exampleInputs,
  REGENERATE_HINT,
  readSynthOutput,
  synthFleetToTemp,
  writeDocs,
} from "./io";
import { svgRenderer } from "./svg";

export async function runDocs(argv: readonly string[]): Promise<number> {
  const program = new Command()
    .name("npm run docs --")
    .description("Generate docs/architecture/ and docs/fleet.md from the synthesized fleet")
    .option("--docs <dir>", "the docs directory", "docs")
    .option("--from <dir>", "read this synthesized output (cdktf.out) instead of synthesizing afresh")
    .option("--check", "write nothing; exit 1 if the docs are out of date")
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ docs: string; from?: string; check?: boolean }>();

  const dir = fleetDirFromEnv();
  const { fleet, problems } = loadFleet(dir);
  const errors = problems.filter((p) => p.severity === "error");
  if (!fleet || errors.length > 0) {
    process.stderr.write(`The fleet definition in ${dir} has problems; no docs were generated:\n`);
    for (const p of errors) process.stderr.write(`  ${formatProblem(p)}\n`);
    return 1;
  }
  const outdir = opts.from ? resolve(opts.from) : synthFleetToTemp(fleet);
  let files: Awaited<ReturnType<typeof generateDocs>>;
  try {
    const warnings = new Set<string>();
    const input = { ...readSynthOutput(outdir, fleet), examples: exampleInputs() };
    files = await generateDocs(input, await svgRenderer((w) => warnings.add(w)));
    for (const w of [...warnings].sort()) process.stderr.write(`graphviz: ${w}\n`);
  } finally {
    if (!opts.from) rmSync(dirname(outdir), { recursive: true, force: true });
  }

  const docsDir = resolve(opts.docs);
  if (opts.check) {
    const diffs = compareDocs(docsDir, files);
    if (diffs.length === 0) {
      process.stdout.write(`${opts.docs}/ is up to date (${files.length} files)\n`);
      return 0;
    }
    process.stderr.write(`${opts.docs}/ is out of date:\n`);
    for (const d of diffs) process.stderr.write(`  ${d.path}: ${d.problem}\n`);
    process.stderr.write(`${REGENERATE_HINT}\n`);
    return 1;
  }
  const { written, removed } = writeDocs(docsDir, files);
  process.stdout.write(
    `wrote ${written} files to ${opts.docs}/` +
      (removed.length > 0 ? `; removed ${removed.length} no longer generated: ${removed.join(", ")}` : "") +
      "\n",
  );
  return 0;
}
