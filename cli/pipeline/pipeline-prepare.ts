/**
 * The Build stage's decisions (`npm run pipeline -- prepare`): per state scope, which stacks to
 * plan and in which legs, plus the configuration diff the reviewers read first.
 *
 * Scopes that share a base commit share one synthesis of it (usually every scope has the same
 * last applied commit, so a run synthesizes one base). A scope's plan matrix is the fleet's
 * `buildMatrix` with the pipeline's job budget, shrunk further when its JSON would not fit an
 * output variable (the agent refuses environment variables longer than 32766 characters).
 */
import { type AffectedResult, compareOutputs } from "../affected/affected";
import { diffOutputs, type FleetDiff } from "../diff/diff";
import { renderMarkdown } from "../diff/diff-render";
import { allLegs, buildMatrix, type Matrix, type MatrixOptions } from "../matrix/matrix";
import { inScope, type StackGraph } from "../shared/manifest";
import type { StackOutputs } from "../shared/synth-output";
import { NO_APPLIED_TAG, type RunContext, type ScopeBase } from "./pipeline-run";
import type { Rollout } from "./rollout";

/** Longest matrix JSON published as an output variable (the agent's environment variable limit is 32766). */
export const MAX_MATRIX_CHARS = 30000;

export interface LoadedBase {
  readonly output: StackOutputs;
  cleanup(): Promise<void>;
}

export interface PrepareOptions {
  /** State scopes in promotion order. */
  readonly scopes: readonly string[];
  readonly context: RunContext;
  readonly bases: ReadonlyMap<string, ScopeBase>;
  readonly head: StackOutputs;
  /** Synthesizes (or reads) the base at a commit. */
  readonly loadBase: (commit: string) => Promise<LoadedBase>;
  /** Most plan legs per scope. */
  readonly maxJobs: number;
  /** Most dependency waves per scope (the pipeline's apply wave jobs). */
  readonly waveSlots: number;
  readonly maxMatrixChars?: number;
  /** fleet.yaml `rollout`, resolved: each leg's apply slot (`SLOT`), canaries apart from batches. */
  readonly rollout?: Rollout;
}

export interface ScopePlan {
  readonly scope: string;
  readonly base: ScopeBase;
  /** What changed against the base; absent when every stack is planned. */
  readonly affected?: AffectedResult;
  /** The stacks to plan, in dependency order (removed stacks are listed by `affected`, never planned). */
  readonly stacks: readonly string[];
  readonly matrix: Matrix;
  readonly notices: readonly string[];
}

export interface BaseDiff {
  readonly commit: string;
  readonly scopes: readonly string[];
  readonly diff: FleetDiff;
  readonly markdown: string;
}

export interface PrepareResult {
  readonly scopes: readonly ScopePlan[];
  readonly diffs: readonly BaseDiff[];
}

/**
 * The scope's matrix within `maxJobs` legs whose JSON fits `maxChars`: fewer, larger shards
 * when the names and stack lists of many legs would be too long for one output variable.
 */
export function fitMatrix(
  graph: StackGraph,
  stacks: readonly string[],
  env: string,
  maxJobs: number,
  maxChars = MAX_MATRIX_CHARS,
  rollout?: MatrixOptions["rollout"],
): { matrix: Matrix; notices: string[] } {
  let jobs = maxJobs;
  const notices: string[] = [];
  for (;;) {
    const built = buildMatrix({ graph, stacks, env, maxJobs: jobs, ...(rollout ? { rollout } : {}) });
    notices.push(...built.notices);
    const size = JSON.stringify(allLegs(built.matrix)).length;
    if (size <= maxChars) return { matrix: built.matrix, notices };
    const waves = built.matrix.waves.length;
    if (jobs <= Math.max(1, waves)) {
      throw new Error(
        `${env}: the plan matrix is ${size} characters even with one leg per wave; an output variable holds at most ${maxChars}`,
      );
    }
    const next = Math.max(waves, 1, Math.min(jobs - 1, Math.floor((jobs * maxChars) / size)));
    notices.push(
      `${env}: ${built.matrix.legCount} legs make a ${size}-character matrix; trying ${next} legs`,
    );
    jobs = next;
  }
}

