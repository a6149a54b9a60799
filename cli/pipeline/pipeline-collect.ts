/**
 * The end of a plan stage (`npm run pipeline -- collect`): every leg's results in one summary,
 * and what the apply stage may apply.
 *
 * Each planned stack ends up with one verdict:
 *
 * | verdict | when | applied? |
 * |---|---|---|
 * | `apply` | the plan has changes and nothing it depends on in this run failed or waits | yes, after approval (deploy runs) |
 * | `unchanged` | the plan has no changes | nothing to do |
 * | `deferred` | the plan failed while something it depends on is still to be created or changed in this run (a new cluster's `-k8s` stack reads a cluster that does not exist yet) | no: planned again by the next run |
 * | `blocked` | not planned or not applicable because a dependency failed or was deferred | no |
 * | `failed` | the plan failed for any other reason, or the leg published no result | no, and nothing of the scope is applied |
 *
 * A scope is `complete` when every stack is `apply` or `unchanged`: only then does a deploy run
 * record the commit as applied (`applied/<scope>/<build id>`). Drift runs report every stack with
 * changes as drift and never defer: nothing is being changed.
 *
 * Rollout: the stacks to apply go to their leg's apply slot (`SLOT` in the plan matrix, see
 * cli/pipeline/rollout.ts), one apply matrix per slot, in the order the slots run.
 *
 * Onboarding in one run: in a deploy run's first pass, the deferred stacks (and those blocked
 * only by them) become `deferredLegs`, the plan matrix of a second pass (`PASS=2`) that the
 * pipeline plans after the first pass applied their dependencies (the new cluster), then applies
 * after the same approval. The second pass never defers again: a stack still waiting for a
 * dependency there leaves the scope incomplete, and the next run plans it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Legs } from "../matrix/matrix";
import { isJsonObject, type Json, parseJson, prop } from "../shared/json";
import type { StackGraph } from "../shared/manifest";
import { countsLine, type PlanSummary } from "../terraform/plan-summary";
import type { LegRecord } from "./pipeline-leg";
import type { RunMode } from "./pipeline-run";
import { type ApplySlot, ROLLOUT_DEFAULTS, type Rollout, rolloutGroups, slotsOfRollout } from "./rollout";

export type Verdict = "apply" | "unchanged" | "deferred" | "blocked" | "failed";

/** The parts of a stack's `result.json` (npm run plan) collect reads. */
export interface StackResult {
  readonly outcome: string;
  readonly hasChanges?: boolean;
  readonly hasDestroy?: boolean;
  readonly summary?: PlanSummary;
  readonly message?: string;
  /** Planned against an empty state because the state blob did not exist (`plan --missing-state preview`). */
  readonly preview?: boolean;
}

export interface LegResults {
  readonly record: LegRecord;
  /** By stack id; a stack without `result.json` is missing. */
  readonly results: ReadonlyMap<string, StackResult>;
  /** Each stack's `summary.md`, when there is one. */
  readonly summaries: ReadonlyMap<string, string>;
}

export interface StackVerdict {
  readonly stack: string;
  readonly verdict: Verdict;
  /** The plan's outcome (`changes`, `failed`, ...), or `missing`. */
  readonly outcome: string;
  readonly leg: string;
  readonly summary?: PlanSummary;
  readonly hasDestroy: boolean;
  readonly reason?: string;
}

export interface ApplyLeg {
  readonly ARTIFACT: string;
  readonly DECISIONS: string;
  readonly WAVE: string;
  readonly SLOT: string;
}

/** One apply slot of this run: what it applies. */
export interface SlotPlan extends ApplySlot {
  /** Stacks to apply, in dependency order. */
  readonly stacks: readonly string[];
  /** The saved plan artifacts its apply legs download. */
  readonly artifacts: readonly string[];
}

