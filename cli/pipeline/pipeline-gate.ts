/**
 * The gate between two apply slots (`npm run pipeline -- gate`), and what it reads.
 *
 * `collect` writes `rollout.json` into the decisions artifact: the scope's slots in order, the
 * stacks each applies and the failure budget. Each apply leg publishes `applied_<...>` with an
 * `apply-result.json` per stack (outcome, and the clusters the stack's plan created or changed).
 * Before slot i, the gate reads the results of every earlier slot and says whether the scope
 * goes on:
 *
 * | earlier slots | gate |
 * |---|---|
 * | a stack has no apply result (its job did not run or did not finish, or an earlier gate stopped the scope) | stop |
 * | more stacks failed than the budget allows (`rollout.failureBudget`: more than N stacks, or more than N% of those applied so far) | stop |
 * | a cluster applied in an earlier slot does not report `Succeeded` (cluster and node pools) and `Running` | stop |
 * | otherwise | go on; stacks whose dependencies failed are skipped by `apply --skip-blocked` |
 *
 * Stopping leaves the later slots' saved plans unapplied: the scope is not recorded as applied,
 * so the next run plans them again.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { isJsonObject, type Json, parseJson, prop } from "../shared/json";
import type { StackGraph } from "../shared/manifest";
import { type ClusterHealth, type ClusterRef, checkCluster } from "./aks-health";
import type { CollectResult } from "./pipeline-collect";
import { checkBudget, type FailureBudget } from "./rollout";

/** The file in the decisions artifact that describes the run's slots. */
export const ROLLOUT_FILE = "rollout.json";

export interface RolloutRecord {
  readonly scope: string;
  readonly pass: 1 | 2;
  readonly canaries: readonly string[];
  readonly failureBudget: FailureBudget;
  readonly slots: readonly {
    readonly index: number;
    readonly label: string;
    readonly stacks: readonly string[];
    readonly artifacts: readonly string[];
  }[];
}

export function rolloutRecord(scope: string, result: CollectResult): RolloutRecord {
  return {
    scope,
    pass: result.pass,
    canaries: result.rollout.canaries,
    failureBudget: result.rollout.failureBudget,
    slots: result.slots.map((s) => ({
      index: s.index,
      label: s.label,
      stacks: s.stacks,
      artifacts: s.artifacts,
    })),
  };
}

export function readRolloutRecord(dir: string): RolloutRecord {
  const file = join(dir, ROLLOUT_FILE);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: download the decisions artifact of this scope's collect job`);
  }
  return parseJson(readFileSync(file, "utf8"), file) as unknown as RolloutRecord;
}

/** Apply outcomes that count as done. */
const DONE = new Set(["applied", "nothing-to-apply"]);
/** Outcomes of stacks that were not applied because of another stack (not failures of their own). */
const NOT_ATTEMPTED = new Set(["blocked", "skipped"]);

export interface AppliedStack {
  readonly stack: string;
  readonly outcome: string;
  readonly message?: string;
  readonly clusters: readonly ClusterRef[];
}

