/**
 * Plain Terraform per synthesized stack: `init`, `plan -out` and `apply <saved plan>`.
 *
 * Every stack's artifacts go to `<out-dir>/<stack>/`:
 *
 * | file | written by | holds |
 * |---|---|---|
 * | `tfplan` | plan | the saved plan (treat as secret: it holds resolved values) |
 * | `plan.json` | plan | `terraform show -json tfplan` (as secret as tfplan) |
 * | `summary.md` | plan | counts and the destroyed/replaced addresses, for the run summary |
 * | `result.json` | plan | `PlanResult`: outcome, exit code, hasChanges, hasDestroy, counts |
 * | `plan.log` | plan | init and plan output |
 * | `terraform.lock.hcl` | plan | the provider lock `init` wrote; apply restores it before `init` |
 * | `apply.log`, `apply-result.json` | apply | apply output and `ApplyResult` |
 *
 * A saved plan only applies with the providers it was made with, and cdktf keeps the lock file
 * in the throwaway stack directory, so plan keeps a copy beside `tfplan` and apply (on another
 * agent, from the artifact) puts it back before `init`.
 *
 * Apply only ever applies a saved plan: without `tfplan` it refuses. Terraform itself refuses a
 * plan made against an older state ("Saved plan is stale"); that outcome is `stale`, distinct
 * from other failures, because the fix is to plan again, not to debug.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type ClusterRef, clustersInPlan } from "../pipeline/aks-health";
import { type Json, parseJson, prop } from "../shared/json";
import type { ManifestStack } from "../shared/manifest";
import { run, tail } from "../shared/process";
import type { Mutex } from "../shared/schedule";
import { countsLine, hasDestroy, type PlanSummary, planSummaryMarkdown, summarizePlan } from "./plan-summary";

export interface TerraformOptions {
  /** The terraform executable: `$TERRAFORM_BINARY`, else `terraform` from PATH. */
  readonly binary: string;
  /** How long plan and apply wait for the state lock (Terraform duration: `5m`, `30s`). */
  readonly lockTimeout: string;
  /**
   * Whether plan takes the state lock. The pipeline's plan identities may only read state (the
   * lock is a blob lease, which needs write access), so plans run with `-lock=false`; applying a
   * saved plan is still safe because Terraform refuses a plan whose state has moved on.
   * @default true
   */
  readonly planStateLock?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  /** Serializes `terraform init` (set when a shared TF_PLUGIN_CACHE_DIR is not concurrency safe). */
  readonly initLock?: Mutex;
  /** Receives every chunk of Terraform output, as it arrives. */
  readonly onOutput?: (stack: string, chunk: string) => void;
  /**
   * What plan does when the stack's state blob does not exist yet (see `MISSING_STATE`):
   * `fail` the stack, naming the stage that creates the blob, or plan a `preview` against an
   * empty local state, which is never applied.
   * @default "fail"
   */
  readonly missingState?: MissingStateMode;
}

/** `plan --missing-state`: deploy runs `fail`, pull request and scheduled runs `preview`. */
export const MISSING_STATE_MODES = ["preview", "fail"] as const;
export type MissingStateMode = (typeof MISSING_STATE_MODES)[number];

/**
 * How `terraform init` fails for a stack that was never applied, with an identity that may only
 * read state. The azurerm backend's `StateMgr`, which `terraform init` calls, finds no state blob,
 * takes a lease on it (creating the blob first) and writes an empty state; with Storage Blob Data
 * Reader the write is refused, and `-lock=false` does not avoid it
 * (hashicorp/terraform v1.12.2 internal/backend/remote-state/azure/backend_state.go, `StateMgr`:
 * "failed to lock azure state"; internal/command/init.go calls it; the same in v1.11.4).
 */
export const MISSING_STATE = /failed to lock azure state/;

/** The stage of a deploy run that creates missing state blobs (`pipeline init-state`). */
export const INIT_STATE_STAGE = "init_state";

/** The override file that points a preview plan at an empty local state. */
const PREVIEW_OVERRIDE = "fleet_missing_state_override.tf.json";

