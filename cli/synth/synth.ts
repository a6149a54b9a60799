/**
 * `npm run synth`: validate the fleet definition, synthesize into a staging directory, and only
 * then swap it into place, so a failed run leaves an existing cdktf.out exactly as it was.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { fleetDirFromEnv, loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { formatProblem } from "../../fleet/problems";
import type { BuildOptions } from "../../stacks/app";
import type { BackendKind } from "../../stacks/fleet-stack";
import {
  currentOutput,
  FleetSynthError,
  NoStacksSelectedError,
  type SynthFleetResult,
  type SynthProgress,
  synthFleet,
} from "../../stacks/synth-fleet";
import { formatSynthError } from "../policy/policy-synth-errors";
import { parse as parseArgs } from "../shared/command";
import { discard, stagingDir, swapInto, swapStacksInto } from "./output";

/** Prints notices and errors; exits 1 when there are errors. */
export function loadFleetOrExit(dir = fleetDirFromEnv()): Fleet {
  const { fleet, problems } = loadFleet(dir);
  for (const p of problems) {
    if (p.severity === "notice") process.stderr.write(`${formatProblem(p)}\n`);
  }
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0 || !fleet) {
    process.stderr.write(
      `\nThe fleet definition in ${dir} has ${errors.length} problem${errors.length === 1 ? "" : "s"}; nothing was synthesized:\n`,
    );
    for (const p of errors) process.stderr.write(`  ${formatProblem(p)}\n`);
    process.exit(1);
  }
  return fleet;
}

/** Backend and stack selection from the environment (also used under `npx cdktf`). */
export function synthOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): BuildOptions {
  const backend = (env.FLEET_BACKEND ?? "azurerm") as BackendKind;
  if (backend !== "azurerm" && backend !== "local") {
    throw new Error(`FLEET_BACKEND must be "azurerm" or "local", not "${backend}"`);
  }
  const select = (env.FLEET_STACKS ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { backend, select };
}

export function runSynth(argv: readonly string[]): number {
  const program = new Command()
    .name("npm run synth --")
    .description("Validate the fleet definition and synthesize every stack into cdktf.out/")
    .option("-o, --output <dir>", "output directory", "cdktf.out")
    .option(
      "-s, --stacks <glob...>",
      "only these stacks (globs over stack ids) and what they depend on; other stacks' output is kept",
    )
    .option("--no-cache", "build every stack, reusing nothing of the earlier output")
    .option(
      "--backend <kind>",
      "azurerm (remote state) or local (offline work)",
      process.env.FLEET_BACKEND ?? "azurerm",
    )
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ output: string; stacks?: string[]; backend: string; cache: boolean }>();
  const started = process.hrtime.bigint();
  const fleet = loadFleetOrExit();
  const base = synthOptionsFromEnv({ ...process.env, FLEET_BACKEND: opts.backend });
  const select = opts.stacks ?? base.select ?? [];

  const outdir = resolve(opts.output);
  const hasOutput = existsSync(join(outdir, "manifest.json"));
  const previous = select.length > 0 && hasOutput;
  let planned: SynthFleetResult["planned"];
  let reused = 0;
  // Nothing changed since the output was written: it is already what a clean synthesis gives.
  const current =
    select.length === 0 && hasOutput && opts.cache
      ? currentOutput(fleet, outdir, base.backend ?? "azurerm")
      : undefined;
  if (current !== undefined) {
    summarize(current, current.length);
    return 0;
  }
  const staged = stagingDir(outdir);
  const progress = synthProgress(process.stderr, started);
  try {
    const result = synthFleet(fleet, {
      backend: base.backend,
      select,
      outdir: staged,
      ...(previous ? { keepFrom: outdir } : {}),
      ...(hasOutput && opts.cache ? { cacheFrom: outdir } : {}),
      onProgress: progress.report,
    });
    planned = result.planned;
    reused = result.reused.length;
    progress.done();
  } catch (e) {
    progress.done();
    discard(staged);
    if (e instanceof NoStacksSelectedError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(
      `synth failed; ${existsSync(outdir) ? `${opts.output} is unchanged` : "nothing was written"}:\n`,
    );
    const failures = e instanceof FleetSynthError ? e.failures : [e];
    process.stderr.write(
      `${failures.map((f) => formatSynthError(f instanceof Error ? f : new Error(String(f)))).join("\n\n")}\n`,
    );
    return 1;
  }
  // A selection replaces only the selected stacks' directories and the manifest; a full synth
  // replaces the whole output.
  if (previous)
    swapStacksInto(
      staged,
      outdir,
      planned.map((p) => p.id),
    );
  else swapInto(staged, outdir);
  summarize(planned, reused);
  return 0;

  function summarize(planned: SynthFleetResult["planned"], reused: number): void {
    const stacksByKind: Record<string, number> = {};
    for (const p of planned) stacksByKind[p.kind] = (stacksByKind[p.kind] ?? 0) + 1;
    const environments = [...new Set(planned.map((p) => p.environment))].sort();
    const orgs = new Set(fleet.apps.map((a) => a.org.code)).size;
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const kinds = Object.entries(stacksByKind)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ");
    if (process.env.FLEET_SYNTH_STATS) {
      // For `npm run bench`: figures measured inside the process that did the work.
      const stats = { stacks: planned.length, reused, seconds, maxRssKb: process.resourceUsage().maxRSS };
      writeFileSync(process.env.FLEET_SYNTH_STATS, `${JSON.stringify(stats)}\n`);
    }
    const what = select.length > 0 ? `${planned.length} selected stacks` : `${planned.length} stacks`;
    const reuse =
      reused > 0 ? `; ${planned.length - reused} built, ${reused} with unchanged inputs reused` : "";
    process.stdout.write(
      `synthesized ${what} (${kinds}) for ${orgs} orgs in ${environments.length} state scopes (${environments.join(", ")}) into ${opts.output}/ in ${seconds.toFixed(1)} s${reuse}\n`,
    );
  }
}

/** Progress after a couple of seconds: a line rewritten in place on a terminal, one line per batch elsewhere (CI logs). */
export function synthProgress(
  stream: { write(text: string): unknown; isTTY?: boolean },
  started: bigint,
  quietSeconds = 2,
): { report: (p: SynthProgress) => void; done: () => void } {
  let rewriting = false;
  return {
    report: (p) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      if (p.batch === 0 || elapsed < quietSeconds) return;
      const line =
        `synth: ${p.reused + p.built} of ${p.total} stacks (${p.built} of ${p.toBuild} built, ${p.reused} reused), ` +
        `batch ${p.batch}/${p.batches}${p.first !== undefined ? ` ${p.first} .. ${p.last}` : ""}, ${elapsed.toFixed(1)} s`;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        rewriting = true;
      } else stream.write(`${line}\n`);
    },
    done: () => {
      if (rewriting) stream.write("\n");
      rewriting = false;
    },
  };
}
