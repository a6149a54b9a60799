/**
 * What kind of pipeline run this is, and which commit each state scope is compared with.
 *
 * | run | mode | each scope is compared with |
 * |---|---|---|
 * | pull request (`Build.Reason` PullRequest) | `pr`: plan only | the merge base with the PR's target branch |
 * | a push or manual run on the main branch | `deploy`: plan, approve, apply | the scope's last applied commit (`applied/<scope>/<build id>` tags reachable from HEAD), else `HEAD~1` |
 * | a run of any other branch | `pr`: plan only | the merge base with the main branch |
 * | the nightly schedule (`Build.Reason` Schedule) | `drift`: plan every stack, apply nothing | nothing: every stack is planned |
 *
 * `planAll` plans every stack in any mode (a first run, or recovery after a failed apply).
 */

import { run, tail } from "../shared/process";
import { PIPELINE_NAMES } from "./pipeline";

export type RunMode = "pr" | "deploy" | "drift";

export interface RunContext {
  readonly mode: RunMode;
  /** `Build.Reason`, as Azure DevOps gave it (`manual` outside a pipeline). */
  readonly reason: string;
  /** The branch the run is for (`refs/heads/main`). */
  readonly sourceBranch: string;
  /** The branch a `pr` run compares with (short name: `main`). */
  readonly targetBranch?: string;
  /** Plan every stack of every scope instead of the affected ones. */
  readonly planAll: boolean;
}

export interface RunContextOptions {
  readonly mainBranch: string;
  readonly planAll?: boolean;
  /** Overrides of what Azure DevOps puts in the environment. */
  readonly reason?: string;
  readonly sourceBranch?: string;
  readonly targetBranch?: string;
}

export function shortBranch(ref: string): string {
  return ref.replace(/^refs\/heads\//, "");
}

/** The run's mode from Azure DevOps' predefined variables (`BUILD_REASON`, `BUILD_SOURCEBRANCH`, ...). */
export function runContext(env: NodeJS.ProcessEnv, options: RunContextOptions): RunContext {
  const reason = options.reason ?? env.BUILD_REASON ?? "Manual";
  const sourceBranch = options.sourceBranch ?? env.BUILD_SOURCEBRANCH ?? `refs/heads/${options.mainBranch}`;
  const planAll = options.planAll === true;
  if (reason === "Schedule") return { mode: "drift", reason, sourceBranch, planAll };
  if (reason === "PullRequest") {
    const target = options.targetBranch ?? env.SYSTEM_PULLREQUEST_TARGETBRANCH;
    if (target === undefined || target === "") {
      throw new Error(
        "a pull request run without SYSTEM_PULLREQUEST_TARGETBRANCH: cannot tell what to compare with",
      );
    }
    return { mode: "pr", reason, sourceBranch, targetBranch: shortBranch(target), planAll };
  }
  if (shortBranch(sourceBranch) === options.mainBranch)
    return { mode: "deploy", reason, sourceBranch, planAll };
  return { mode: "pr", reason, sourceBranch, targetBranch: options.mainBranch, planAll };
}

/** `--plan-all` as Azure DevOps renders a boolean parameter (`True`/`False`) or as a person types it. */
export function parseBoolean(value: string | undefined): boolean {
  if (value === undefined) return false;
  const v = value.trim().toLowerCase();
  if (["true", "yes", "1", "on"].includes(v)) return true;
  if (["false", "no", "0", "off", ""].includes(v)) return false;
  throw new Error(`"${value}" is not a boolean (true or false)`);
}

async function git(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; out: string; err: string }> {
  const r = await run("git", args, { cwd });
  return { code: r.code, out: r.stdout.trim(), err: r.spawnError ?? tail(r.stderr, 5) };
}

async function gitOk(args: readonly string[], cwd: string): Promise<string> {
  const r = await git(args, cwd);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed (exit ${r.code}): ${r.err}`);
  return r.out;
}

/** The commit `ref` names, or undefined when it names none. */
export async function resolveCommit(ref: string, cwd: string): Promise<string | undefined> {
  const r = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  return r.code === 0 && r.out !== "" ? r.out : undefined;
}

/**
 * The newest commit recorded as applied for `scope`: the `applied/<scope>/*` tag whose commit is
 * reachable from HEAD and was committed last. Tags on commits outside HEAD's history (a pull
 * request's, a rewritten branch's) are ignored.
 */
export async function lastAppliedCommit(scope: string, cwd: string): Promise<string | undefined> {
  const prefix = `refs/tags/${PIPELINE_NAMES.appliedTagPrefix(scope)}`;
  const out = await gitOk(
    ["for-each-ref", "--merged=HEAD", "--sort=-committerdate", "--format=%(objectname)", prefix],
    cwd,
  );
  const first = out.split("\n").find((l) => l.trim() !== "");
  return first === undefined ? undefined : resolveCommit(first.trim(), cwd);
}

/** The merge base of HEAD and `origin/<branch>` (fetched when the checkout lacks it). */
export async function mergeBaseWith(branch: string, cwd: string): Promise<string> {
  let target = await resolveCommit(`refs/remotes/origin/${branch}`, cwd);
  if (target === undefined) {
    await gitOk(["fetch", "--no-tags", "origin", branch], cwd);
    target = await resolveCommit("FETCH_HEAD", cwd);
  }
  if (target === undefined) throw new Error(`cannot find origin/${branch} to compare with`);
  return gitOk(["merge-base", "HEAD", target], cwd);
}

/** The warning of a deploy run's scope that has never been recorded as applied. */
export const NO_APPLIED_TAG = "no applied tag reachable from HEAD";

export interface ScopeBase {
  /** The commit to compare with; undefined: plan every stack of the scope. */
  readonly commit?: string;
  /** Where it came from, for the run summary. */
  readonly source: string;
  /** Set when the base is a fallback the reader should know about. */
  readonly warning?: string;
}

/** The base of every scope for this run (see the table at the top). */
export async function resolveBases(
  context: RunContext,
  scopes: readonly string[],
  cwd: string,
): Promise<Map<string, ScopeBase>> {
  const bases = new Map<string, ScopeBase>();
  if (context.planAll || context.mode === "drift") {
    const source = context.planAll ? "planAll: every stack" : "drift check: every stack";
    for (const s of scopes) bases.set(s, { source });
    return bases;
  }
  if (context.mode === "pr") {
    const branch = context.targetBranch!;
    const commit = await mergeBaseWith(branch, cwd);
    for (const s of scopes) bases.set(s, { commit, source: `merge base with ${branch}` });
    return bases;
  }
  const parent = await resolveCommit("HEAD~1", cwd);
  for (const s of scopes) {
    const applied = await lastAppliedCommit(s, cwd);
    if (applied !== undefined) {
      bases.set(s, { commit: applied, source: `last applied (${PIPELINE_NAMES.appliedTagPrefix(s)}*)` });
    } else if (parent !== undefined) {
      bases.set(s, {
        commit: parent,
        source: "HEAD~1 (no applied tag yet)",
        warning: NO_APPLIED_TAG,
      });
    } else {
      bases.set(s, { source: "first commit: every stack" });
    }
  }
  return bases;
}
