/**
 * Comparing a base revision with the checkout by stack input hashes, without synthesizing
 * either side in full (issue 15).
 *
 * When the code a synthesis runs (stacks/code-hash.ts: the files the fleet loader and the stack
 * plan load, and package-lock.json) is the same at the base as here, a stack's output can only
 * differ where its input differs (stacks/inputs.ts: every stack is built from its input and
 * nothing else). So both fleet definitions are loaded and planned in this process, each
 * stack's input is hashed on both sides, and only the stacks whose input changed (and the
 * removed and added ones) are synthesized, on each side, and compared as today; every other
 * stack is unchanged by construction. The result is the same set a comparison of two full
 * syntheses gives (`__tests__/cli/input-affected.test.ts` checks it over random fleet changes).
 *
 * When the code differs, or the base's fleet definition does not load, the answer is
 * "undefined, because ...": the caller falls back to synthesizing both sides in full.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fleetDirFromEnv, loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { formatProblem } from "../../fleet/problems";
import { type PlannedStack, planStacks } from "../../stacks/app";
import { codeFiles, codeHash } from "../../stacks/code-hash";
import type { BackendKind } from "../../stacks/fleet-stack";
import { metadataOf, type StackMetadata } from "../../stacks/metadata";
import { inputHashes, ownInputHash, type SynthProgress, synthFleet } from "../../stacks/synth-fleet";
import type { Json } from "../shared/json";
import { StackGraph } from "../shared/manifest";
import { readNormalizedStack } from "../shared/normalize";
import { run, tail } from "../shared/process";
import { PROJECT_ROOT } from "../shared/project-root";
import { canonicalJson } from "../shared/sorted-json";
import type { StackOutputs } from "../shared/synth-output";
import { synthesizedRef } from "../synth/synth-tree";

export type Log = (line: string) => void;

/** The canonical text of a stack that was not synthesized because its input is the same on both sides. */
const UNCHANGED = "<input unchanged>";

/**
 * One side of a comparison by inputs: the plan's graph and metadata, the JSON of the stacks
 * that were synthesized, and for every other stack either `fallback`'s JSON (a full synthesis
 * of the other side, where the stack's input is equal) or a marker equal on both sides.
 */
export class PlannedOutput implements StackOutputs {
  readonly manifest: { readonly graph: StackGraph; readonly metadata: ReadonlyMap<string, StackMetadata> };
  readonly stackIds: string[];
  private readonly built = new Map<string, { json: Json; canonical: string }>();

  constructor(
    planned: readonly PlannedStack[],
    private readonly outDir: string | undefined,
    builtIds: readonly string[],
    private readonly fallback?: StackOutputs,
  ) {
    this.manifest = {
      graph: new StackGraph(new Map(planned.map((p) => [p.id, [...p.dependsOn].sort()]))),
      metadata: new Map(planned.map((p) => [p.id, metadataOf(p)])),
    };
    this.stackIds = planned.map((p) => p.id).sort();
    for (const id of builtIds) {
      // Synthesized in this process from this checkout: its path is what a tree path would be.
      const json = readNormalizedStack(join(this.outDir!, "stacks", id, "cdk.tf.json"), {
        treeRoot: PROJECT_ROOT,
      });
      this.built.set(id, { json, canonical: canonicalJson(json) });
    }
  }

  has(id: string): boolean {
    return this.manifest.graph.has(id);
  }

  stack(id: string): Json {
    const hit = this.built.get(id);
    if (hit !== undefined) return hit.json;
    if (this.fallback !== undefined) return this.fallback.stack(id);
    throw new Error(`stack ${id} was not synthesized: its input is the same on both sides`);
  }

  canonical(id: string): string {
    const hit = this.built.get(id);
    if (hit !== undefined) return hit.canonical;
    return this.fallback !== undefined ? this.fallback.canonical(id) : UNCHANGED;
  }
}

export interface InputComparison {
  readonly base: StackOutputs;
  readonly head: StackOutputs;
  /** Stacks synthesized on each side (inputs changed, added or removed). */
  readonly synthesized: { readonly base: number; readonly head: number };
  cleanup(): void;
}

export interface CompareByInputsOptions {
  /** The base revision (a git ref or commit). */
  readonly ref: string;
  /** The checkout (project directory). */
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly backend: BackendKind;
  readonly log: Log;
  /**
   * A full synthesis of the checkout (the pipeline's cdktf.out): used as the head side, and for
   * the base's stacks whose input is unchanged. Its stacks.json input hashes must match the
   * checkout's, else the comparison falls back.
   */
  readonly head?: StackOutputs;
  readonly onProgress?: (p: SynthProgress) => void;
}