export interface CollectOptions {
  readonly scope: string;
  readonly mode: RunMode;
  /** The plan matrix the stage ran (leg name → STACKS, WAVE). */
  readonly planLegs: Legs;
  readonly legs: readonly LegResults[];
  readonly graph: StackGraph;
  /** Stacks whose configuration this run changes, in every scope (pull requests: not applied yet). */
  readonly changedInRun: ReadonlySet<string>;
  /** fleet.yaml `rollout` of this run (run.json); default: one group, no budget. */
  readonly rollout?: Rollout;
  /** 2 in the second pass (after the first pass applied the deferred stacks' dependencies). */
  readonly pass?: 1 | 2;
  /** The artifact the apply legs read their stack lists from. */
  readonly decisionsArtifact: string;
}

export interface CollectResult {
  readonly verdicts: readonly StackVerdict[];
  /** Every apply slot of the rollout, in order, with what this run applies in it. */
  readonly slots: readonly SlotPlan[];
  /** Per slot: the apply matrix (plan leg name → saved plan artifact); `{}` for an empty slot. */
  readonly applySlots: readonly Record<string, ApplyLeg>[];
  /** The second pass's plan matrix: the deferred stacks and those blocked only by them (deploy, first pass). */
  readonly deferredLegs: Legs;
  readonly rollout: Rollout;
  readonly pass: 1 | 2;
  /** Saved plan artifact → the stacks its apply leg applies, in dependency order. */
  readonly decisions: ReadonlyMap<string, readonly string[]>;
  readonly canApply: boolean;
  readonly complete: boolean;
  readonly markClean: boolean;
  readonly hasChanges: boolean;
  readonly failed: readonly StackVerdict[];
}