/** The attempt (`..._<stage>_<job>`) of an applied artifact's directory name, for picking the newest. */
function attemptOf(name: string): [number, number] {
  const m = name.match(/_(\d+)_(\d+)$/);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/**
 * Every `apply-result.json` under `<dir>/<artifact>/<stack>/`, by stack; when a job ran more
 * than once, the newest attempt's.
 */
export function readAppliedResults(dir: string): Map<string, AppliedStack> {
  const out = new Map<string, { r: AppliedStack; at: [number, number] }>();
  if (!existsSync(dir)) return new Map();
  for (const artifact of readdirSync(dir, { withFileTypes: true })) {
    if (!artifact.isDirectory()) continue;
    const at = attemptOf(artifact.name);
    const base = join(dir, artifact.name);
    for (const stackDir of readdirSync(base, { withFileTypes: true })) {
      if (!stackDir.isDirectory()) continue;
      const file = join(base, stackDir.name, "apply-result.json");
      if (!existsSync(file)) continue;
      const json: Json = parseJson(readFileSync(file, "utf8"), file);
      const stack = prop(json, "stack");
      const outcome = prop(json, "outcome");
      if (typeof stack !== "string" || typeof outcome !== "string") continue;
      const message = prop(json, "message");
      const clusters = prop(json, "clusters");
      const r: AppliedStack = {
        stack,
        outcome,
        ...(typeof message === "string" ? { message } : {}),
        clusters: Array.isArray(clusters) ? (clusters.filter(isJsonObject) as unknown as ClusterRef[]) : [],
      };
      const seen = out.get(stack);
      if (seen === undefined || at[0] > seen.at[0] || (at[0] === seen.at[0] && at[1] > seen.at[1]))
        out.set(stack, { r, at });
    }
  }
  return new Map([...out].map(([k, v]) => [k, v.r]));
}

/** Whether an applied stack's outcome counts as done, failed, or not attempted. */
export function appliedState(outcome: string): "done" | "failed" | "not-attempted" {
  if (DONE.has(outcome)) return "done";
  if (NOT_ATTEMPTED.has(outcome)) return "not-attempted";
  return "failed";
}

export interface GateOptions {
  readonly slot: number;
  readonly record: RolloutRecord;
  readonly applied: ReadonlyMap<string, AppliedStack>;
  /** Asks Azure about one cluster (`az aks show`); replaced in tests. */
  readonly checkCluster?: (cluster: ClusterRef) => Promise<ClusterHealth>;
}

export interface GateResult {
  readonly proceed: boolean;
  /** Why it stops (empty when it proceeds). */
  readonly reasons: readonly string[];
  readonly done: readonly string[];
  readonly failed: readonly AppliedStack[];
  readonly notAttempted: readonly AppliedStack[];
  readonly missing: readonly string[];
  readonly clusters: readonly ClusterHealth[];
  readonly budget: string;
  /** The stacks slot `slot` would apply. */
  readonly next: readonly string[];
}

export async function gate(o: GateOptions, env: NodeJS.ProcessEnv = process.env): Promise<GateResult> {
  const slots = o.record.slots;
  if (!Number.isInteger(o.slot) || o.slot < 0 || o.slot >= slots.length) {
    throw new Error(`--slot ${o.slot}: the rollout of ${o.record.scope} has slots 0 to ${slots.length - 1}`);
  }
  const earlier = slots.filter((s) => s.index < o.slot).flatMap((s) => s.stacks);
  const done: string[] = [];
  const failed: AppliedStack[] = [];
  const notAttempted: AppliedStack[] = [];
  const missing: string[] = [];
  for (const stack of earlier) {
    const r = o.applied.get(stack);
    if (r === undefined) {
      missing.push(stack);
      continue;
    }
    const state = appliedState(r.outcome);
    if (state === "done") done.push(stack);
    else if (state === "failed") failed.push(r);
    else notAttempted.push(r);
  }
  const budget = checkBudget(o.record.failureBudget, failed.length, done.length + failed.length);
  const reasons: string[] = [];
  if (missing.length > 0) {
    reasons.push(
      `${missing.length} stack(s) of earlier slots have no apply result (their apply job did not run or did not finish, or an earlier gate stopped the scope): ${missing.join(", ")}`,
    );
  }
  if (budget.exceeded) reasons.push(`failure budget exceeded: ${budget.text}`);
  const clusters: ClusterHealth[] = [];
  const toCheck = earlier
    .map((s) => o.applied.get(s))
    .filter((r): r is AppliedStack => r !== undefined && r.outcome === "applied")
    .flatMap((r) => r.clusters);
  const next = slots[o.slot]!.stacks;
  // Nothing to apply in this slot: no reason to ask Azure (the job is skipped anyway).
  if (next.length > 0 && reasons.length === 0) {
    const check = o.checkCluster ?? ((c: ClusterRef) => checkCluster(c, env));
    for (let i = 0; i < toCheck.length; i += 4) {
      clusters.push(...(await Promise.all(toCheck.slice(i, i + 4).map(check))));
    }
    const unhealthy = clusters.filter((c) => !c.healthy);
    if (unhealthy.length > 0) {
      reasons.push(
        `${unhealthy.length} cluster(s) applied earlier are not healthy: ${unhealthy.map((c) => `${c.cluster.name} (${c.detail})`).join("; ")}`,
      );
    }
  }
  return {
    proceed: reasons.length === 0,
    reasons,
    done,
    failed,
    notAttempted,
    missing,
    clusters,
    budget: budget.text,
    next,
  };
}

/** The gate's summary: one block of text, markdown-friendly. */
export function gateSummary(record: RolloutRecord, slot: number, r: GateResult): string {
  const label = record.slots[slot]?.label ?? `slot ${slot}`;
  const out = [
    `## Gate ${record.scope}${record.pass === 2 ? " (second pass)" : ""}, before slot ${slot} (${label}): ${r.proceed ? "go on" : "STOP"}`,
    "",
    `Earlier slots: ${r.done.length} applied, ${r.failed.length} failed, ${r.notAttempted.length} blocked, ${r.missing.length} without a result. ${r.budget}.`,
  ];
  for (const f of r.failed)
    out.push(`- failed: \`${f.stack}\` (${f.outcome})${f.message ? `: ${f.message.split("\n")[0]}` : ""}`);
  for (const b of r.notAttempted) out.push(`- blocked: \`${b.stack}\``);
  for (const c of r.clusters) {
    out.push(
      `- cluster ${c.cluster.name} (${c.cluster.resourceGroup}): ${c.healthy ? "healthy" : "NOT healthy"}, ${c.detail}`,
    );
  }
  out.push("");
  if (r.proceed) {
    out.push(
      `Slot ${slot} applies ${r.next.length} stack(s)${r.next.length > 0 ? `: ${r.next.map((s) => `\`${s}\``).join(", ")}` : ""}.`,
    );
  } else {
    for (const reason of r.reasons) out.push(`**Stopped:** ${reason}.`);
    const left = record.slots.filter((s) => s.index >= slot).flatMap((s) => s.stacks);
    out.push(
      "",
      `${left.length} stack(s) of slot ${slot} and later stay planned, not applied; the scope is not recorded as applied, so the next run plans them again.`,
    );
  }
  return `${out.join("\n")}\n`;
}

/**
 * The run's `rollout.json` beside an apply leg's stack list (`--stacks-file
 * <decisions>/<artifact>.txt`), when there is one.
 */
export function rolloutBeside(stacksFile: string | undefined, cwd: string): RolloutRecord | undefined {
  if (stacksFile === undefined || stacksFile === "-") return undefined;
  const dir = dirname(resolve(cwd, stacksFile));
  return existsSync(join(dir, ROLLOUT_FILE)) ? readRolloutRecord(dir) : undefined;
}

export interface BlockedOptions {
  /** The stacks this apply leg was given. */
  readonly stacks: readonly string[];
  readonly graph: StackGraph;
  /** The earlier slots' apply results. */
  readonly applied: ReadonlyMap<string, AppliedStack>;
  /** The run's slots: a dependency to be applied in another slot without a result was not applied. */
  readonly record?: RolloutRecord;
}

/**
 * Stacks of this leg that must not be applied, with the reason: a dependency (direct or
 * through others) failed or was blocked in an earlier slot, or was to be applied in another
 * slot and has no result. Dependencies inside the leg are left to the leg's own ordering.
 */
export function blockedStacks(o: BlockedOptions): Map<string, string> {
  const own = new Set(o.stacks);
  const planned = new Set((o.record?.slots ?? []).flatMap((s) => s.stacks));
  const out = new Map<string, string>();
  for (const stack of o.stacks) {
    for (const d of o.graph.transitiveDependencies(stack)) {
      if (own.has(d)) continue;
      const r = o.applied.get(d);
      if (r !== undefined && appliedState(r.outcome) !== "done") {
        out.set(stack, `its dependency ${d} did not apply in an earlier slot (${r.outcome})`);
        break;
      }
      if (r === undefined && planned.has(d)) {
        out.set(stack, `its dependency ${d} was to be applied in an earlier slot and has no apply result`);
        break;
      }
    }
  }
  return out;
}