async function git(args: readonly string[], cwd: string): Promise<string> {
  const r = await run("git", args, { cwd });
  if (r.code !== 0) {
    throw new Error(`git ${args.join(" ")} failed (exit ${r.code}): ${r.spawnError ?? tail(r.stderr, 5)}`);
  }
  return r.stdout;
}

/** `path → blob id` of the files under `paths` at `commit`, relative to `cwd`. */
async function blobsAt(commit: string, cwd: string, paths: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const text = await git(["ls-tree", "-r", "-z", commit, "--", ...paths], cwd);
  for (const line of text.split("\0")) {
    const m = /^\d+ blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

function differences(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): string[] {
  const out = new Set<string>();
  for (const [path, blob] of a) if (b.get(path) !== blob) out.add(path);
  for (const path of b.keys()) if (!a.has(path)) out.add(path);
  return [...out].sort();
}

function loadOrUndefined(dir: string): { fleet?: Fleet; problems: string[] } {
  const { fleet, problems } = loadFleet(dir);
  const errors = problems.filter((p) => p.severity === "error").map((p) => formatProblem(p));
  return errors.length > 0 || fleet === undefined ? { problems: errors } : { fleet, problems: [] };
}

/**
 * The base and head sides compared by input hashes, or the reason it cannot be done (the code
 * differs; the base's fleet does not load): then synthesize both sides in full.
 */
export async function compareByInputs(
  o: CompareByInputsOptions,
): Promise<InputComparison | { readonly fallback: string }> {
  let commit: string;
  try {
    commit = (await git(["rev-parse", "--verify", "--quiet", `${o.ref}^{commit}`], o.cwd)).trim();
  } catch {
    // The full comparison names the problem (a shallow checkout, usually).
    return { fallback: `git cannot resolve ${o.ref}` };
  }
  // The code that runs here must be the checkout's, and the base's the same.
  let mine: Map<string, string>;
  try {
    mine = codeFiles(o.cwd);
  } catch (e) {
    return { fallback: `the checkout's code cannot be hashed (${(e as Error).message})` };
  }
  if (resolve(o.cwd) !== resolve(PROJECT_ROOT)) {
    const running = differences(codeFiles(PROJECT_ROOT), mine);
    if (running.length > 0) return { fallback: `the running code is not the checkout's (${running[0]})` };
  }
  const theirs = await blobsAt(commit, o.cwd, [...mine.keys()]);
  const changed = differences(mine, theirs);
  if (changed.length > 0) {
    const names =
      changed.slice(0, 3).join(", ") + (changed.length > 3 ? ` and ${changed.length - 3} more` : "");
    return { fallback: `the code differs from ${o.ref} (${names})` };
  }

  const headDir = fleetDirFromEnv(o.cwd);
  const work = mkdtempSync(join(tmpdir(), "fleet-inputs-"));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  try {
    // FLEET_DIR absolute: both sides read that directory; else each tree its own copy.
    const fleetEnv = o.env.FLEET_DIR;
    let baseDir = headDir;
    if (!(fleetEnv !== undefined && fleetEnv.length > 0 && isAbsolute(fleetEnv))) {
      const rel = relative(o.cwd, headDir);
      baseDir = join(work, "base-fleet", rel);
      mkdirSync(baseDir, { recursive: true });
      for (const [path, blob] of await blobsAt(commit, o.cwd, [rel])) {
        const target = join(work, "base-fleet", path);
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, await git(["cat-file", "blob", blob], o.cwd));
      }
    }
    const base = loadOrUndefined(baseDir);
    if (base.fleet === undefined) {
      cleanup();
      return {
        fallback: `the fleet definition at ${o.ref} does not load (${base.problems.length} problem(s))`,
      };
    }
    const head = loadOrUndefined(headDir);
    if (head.fleet === undefined) {
      throw new Error(`the fleet definition in ${headDir} has problems:\n${head.problems.join("\n")}`);
    }
    const compared = compareFleets(base.fleet, head.fleet, { ...o, work });
    if ("fallback" in compared) cleanup();
    return "fallback" in compared ? compared : { ...compared, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

export interface CompareFleetsOptions {
  readonly backend: BackendKind;
  readonly log: Log;
  /** A directory to synthesize into (removed by the caller). */
  readonly work: string;
  readonly head?: StackOutputs;
  readonly onProgress?: (p: SynthProgress) => void;
}

/**
 * Two fleet definitions compared by stack inputs, with the code running here: the stacks whose
 * input differs (and the added and removed ones) are synthesized on each side into `work`.
 */
export function compareFleets(
  baseFleet: Fleet,
  headFleet: Fleet,
  o: CompareFleetsOptions,
): Omit<InputComparison, "cleanup"> | { readonly fallback: string } {
  const basePlan = planStacks(baseFleet);
  const headPlan = planStacks(headFleet);
  if (o.head !== undefined) {
    // The given synthesis must be of exactly this checkout, or its JSON cannot stand in for the base's.
    const hashes = inputHashes(headPlan, o.backend, codeHash(PROJECT_ROOT));
    const stale = headPlan.find((p) => o.head!.manifest.metadata?.get(p.id)?.inputHash !== hashes.get(p.id));
    if (stale !== undefined || o.head.stackIds.length !== headPlan.length) {
      return {
        fallback: `the head synthesis is not of this checkout's fleet and code (${stale?.id ?? "stack count"})`,
      };
    }
  }
  const baseHash = new Map(basePlan.map((p) => [p.id, ownInputHash(p)]));
  const headHash = new Map(headPlan.map((p) => [p.id, ownInputHash(p)]));
  const baseIds = basePlan.filter((p) => baseHash.get(p.id) !== headHash.get(p.id)).map((p) => p.id);
  const headIds = headPlan.filter((p) => baseHash.get(p.id) !== headHash.get(p.id)).map((p) => p.id);
  const synth = (fleet: Fleet, ids: readonly string[], side: string): string => {
    const out = join(o.work, side);
    if (ids.length > 0) {
      o.log(`${side}: ${ids.length} stack(s) whose inputs differ to synthesize`);
      synthFleet(fleet, {
        outdir: out,
        only: ids,
        backend: o.backend,
        ...(o.onProgress !== undefined ? { onProgress: o.onProgress } : {}),
      });
    }
    return out;
  };
  const headSide =
    o.head ?? new PlannedOutput(headPlan, synth(headFleet, headIds, "head"), headIds, undefined);
  const baseSide = new PlannedOutput(basePlan, synth(baseFleet, baseIds, "base"), baseIds, o.head);
  return {
    base: baseSide,
    head: headSide,
    synthesized: { base: baseIds.length, head: o.head !== undefined ? 0 : headIds.length },
  };
}

/**
 * The fleet definition in `baseDir` compared with the one in `headDir` by stack inputs, both
 * with the code of this checkout (`affected --base-fleet`).
 */
export function compareFleetDirs(
  baseDir: string,
  headDir: string,
  o: Omit<CompareFleetsOptions, "work" | "head">,
): InputComparison {
  const load = (dir: string) => {
    const loaded = loadOrUndefined(dir);
    if (loaded.fleet === undefined) {
      throw new Error(`the fleet definition in ${dir} has problems:\n${loaded.problems.join("\n")}`);
    }
    return loaded.fleet;
  };
  const work = mkdtempSync(join(tmpdir(), "fleet-inputs-"));
  const cleanup = () => rmSync(work, { recursive: true, force: true });
  try {
    const compared = compareFleets(load(baseDir), load(headDir), { ...o, work });
    // Without a head synthesis nothing can make the comparison fall back.
    if ("fallback" in compared) throw new Error(compared.fallback);
    return { ...compared, cleanup };
  } catch (e) {
    cleanup();
    throw e;
  }
}

/**
 * The base at `commit` for `pipeline prepare`: compared by inputs against the pipeline's full
 * synthesis of the checkout when only the fleet definition changed, else synthesized in full
 * in a temporary worktree (synth-tree.ts).
 */
export async function loadBaseByInputs(
  commit: string,
  head: StackOutputs,
  cwd: string,
  env: NodeJS.ProcessEnv,
  log: Log,
): Promise<{ output: StackOutputs; cleanup(): Promise<void> }> {
  const backend = env.FLEET_BACKEND === "local" ? "local" : "azurerm";
  const compared = await compareByInputs({ ref: commit, cwd, env, backend, log, head });
  if (!("fallback" in compared)) {
    log(
      `base ${commit.slice(0, 12)}: compared by stack inputs (${compared.synthesized.base} base stack(s) synthesized)`,
    );
    return { output: compared.base, cleanup: async () => compared.cleanup() };
  }
  log(`base ${commit.slice(0, 12)}: synthesizing in full: ${compared.fallback}`);
  return synthesizedRef(commit, cwd, log, env);
}