/** Reads `<results>/<artifact>/leg.json` and the stack results next to it, for one scope and pass. */
export function readLegResults(resultsDir: string, scope: string, pass = 1): LegResults[] {
  if (!existsSync(resultsDir)) return [];
  const out: LegResults[] = [];
  for (const entry of readdirSync(resultsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = join(resultsDir, entry.name);
    const legFile = join(dir, "leg.json");
    if (!existsSync(legFile)) continue;
    const record = parseJson(readFileSync(legFile, "utf8"), legFile) as unknown as LegRecord;
    if (record.scope !== scope || (record.pass ?? 1) !== pass) continue;
    const results = new Map<string, StackResult>();
    const summaries = new Map<string, string>();
    for (const stack of record.stacks.split(/\s+/).filter((s) => s !== "")) {
      const resultFile = join(dir, stack, "result.json");
      if (existsSync(resultFile))
        results.set(stack, toStackResult(parseJson(readFileSync(resultFile, "utf8"), resultFile)));
      const summaryFile = join(dir, stack, "summary.md");
      if (existsSync(summaryFile)) summaries.set(stack, readFileSync(summaryFile, "utf8"));
    }
    out.push({ record, results, summaries });
  }
  return out;
}

function toStackResult(json: Json): StackResult {
  const outcome = prop(json, "outcome");
  const message = prop(json, "message");
  const summary = prop(json, "summary");
  return {
    outcome: typeof outcome === "string" ? outcome : "failed",
    hasChanges: prop(json, "hasChanges") === true,
    hasDestroy: prop(json, "hasDestroy") === true,
    ...(isJsonObject(summary) ? { summary: summary as unknown as PlanSummary } : {}),
    ...(typeof message === "string" ? { message } : {}),
    ...(prop(json, "preview") === true ? { preview: true } : {}),
  };
}

function newer(a: LegRecord, b: LegRecord): boolean {
  return (
    a.attempt.stage > b.attempt.stage ||
    (a.attempt.stage === b.attempt.stage && a.attempt.job > b.attempt.job)
  );
}

/** The line that says what went wrong: Terraform's first `Error:` line (box drawing removed), else the first line. */
export function headline(text: string | undefined): string {
  const lines = (text ?? "").split("\n").map((l) => l.replace(/^[\s│╷╵]+/, "").trim());
  return lines.find((l) => l.startsWith("Error: ")) ?? lines.find((l) => l !== "") ?? "";
}

export function collect(o: CollectOptions): CollectResult {
  // The latest attempt of each leg, matched to the matrix by its stack list.
  const latest = new Map<string, LegResults>();
  for (const l of o.legs) {
    const seen = latest.get(l.record.stacks);
    if (seen === undefined || newer(l.record, seen.record)) latest.set(l.record.stacks, l);
  }
  const rollout = o.rollout ?? ROLLOUT_DEFAULTS;
  const pass = o.pass ?? 1;
  const slotList = slotsOfRollout(rollout);
  const groups = rolloutGroups(rollout).length;
  const legOf = new Map<string, { name: string; WAVE: string; SLOT: number; results?: LegResults }>();
  for (const [name, leg] of Object.entries(o.planLegs)) {
    const results = latest.get(leg.STACKS);
    const slot = leg.SLOT !== undefined ? Number(leg.SLOT) : groups === 1 ? Number(leg.WAVE) : Number.NaN;
    if (!Number.isInteger(slot) || slot < 0 || slot >= slotList.length) {
      throw new Error(
        leg.SLOT === undefined
          ? `leg ${name} has no SLOT, and the rollout has ${groups} groups per wave: the plan matrix is older than fleet.yaml's rollout (run the Build stage again)`
          : `leg ${name} is in slot ${leg.SLOT}; the rollout has ${slotList.length} slots (${slotList.length / groups} waves of ${groups})`,
      );
    }
    for (const stack of leg.STACKS.split(/\s+/).filter((s) => s !== "")) {
      legOf.set(stack, { name, WAVE: leg.WAVE, SLOT: slot, ...(results !== undefined ? { results } : {}) });
    }
  }
  const planned = [...legOf.keys()];
  const order = o.graph.order(planned.filter((s) => o.graph.has(s)));
  const outcome = new Map<string, string>();
  for (const s of planned) outcome.set(s, legOf.get(s)!.results?.results.get(s)?.outcome ?? "missing");

  const verdicts = new Map<string, StackVerdict>();
  // Every stack s depends on, directly or through others (only those planned in this run have verdicts).
  const transitiveDeps = (s: string): string[] => o.graph.transitiveDependencies(s);
  const pending = (d: string): boolean => {
    if (outcome.get(d) === "changes" || verdicts.get(d)?.verdict === "deferred") return true;
    return o.mode === "pr" && o.changedInRun.has(d);
  };
  for (const s of order) {
    const leg = legOf.get(s)!;
    const r = leg.results?.results.get(s);
    const out = outcome.get(s)!;
    const base = {
      stack: s,
      outcome: out,
      leg: leg.name,
      hasDestroy: r?.hasDestroy === true,
      ...(r?.summary !== undefined ? { summary: r.summary } : {}),
    };
    const deps = transitiveDeps(s);
    const broken = deps.find((d) => {
      const v = verdicts.get(d)?.verdict;
      return v === "failed" || v === "blocked" || v === "deferred";
    });
    const set = (verdict: Verdict, reason?: string) =>
      verdicts.set(s, { ...base, verdict, ...(reason !== undefined ? { reason } : {}) });
    if (o.mode === "deploy" && r?.preview === true) {
      // A preview never reaches an apply leg: its plan ran against an empty local state.
      set("failed", headline(r.message) || "a preview plan against an empty state is never applied");
      continue;
    }
    if (out === "changes" || out === "unchanged") {
      if (out === "changes" && broken !== undefined) {
        set("blocked", `not applied: its dependency ${broken} is ${verdicts.get(broken)!.verdict}`);
      } else {
        set(out === "changes" ? "apply" : "unchanged");
      }
      continue;
    }
    if (out === "skipped") {
      set("blocked", headline(r?.message) || "not planned: a dependency failed");
      continue;
    }
    if (out === "missing") {
      set(
        "failed",
        leg.results === undefined
          ? `leg ${leg.name} published no results (it failed before planning: see its log)`
          : `no result for ${s} in leg ${leg.name}`,
      );
      continue;
    }
    const failedDep = deps.find((d) => verdicts.get(d)?.verdict === "failed");
    if (failedDep !== undefined) {
      set("blocked", `its dependency ${failedDep} failed: ${headline(r?.message)}`);
      continue;
    }
    const waitsFor = o.mode === "drift" || out === "locked" ? undefined : deps.find(pending);
    if (waitsFor !== undefined) {
      set(
        "deferred",
        `planned before ${waitsFor} exists in its new form (${headline(r?.message)}); ${
          o.mode === "deploy" && pass === 1
            ? "planned again by this run's second pass, after it is applied"
            : "the next run plans it again"
        }`,
      );
      continue;
    }
    set("failed", headline(r?.message) || `plan ${out}`);
  }

  const all = order.map((s) => verdicts.get(s)!);
  const failed = all.filter((v) => v.verdict === "failed");
  const toApply = all.filter((v) => v.verdict === "apply");
  const decisions = new Map<string, string[]>();
  const applySlots: Record<string, ApplyLeg>[] = slotList.map(() => ({}));
  const slotStacks: string[][] = slotList.map(() => []);
  const slotArtifacts: Set<string>[] = slotList.map(() => new Set());
  if (o.mode === "deploy" && failed.length === 0) {
    for (const v of toApply) {
      const leg = legOf.get(v.stack)!;
      const artifact = leg.results!.record.planArtifact;
      decisions.set(artifact, [...(decisions.get(artifact) ?? []), v.stack]);
      applySlots[leg.SLOT]![leg.name] = {
        ARTIFACT: artifact,
        DECISIONS: o.decisionsArtifact,
        WAVE: leg.WAVE,
        SLOT: String(leg.SLOT),
      };
      slotStacks[leg.SLOT]!.push(v.stack);
      slotArtifacts[leg.SLOT]!.add(artifact);
    }
  }
  const slots: SlotPlan[] = slotList.map((s) => ({
    ...s,
    stacks: slotStacks[s.index]!,
    artifacts: [...slotArtifacts[s.index]!],
  }));
  // The second pass: per first-pass leg, its deferred stacks and those blocked only by them.
  const deferredLegs: Legs = {};
  if (o.mode === "deploy" && pass === 1 && failed.length === 0) {
    const again = new Set(
      all.filter((v) => v.verdict === "deferred" || v.verdict === "blocked").map((v) => v.stack),
    );
    if (all.some((v) => v.verdict === "deferred")) {
      for (const [name, leg] of Object.entries(o.planLegs)) {
        const stacks = leg.STACKS.split(/\s+/).filter((s) => again.has(s));
        if (stacks.length === 0) continue;
        deferredLegs[name] = {
          STACKS: stacks.join(" "),
          WAVE: leg.WAVE,
          SLOT: String(legOf.get(stacks[0]!)!.SLOT),
          PASS: "2",
        };
      }
    }
  }
  const complete = all.every((v) => v.verdict === "apply" || v.verdict === "unchanged");
  return {
    verdicts: all,
    slots,
    applySlots,
    deferredLegs,
    rollout,
    pass,
    decisions,
    canApply: o.mode === "deploy" && failed.length === 0 && toApply.length > 0,
    complete,
    markClean: o.mode === "deploy" && complete && toApply.length === 0,
    hasChanges: all.some((v) => v.outcome === "changes"),
    failed,
  };
}

function code(text: string): string {
  return `\`${text}\``;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

const VERDICT_LABEL: Record<Verdict, string> = {
  apply: "changes",
  unchanged: "no changes",
  deferred: "⏳ deferred",
  blocked: "⛔ blocked",
  failed: "❌ failed",
};

/** The plan stage's run summary: one table for the scope, then each changed or failed stack's plan. */
export function collectSummary(
  scope: string,
  mode: RunMode,
  result: CollectResult,
  summaries: ReadonlyMap<string, string>,
  environment: string,
): string {
  const count = (v: Verdict) => result.verdicts.filter((x) => x.verdict === v).length;
  const changed = result.verdicts.filter((v) => v.outcome === "changes").length;
  const title =
    mode === "drift"
      ? `## Drift check ${code(scope)}: ${changed} of ${result.verdicts.length} stack(s) differ from Azure`
      : `## Plan ${code(scope)}: ${result.verdicts.length} stack(s), ${changed} with changes`;
  const out = [title, ""];
  out.push(
    `${count("unchanged")} unchanged, ${count("apply")} to apply, ${count("deferred")} deferred, ${count("blocked")} blocked, ${count("failed")} failed.`,
    "",
  );
  if (mode === "deploy") {
    out.push(
      result.canApply
        ? `**Next:** approve the Environment ${code(environment)} to apply the ${count("apply")} stack(s) with changes, slot by slot (below).`
        : result.failed.length > 0
          ? "**Nothing is applied in this scope:** fix the failed plans first."
          : "Nothing to apply.",
      "",
    );
    if (result.canApply) out.push(...rolloutPlan(scope, result), "");
  } else if (mode === "drift") {
    out.push(
      changed > 0
        ? "Stacks with changes differ from Azure: drift (changed outside Terraform), or commits not applied yet. Nothing is applied by this run."
        : "No drift.",
      "",
    );
  } else {
    out.push("Plan only: nothing is applied by this run.", "");
  }
  out.push(
    "| stack | verdict | create | update | delete | replace | note |",
    "|---|---|---:|---:|---:|---:|---|",
  );
  for (const v of result.verdicts) {
    const s = v.summary;
    const note = [
      v.hasDestroy ? "🔥 destroys" : "",
      s !== undefined && s.statefulDestroyed.length > 0 ? "⚠️ stateful" : "",
      v.reason ?? "",
    ]
      .filter((n) => n !== "")
      .join("; ");
    out.push(
      `| ${code(v.stack)} | ${VERDICT_LABEL[v.verdict]} | ${s?.create ?? ""} | ${s?.update ?? ""} | ${s?.delete ?? ""} | ${s?.replace ?? ""} | ${cell(note)} |`,
    );
  }
  out.push("");
  const detailed = result.verdicts.filter((v) => v.outcome === "changes" || v.verdict === "failed");
  for (const v of detailed) {
    const text = summaries.get(v.stack);
    if (text !== undefined) out.push(text.trimEnd(), "");
  }
  return out.join("\n");
}

/** The wave plan: what each non-empty slot applies, the budget, and the second pass. */
export function rolloutPlan(scope: string, result: CollectResult): string[] {
  const budget = result.rollout.failureBudget;
  const limits = [
    budget.stacks !== undefined ? `more than ${budget.stacks} stack(s)` : undefined,
    budget.percent !== undefined ? `more than ${budget.percent}% of the stacks applied so far` : undefined,
  ].filter((x) => x !== undefined);
  const out = [
    `### Rollout${result.pass === 2 ? " (second pass)" : ""}: the order of the applies`,
    "",
    "| slot | applies | stacks |",
    "|---:|---|---|",
  ];
  for (const s of result.slots) {
    if (s.stacks.length === 0) continue;
    out.push(`| ${s.index} | ${s.label} | ${s.stacks.map(code).join(", ")} |`);
  }
  out.push(
    "",
    `A gate before each slot stops the scope when ${limits.length > 0 ? limits.join(" or ") : "any stack"} failed, or when a cluster applied in an earlier slot does not report a healthy provisioning state; the later slots then stay planned, not applied. Canaries: ${result.rollout.canaries.length > 0 ? result.rollout.canaries.map(code).join(", ") : "none"}.`,
  );
  const deferred = Object.values(result.deferredLegs).flatMap((l) => l.STACKS.split(" "));
  if (deferred.length > 0) {
    out.push(
      "",
      `**Second pass:** ${deferred.map(code).join(", ")} ${deferred.length === 1 ? "is" : "are"} planned again once this pass is applied (stage ${code(`plan2_${scope}`)}), and applied after the same approval.`,
    );
  }
  return out;
}

/** One line per stack worth a logged warning or error (`##vso[task.logissue]`). */
export function collectIssues(
  scope: string,
  mode: RunMode,
  result: CollectResult,
): { type: "error" | "warning"; text: string }[] {
  const issues: { type: "error" | "warning"; text: string }[] = [];
  for (const v of result.verdicts) {
    if (v.verdict === "failed")
      issues.push({ type: "error", text: `${v.stack}: plan failed: ${v.reason ?? ""}` });
    else if (v.verdict === "deferred")
      issues.push({ type: "warning", text: `${v.stack}: deferred: ${v.reason ?? ""}` });
    else if (mode === "drift" && v.outcome === "changes") {
      issues.push({
        type: "warning",
        text: `${scope} drift: ${v.stack} differs from Azure (${v.summary ? countsLine(v.summary) : "changes"})`,
      });
    }
  }
  return issues;
}