export type PlanOutcome = "unchanged" | "changes" | "failed" | "locked" | "skipped";
export type ApplyOutcome =
  | "applied"
  | "nothing-to-apply"
  | "stale"
  | "failed"
  | "locked"
  | "no-plan"
  | "skipped"
  | "blocked";

interface ResultBase {
  readonly stack: string;
  /** This stack's exit code in its command's convention (see PLAN_EXIT / APPLY_EXIT). */
  readonly exitCode: number;
  /** The last Terraform command's own exit code. */
  readonly terraformExitCode?: number;
  readonly durationMs: number;
  readonly message?: string;
}

export interface PlanResult extends ResultBase {
  readonly command: "plan";
  readonly outcome: PlanOutcome;
  readonly hasChanges: boolean;
  readonly hasDestroy: boolean;
  readonly summary?: PlanSummary;
  readonly planFile?: string;
  /**
   * The stack's state blob did not exist, so this plan ran against an empty local state
   * (`--missing-state preview`): it shows what the first apply would create, and is never applied.
   */
  readonly preview?: boolean;
}

export interface ApplyResult extends ResultBase {
  readonly command: "apply";
  readonly outcome: ApplyOutcome;
  /** AKS clusters the applied plan created or updated (for `pipeline gate`'s health check). */
  readonly clusters?: readonly ClusterRef[];
}

/** Plan exit codes (per stack and aggregated): Terraform's `-detailed-exitcode` convention. */
export const PLAN_EXIT = { unchanged: 0, failed: 1, changes: 2 } as const;
/** Apply exit codes: 3 = a saved plan was stale (re-plan and apply again). */
export const APPLY_EXIT = { ok: 0, failed: 1, stale: 3 } as const;

const LOCK_FILE = ".terraform.lock.hcl";
/** Without the leading dot, so that artifact uploads do not skip it as a hidden file. */
const SAVED_LOCK_FILE = "terraform.lock.hcl";
const STALE = /Saved plan is stale/;
const LOCKED = /Error acquiring the state lock/;

export function terraformBinary(env: NodeJS.ProcessEnv = process.env): string {
  const b = env.TERRAFORM_BINARY;
  return b !== undefined && b !== "" ? b : "terraform";
}

