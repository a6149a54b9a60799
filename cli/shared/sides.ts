/** The base and head syntheses `affected` and `diff` compare, synthesized or read from disk. */
import { cpSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { fleetDirFromEnv } from "../../fleet/load";
import { compareByInputs, compareFleetDirs } from "../affected/input-affected";
import { synthOptionsFromEnv, synthProgress } from "../synth/synth";
import { synthesize, synthesizeRef } from "../synth/synth-tree";
import type { CommandIO } from "./command";
import { type StackOutputs, SynthOutput } from "./synth-output";

export interface SideOptions {
  base?: string;
  baseOut?: string;
  headOut?: string;
  saveBaseOut?: string;
  keepWorktree?: boolean;
  /** Synthesize both sides in full even when only the fleet definition changed. */
  fullSynth?: boolean;
  /** A fleet directory to compare with, with the code of this checkout. */
  baseFleet?: string;
}

export function addSideOptions(cmd: Command): Command {
  return cmd
    .option("--base <git-ref>", "the revision to compare with: synthesized in a temporary git worktree")
    .option("--base-out <dir>", "an existing synthesized output (cdktf.out) to use as the base instead")
    .option(
      "--head-out <dir>",
      "an existing synthesized output of the current tree (default: npm run synth now)",
    )
    .option("--save-base-out <dir>", "copy the synthesized base here, to reuse with --base-out")
    .option("--keep-worktree", "keep the base worktree after the run (debugging)")
    .option(
      "--full-synth",
      "synthesize both sides in full even when only the fleet definition changed (affected compares stack inputs then)",
    );
}

/** A label for the base in output: the ref, else the directory. */
export function baseLabel(o: SideOptions): string {
  return o.base ?? o.baseOut ?? "base";
}

export function headLabel(o: SideOptions): string {
  return o.headOut ?? "working tree";
}

/**
 * Synthesizes (or reads) both sides, runs `fn` on them and removes the base worktree after.
 * The two syntheses run concurrently; their output goes to stderr.
 */
export async function withSides<T>(
  o: SideOptions,
  io: CommandIO,
  fn: (base: SynthOutput, head: SynthOutput) => T,
): Promise<T> {
  if (o.base === undefined && o.baseOut === undefined) {
    throw new Error("give --base <git-ref> (or --base-out <dir> with an already synthesized base)");
  }
  const log = (text: string) => io.err(text.endsWith("\n") ? text : `${text}\n`);
  const headPromise =
    o.headOut !== undefined ? Promise.resolve(resolve(io.cwd, o.headOut)) : synthesize(io.cwd, log, io.env);
  const basePromise =
    o.baseOut !== undefined
      ? Promise.resolve({ outDir: resolve(io.cwd, o.baseOut), treeRoot: undefined, cleanup: async () => {} })
      : synthesizeRef(o.base!, io.cwd, log, { keepWorktree: o.keepWorktree === true, env: io.env });
  const [headSettled, baseSettled] = await Promise.allSettled([headPromise, basePromise]);
  const cleanup = baseSettled.status === "fulfilled" ? baseSettled.value.cleanup : async () => {};
  try {
    if (headSettled.status === "rejected") throw headSettled.reason;
    if (baseSettled.status === "rejected") throw baseSettled.reason;
    const b = baseSettled.value;
    if (o.saveBaseOut !== undefined && o.baseOut === undefined) {
      const target = resolve(io.cwd, o.saveBaseOut);
      rmSync(target, { recursive: true, force: true });
      cpSync(b.outDir, target, { recursive: true });
    }
    const base = new SynthOutput(b.outDir, b.treeRoot);
    const head = new SynthOutput(headSettled.value, o.headOut === undefined ? io.cwd : undefined);
    return fn(base, head);
  } finally {
    await cleanup();
  }
}

/**
 * Like `withSides`, but when only the fleet definition differs from `--base` (same code), the
 * sides are compared by stack input hashes and only the stacks whose inputs differ are
 * synthesized (input-affected.ts). Falls back to `withSides`, saying why, when the code changed,
 * when either side is given as a directory, or with `--full-synth`.
 */
export async function withInputSides<T>(
  o: SideOptions,
  io: CommandIO,
  fn: (base: StackOutputs, head: StackOutputs) => T,
): Promise<T> {
  if (o.baseFleet !== undefined) {
    const log = (text: string) => io.err(text.endsWith("\n") ? text : `${text}\n`);
    const compared = compareFleetDirs(resolve(io.cwd, o.baseFleet), fleetDirFromEnv(io.cwd), {
      backend: synthOptionsFromEnv(io.env).backend ?? "azurerm",
      log,
    });
    try {
      return fn(compared.base, compared.head);
    } finally {
      compared.cleanup();
    }
  }
  if (
    o.base === undefined ||
    o.baseOut !== undefined ||
    o.headOut !== undefined ||
    o.saveBaseOut !== undefined ||
    o.fullSynth
  ) {
    return withSides(o, io, fn);
  }
  const log = (text: string) => io.err(text.endsWith("\n") ? text : `${text}\n`);
  const progress = synthProgress(process.stderr, process.hrtime.bigint());
  const compared = await compareByInputs({
    ref: o.base,
    cwd: io.cwd,
    env: io.env,
    backend: synthOptionsFromEnv(io.env).backend ?? "azurerm",
    log,
    onProgress: progress.report,
  });
  progress.done();
  if ("fallback" in compared) {
    log(`comparing full syntheses: ${compared.fallback}`);
    return withSides(o, io, fn);
  }
  try {
    log(
      `compared by stack inputs: only the fleet definition differs from ${o.base}; synthesized ${compared.synthesized.base} base and ${compared.synthesized.head} head stack(s) whose inputs differ`,
    );
    return fn(compared.base, compared.head);
  } finally {
    compared.cleanup();
  }
}
