/**
 * `npm run synth`: validate the fleet definition, synthesize into a staging directory, and only
 * then swap it into place, so a failed run leaves an existing cdktf.out exactly as it was.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Command } from "commander";
import { fleetDirFromEnv, loadFleet } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { formatProblem } from "../fleet/problems";
import type { BuildOptions } from "../stacks/app";
import type { BackendKind } from "../stacks/fleet-stack";
import {
  FleetSynthError,
  NoStacksSelectedError,
  type SynthFleetResult,
  synthFleet,
} from "../stacks/synth-fleet";
import { parse as parseArgs } from "./commands/common";
import { discard, stagingDir, swapInto, swapStacksInto } from "./output";
import { formatSynthError } from "./policy-synth-errors";

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
    .option(
      "--backend <kind>",
      "azurerm (remote state) or local (offline work)",
      process.env.FLEET_BACKEND ?? "azurerm",
    )
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ output: string; stacks?: string[]; backend: string }>();
  const started = process.hrtime.bigint();
  const fleet = loadFleetOrExit();
  const base = synthOptionsFromEnv({ ...process.env, FLEET_BACKEND: opts.backend });
  const select = opts.stacks ?? base.select ?? [];

  const outdir = resolve(opts.output);
  const staged = stagingDir(outdir);
  const previous = select.length > 0 && existsSync(join(outdir, "manifest.json"));
  let planned: SynthFleetResult["planned"];
  try {
    planned = synthFleet(fleet, {
      backend: base.backend,
      select,
      outdir: staged,
      ...(previous ? { keepFrom: outdir } : {}),
    }).planned;
  } catch (e) {
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
    const stats = { stacks: planned.length, seconds, maxRssKb: process.resourceUsage().maxRSS };
    writeFileSync(process.env.FLEET_SYNTH_STATS, `${JSON.stringify(stats)}\n`);
  }
  const what = select.length > 0 ? `${planned.length} selected stacks` : `${planned.length} stacks`;
  process.stdout.write(
    `synthesized ${what} (${kinds}) for ${orgs} orgs in ${environments.length} state scopes (${environments.join(", ")}) into ${opts.output}/ in ${seconds.toFixed(1)} s\n`,
  );
  return 0;
}