/** The Terraform version, or undefined when the binary cannot be run. */
export async function terraformVersion(binary: string): Promise<string | undefined> {
  const r = await run(binary, ["version", "-json"], { cwd: process.cwd() });
  if (r.code !== 0) return undefined;
  try {
    const v = prop(parseJson(r.stdout, "terraform version -json"), "terraform_version");
    return typeof v === "string" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Terraform in automation: no prompts, no "run terraform apply" hints, no version check call home. */
export function tfEnv(options: Pick<TerraformOptions, "env">): NodeJS.ProcessEnv {
  const env = options.env ?? process.env;
  return { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: env.CHECKPOINT_DISABLE ?? "1" };
}

async function terraform(stack: ManifestStack, args: string[], options: TerraformOptions, log: string[]) {
  log.push(`$ terraform ${args.join(" ")}\n`);
  const r = await run(options.binary, args, {
    cwd: stack.workingDirectory,
    env: tfEnv(options),
    ...(options.onOutput ? { onOutput: (c: string) => options.onOutput!(stack.id, c) } : {}),
  });
  log.push(r.spawnError !== undefined ? `cannot run ${options.binary}: ${r.spawnError}\n` : r.output);
  return r;
}

async function init(stack: ManifestStack, options: TerraformOptions, log: string[], extra: string[] = []) {
  const go = () => terraform(stack, ["init", "-input=false", "-no-color", ...extra], options, log);
  return options.initLock ? options.initLock.run(go) : go();
}

function failureMessage(what: string, output: string, spawnError?: string): string {
  return spawnError !== undefined ? `${what}: ${spawnError}` : `${what}\n${tail(output, 15)}`;
}

export function stackDir(outDir: string, stack: string): string {
  return join(resolve(outDir), stack);
}

/** How one stack is planned: `destroy` for a decommissioned stack (stacks.json `"mode": "destroy"`). */
export interface PlanMode {
  readonly destroy?: boolean;
}

const PREVENTED_DESTROY = /Resource (\S+) has lifecycle\.prevent_destroy set/g;

/**
 * init + plan -out + show -json for one stack; writes the stack's plan artifacts. A stack in
 * destroy mode is planned with `-destroy`, unless its state is already empty (nothing left to
 * destroy: its data sources may read resources that are gone); Terraform's refusal to destroy a
 * resource with `prevent_destroy` becomes one message naming every such resource and the setting.
 */
export async function planStack(
  stack: ManifestStack,
  outDir: string,
  options: TerraformOptions,
  mode: PlanMode = {},
): Promise<PlanResult> {
  const started = Date.now();
  const dir = stackDir(outDir, stack.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const planFile = join(dir, "tfplan");
  const log: string[] = [];
  let restore: (() => void) | undefined;
  const finish = (r: Omit<PlanResult, "stack" | "command" | "durationMs">): PlanResult => {
    restore?.();
    const result: PlanResult = { stack: stack.id, command: "plan", ...r, durationMs: Date.now() - started };
    writeFileSync(join(dir, "plan.log"), log.join(""));
    writeFileSync(join(dir, "result.json"), `${JSON.stringify(result, null, 2)}\n`);
    const outcome =
      result.outcome === "changes" ? `changes (${countsLine(result.summary!)})` : result.outcome;
    const status = result.preview ? `preview against an empty state, never applied: ${outcome}` : outcome;
    writeFileSync(join(dir, "summary.md"), planSummaryMarkdown(stack.id, result.summary, status));
    return result;
  };
  const failed = (message: string, code?: number, outcome: PlanOutcome = "failed") =>
    finish({
      outcome,
      exitCode: PLAN_EXIT.failed,
      ...(code !== undefined ? { terraformExitCode: code } : {}),
      hasChanges: false,
      hasDestroy: false,
      message,
    });

  if (!existsSync(stack.workingDirectory)) return failed(`no stack directory ${stack.workingDirectory}`);
  const i = await init(stack, options, log);
  let preview = false;
  if (i.code !== 0 && MISSING_STATE.test(i.output)) {
    if (options.missingState !== "preview") {
      return failed(
        `the state blob of ${stack.id} does not exist yet, and this identity may not create it: the ` +
          `${INIT_STATE_STAGE} stage of a deploy run creates it (npm run pipeline -- init-state, with the ` +
          `state scope's apply identity); run the pipeline again on main, or plan with --missing-state preview\n` +
          tail(i.output, 15),
        i.code,
      );
    }
    preview = true;
  } else if (i.code !== 0) {
    return failed(failureMessage("terraform init failed", i.output, i.spawnError), i.code);
  }
  // A preview plans against an empty local state: the override replaces the backend until the
  // plan is made (see `previewBackend`; `finish` restores the real backend).
  if (preview) {
    restore = previewBackend(stack, dir);
    const r = await init(stack, options, log, ["-reconfigure"]);
    if (r.code !== 0) {
      return failed(
        failureMessage("terraform init (preview, empty local state) failed", r.output, r.spawnError),
        r.code,
      );
    }
  }

  if (mode.destroy) {
    const list = await terraform(stack, ["state", "list", "-no-color"], options, log);
    if (list.code === 0 && list.stdout.trim() === "") {
      return finish({
        outcome: "unchanged",
        exitCode: PLAN_EXIT.unchanged,
        terraformExitCode: 0,
        hasChanges: false,
        hasDestroy: false,
        message:
          'decommissioned and its state is empty: nothing left to destroy; remove its decommission entry from fleet.yaml (README "Decommission an organisation")',
      });
    }
  }

  const p = await terraform(
    stack,
    [
      "plan",
      ...(mode.destroy ? ["-destroy"] : []),
      "-input=false",
      "-no-color",
      ...(options.planStateLock === false ? ["-lock=false"] : [`-lock-timeout=${options.lockTimeout}`]),
      "-detailed-exitcode",
      `-out=${planFile}`,
    ],
    options,
    log,
  );
  if (p.code !== 0 && p.code !== 2) {
    const prevented = [...p.output.matchAll(PREVENTED_DESTROY)].map((m) => m[1]!);
    if (mode.destroy && prevented.length > 0) {
      return failed(
        `the decommission would destroy stateful resources that keep lifecycle.prevent_destroy: ${[...new Set(prevented)].join(", ")}. ` +
          "Nothing of the stack is destroyed. Save what must be kept, then set destroyStatefulResources: true in its " +
          'decommission entry in fleet.yaml (README "Decommission an organisation"), or remove the entry',
        p.code,
      );
    }
    const locked = LOCKED.test(p.output);
    return failed(
      failureMessage(locked ? "the state is locked by another operation" : "terraform plan failed", p.output),
      p.code,
      locked ? "locked" : "failed",
    );
  }
  const s = await run(options.binary, ["show", "-json", "-no-color", planFile], {
    cwd: stack.workingDirectory,
    env: tfEnv(options),
  });
  if (s.code !== 0) return failed(failureMessage("terraform show -json failed", s.stderr), s.code);
  let plan: Json;
  try {
    plan = parseJson(s.stdout, "terraform show -json");
  } catch (e) {
    return failed(e instanceof Error ? e.message : String(e));
  }
  writeFileSync(join(dir, "plan.json"), s.stdout);
  const lockFile = join(stack.workingDirectory, LOCK_FILE);
  if (existsSync(lockFile)) copyFileSync(lockFile, join(dir, SAVED_LOCK_FILE));
  const summary = summarizePlan(plan);
  const changes = p.code === 2;
  return finish({
    outcome: changes ? "changes" : "unchanged",
    exitCode: changes ? PLAN_EXIT.changes : PLAN_EXIT.unchanged,
    terraformExitCode: p.code,
    hasChanges: changes,
    hasDestroy: hasDestroy(summary),
    summary,
    planFile,
    ...(preview
      ? {
          preview: true,
          message: `preview: the state blob of ${stack.id} does not exist yet; planned against an empty state, never applied (the ${INIT_STATE_STAGE} stage of a deploy run creates the blob)`,
        }
      : {}),
  });
}

/**
 * Points a never-applied stack at an empty local state: an override file replaces the backend
 * (Terraform merges `*_override.tf.json`, and a backend in an override replaces the original).
 * Returns the function that removes the override, the empty state and the backend record it
 * leaves in `.terraform/`, so later commands in the stack directory use the real backend again.
 */
function previewBackend(stack: ManifestStack, dir: string): () => void {
  const override = join(stack.workingDirectory, PREVIEW_OVERRIDE);
  const emptyState = join(dir, "preview.tfstate");
  writeFileSync(
    override,
    `${JSON.stringify({ terraform: { backend: { local: { path: emptyState } } } }, null, 2)}\n`,
  );
  return () => {
    rmSync(override, { force: true });
    rmSync(join(stack.workingDirectory, ".terraform", "terraform.tfstate"), { force: true });
    rmSync(emptyState, { force: true });
  };
}

/** The plan result a previous `planStack` left, if readable. */
export function readPlanResult(outDir: string, stack: string): PlanResult | undefined {
  const file = join(stackDir(outDir, stack), "result.json");
  if (!existsSync(file)) return undefined;
  try {
    const json = parseJson(readFileSync(file, "utf8"), file);
    return prop(json, "command") === "plan" ? (json as unknown as PlanResult) : undefined;
  } catch {
    return undefined;
  }
}

/** init + apply of the stack's saved plan. Never plans; refuses without a saved plan. */
export async function applyStack(
  stack: ManifestStack,
  outDir: string,
  options: TerraformOptions,
): Promise<ApplyResult> {
  const started = Date.now();
  const dir = stackDir(outDir, stack.id);
  const planFile = join(dir, "tfplan");
  const log: string[] = [];
  const finish = (r: Omit<ApplyResult, "stack" | "command" | "durationMs">): ApplyResult => {
    const result: ApplyResult = { stack: stack.id, command: "apply", ...r, durationMs: Date.now() - started };
    if (existsSync(dir)) {
      writeFileSync(join(dir, "apply.log"), log.join(""));
      writeFileSync(join(dir, "apply-result.json"), `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  };
  const planned = readPlanResult(outDir, stack.id);
  if (planned !== undefined && planned.exitCode === PLAN_EXIT.failed) {
    return finish({
      outcome: "no-plan",
      exitCode: APPLY_EXIT.failed,
      message: `the plan of ${stack.id} failed: nothing to apply`,
    });
  }
  if (planned?.preview === true) {
    return finish({
      outcome: "no-plan",
      exitCode: APPLY_EXIT.failed,
      message: `the plan of ${stack.id} is a preview against an empty state (its state blob did not exist): previews are never applied; the ${INIT_STATE_STAGE} stage of a deploy run creates the blob, then plan again`,
    });
  }
  if (!existsSync(planFile)) {
    return finish({
      outcome: "no-plan",
      exitCode: APPLY_EXIT.failed,
      message: `no saved plan at ${planFile}: run npm run plan first (apply never runs without a saved plan)`,
    });
  }
  if (planned !== undefined && !planned.hasChanges) {
    return finish({
      outcome: "nothing-to-apply",
      exitCode: APPLY_EXIT.ok,
      message: "the saved plan has no changes",
    });
  }
  const savedLock = join(dir, SAVED_LOCK_FILE);
  if (existsSync(savedLock)) copyFileSync(savedLock, join(stack.workingDirectory, LOCK_FILE));
  const i = await init(stack, options, log);
  if (i.code !== 0) {
    return finish({
      outcome: "failed",
      exitCode: APPLY_EXIT.failed,
      terraformExitCode: i.code,
      message: failureMessage("terraform init failed", i.output, i.spawnError),
    });
  }
  const a = await terraform(
    stack,
    ["apply", "-input=false", "-no-color", `-lock-timeout=${options.lockTimeout}`, planFile],
    options,
    log,
  );
  if (a.code === 0) {
    const clusters = appliedClusters(dir);
    return finish({
      outcome: "applied",
      exitCode: APPLY_EXIT.ok,
      terraformExitCode: 0,
      ...(clusters.length > 0 ? { clusters } : {}),
    });
  }
  if (STALE.test(a.output)) {
    return finish({
      outcome: "stale",
      exitCode: APPLY_EXIT.stale,
      terraformExitCode: a.code,
      message: "the saved plan is stale: the state changed after it was made; plan again, review, then apply",
    });
  }
  const locked = LOCKED.test(a.output);
  return finish({
    outcome: locked ? "locked" : "failed",
    exitCode: APPLY_EXIT.failed,
    terraformExitCode: a.code,
    message: failureMessage(
      locked ? "the state is locked by another operation" : "terraform apply failed",
      a.output,
    ),
  });
}

/** The clusters the saved plan's JSON (`plan.json` beside `tfplan`) creates or updates. */
function appliedClusters(dir: string): ClusterRef[] {
  const file = join(dir, "plan.json");
  if (!existsSync(file)) return [];
  try {
    return clustersInPlan(parseJson(readFileSync(file, "utf8"), file));
  } catch {
    return [];
  }
}

/** Writes the apply result of a stack that was not applied (skipped or blocked), beside its plan. */
export function writeApplyResult(outDir: string, result: ApplyResult): void {
  const dir = stackDir(outDir, result.stack);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "apply-result.json"), `${JSON.stringify(result, null, 2)}\n`);
}

/** 1 if any stack failed, else 2 if any has changes, else 0. */
export function aggregatePlanExit(results: Iterable<PlanResult>): number {
  let code: number = PLAN_EXIT.unchanged;
  for (const r of results) {
    if (r.outcome === "skipped") continue;
    if (r.exitCode === PLAN_EXIT.failed) return PLAN_EXIT.failed;
    if (r.exitCode === PLAN_EXIT.changes) code = PLAN_EXIT.changes;
  }
  return code;
}

/** 1 if any stack failed (stale aside), else 3 if any plan was stale, else 0. */
export function aggregateApplyExit(results: Iterable<ApplyResult>): number {
  let code: number = APPLY_EXIT.ok;
  for (const r of results) {
    if (r.outcome === "skipped" || r.outcome === "blocked") continue;
    if (r.exitCode === APPLY_EXIT.failed) return APPLY_EXIT.failed;
    if (r.exitCode === APPLY_EXIT.stale) code = APPLY_EXIT.stale;
  }
  return code;
}