export async function prepareRun(o: PrepareOptions): Promise<PrepareResult> {
  const graph = o.head.manifest.graph;
  const affected = new Map<string, AffectedResult>();
  const diffs: BaseDiff[] = [];
  const byCommit = new Map<string, string[]>();
  for (const scope of o.scopes) {
    const base = o.bases.get(scope);
    if (base === undefined) throw new Error(`no base decided for scope ${scope}`);
    if (base.commit === undefined) continue;
    byCommit.set(base.commit, [...(byCommit.get(base.commit) ?? []), scope]);
  }
  for (const [commit, scopes] of byCommit) {
    const base = await o.loadBase(commit);
    try {
      for (const scope of scopes) affected.set(scope, compareOutputs(base.output, o.head, { env: scope }));
      const stacks = scopes.flatMap((s) => affected.get(s)!.all);
      const diff = diffOutputs(base.output, o.head, graphOrder(graph, stacks));
      const markdown = renderMarkdown(diff, {
        base: `${commit.slice(0, 12)} (${o.bases.get(scopes[0]!)!.source}; ${scopes.join(", ")})`,
        head: "this run",
      });
      diffs.push({ commit, scopes, diff, markdown });
    } finally {
      await base.cleanup();
    }
  }
  const plans = o.scopes.map((scope): ScopePlan => {
    const base = o.bases.get(scope)!;
    const a = affected.get(scope);
    const stacks =
      a !== undefined
        ? a.all.filter((id) => graph.has(id))
        : inScope(graph.order(graph.ids), scope, o.head.manifest);
    const metadata = o.head.manifest.metadata;
    const rollout =
      o.rollout !== undefined
        ? {
            rollout: o.rollout,
            orgOf: (id: string) => metadata?.get(id)?.org,
            scopeOf: (id: string) => metadata?.get(id)?.scope,
          }
        : undefined;
    const { matrix, notices } = fitMatrix(graph, stacks, scope, o.maxJobs, o.maxMatrixChars, rollout);
    if (matrix.waves.length > o.waveSlots) {
      throw new Error(
        `${scope}: ${matrix.waves.length} dependency waves, but the pipeline has ${o.waveSlots} apply wave jobs per stage: raise waveSlots in cli/pipeline/pipeline.ts and run npm run pipeline`,
      );
    }
    return { scope, base, ...(a !== undefined ? { affected: a } : {}), stacks, matrix, notices };
  });
  return { scopes: plans, diffs };
}

/** Stacks of the head graph in dependency order, then removed ones (not in head) by id. */
function graphOrder(graph: StackGraph, ids: readonly string[]): string[] {
  const inHead = ids.filter((id) => graph.has(id));
  const removed = ids.filter((id) => !graph.has(id)).sort();
  return [...graph.order(inHead), ...removed];
}

function code(text: string): string {
  return `\`${text}\``;
}

/** The run summary of the Build stage: what each scope is compared with and what it plans. */
export function prepareSummary(context: RunContext, commit: string, result: PrepareResult): string {
  const what =
    context.mode === "deploy"
      ? "plan, approve and apply"
      : context.mode === "drift"
        ? "drift check: plan every stack, apply nothing"
        : `plan only (compared with ${context.targetBranch})`;
  const out = [
    `## Fleet pipeline: ${context.reason} run of ${code(context.sourceBranch)} at ${code(commit.slice(0, 12))}`,
    "",
    `Mode **${context.mode}**: ${what}${context.planAll ? "; planAll: every stack" : ""}.`,
    "",
    "| scope | compared with | changed (new) | removed | dependents | planned | legs | waves |",
    "|---|---|---|---|---|---|---|---|",
  ];
  for (const s of result.scopes) {
    const a = s.affected;
    const base =
      s.base.commit !== undefined ? `${code(s.base.commit.slice(0, 12))} ${s.base.source}` : s.base.source;
    out.push(
      `| ${code(s.scope)} | ${base} | ${a ? `${a.changed.length} (${a.added.length})` : "-"} | ${a ? a.removed.length : "-"} | ${a ? a.dependents.length : "-"} | ${s.matrix.stackCount} | ${s.matrix.legCount} | ${s.matrix.waves.length} |`,
    );
  }
  out.push("");
  const removed = result.scopes.flatMap((s) => s.affected?.removed ?? []);
  if (removed.length > 0) {
    out.push(
      `**Removed stacks** (nothing plans or destroys them; their resources stay in Azure, unmanaged, until destroyed deliberately): ${removed.map(code).join(", ")}`,
      "",
    );
  }
  for (const w of baseWarnings(result)) out.push(`> ⚠️ ${w}`, "");
  return out.join("\n");
}

/** One line per distinct base warning, naming the scopes it concerns. */
export function baseWarnings(result: PrepareResult): string[] {
  const byText = new Map<string, string[]>();
  for (const s of result.scopes) {
    if (s.base.warning === undefined) continue;
    byText.set(s.base.warning, [...(byText.get(s.base.warning) ?? []), s.scope]);
  }
  return [...byText].map(([text, scopes]) =>
    text === NO_APPLIED_TAG
      ? `no applied/<scope>/* tag reachable from HEAD for ${scopes.join(", ")}: only the last commit's changes are planned there. Run with planAll once if earlier commits were never applied.`
      : `${scopes.join(", ")}: ${text}`,
  );
}
