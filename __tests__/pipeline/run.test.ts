/** The run's mode and each scope's base commit: pull requests, main (last applied), schedule. */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  lastAppliedCommit,
  mergeBaseWith,
  parseBoolean,
  resolveBases,
  runContext,
} from "../../cli/pipeline/pipeline-run";
import { tempDir } from "../cli/fixtures";

const MAIN = { mainBranch: "main" };

describe("runContext", () => {
  it("plans only for a pull request, against its target branch", () => {
    expect(
      runContext(
        {
          BUILD_REASON: "PullRequest",
          BUILD_SOURCEBRANCH: "refs/pull/7/merge",
          SYSTEM_PULLREQUEST_TARGETBRANCH: "refs/heads/main",
        },
        MAIN,
      ),
    ).toEqual({
      mode: "pr",
      reason: "PullRequest",
      sourceBranch: "refs/pull/7/merge",
      targetBranch: "main",
      planAll: false,
    });
  });

  it("deploys a push or a manual run of main", () => {
    expect(
      runContext({ BUILD_REASON: "IndividualCI", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN).mode,
    ).toBe("deploy");
    expect(runContext({ BUILD_REASON: "BatchedCI", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN).mode).toBe(
      "deploy",
    );
    expect(runContext({ BUILD_REASON: "Manual", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN).mode).toBe(
      "deploy",
    );
  });

  it("checks drift on the schedule", () => {
    expect(runContext({ BUILD_REASON: "Schedule", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN).mode).toBe(
      "drift",
    );
  });

  it("plans a run of another branch against main, applying nothing", () => {
    expect(
      runContext({ BUILD_REASON: "Manual", BUILD_SOURCEBRANCH: "refs/heads/feature/x" }, MAIN),
    ).toMatchObject({
      mode: "pr",
      targetBranch: "main",
    });
  });

  it("fails for a pull request without a target branch", () => {
    expect(() => runContext({ BUILD_REASON: "PullRequest" }, MAIN)).toThrow(
      /SYSTEM_PULLREQUEST_TARGETBRANCH/,
    );
  });

  it("parses the planAll parameter as Azure DevOps renders it", () => {
    expect(parseBoolean("True")).toBe(true);
    expect(parseBoolean("False")).toBe(false);
    expect(parseBoolean(undefined)).toBe(false);
    expect(() => parseBoolean("maybe")).toThrow(/not a boolean/);
  });
});

/** A repository with commits a-b-c on main and a side commit s (not merged). */
function repo(): { dir: string; commits: Record<string, string> } {
  const dir = tempDir("pipeline-git-");
  const git = (...args: string[]) =>
    execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@x",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@x",
      },
    }).trim();
  git("init", "-q", "-b", "main");
  const commits: Record<string, string> = {};
  let clock = 1700000000;
  const commit = (name: string) => {
    writeFileSync(join(dir, "f.txt"), name);
    git("add", "f.txt");
    clock += 60;
    execFileSync("git", ["commit", "-q", "-m", name], {
      cwd: dir,
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "t",
        GIT_AUTHOR_EMAIL: "t@x",
        GIT_COMMITTER_NAME: "t",
        GIT_COMMITTER_EMAIL: "t@x",
        GIT_AUTHOR_DATE: `${clock} +0000`,
        GIT_COMMITTER_DATE: `${clock} +0000`,
      },
    });
    commits[name] = git("rev-parse", "HEAD");
  };
  commit("a");
  commit("b");
  git("checkout", "-q", "-b", "side");
  commit("s");
  git("checkout", "-q", "main");
  commit("c");
  git("update-ref", "refs/remotes/origin/main", commits.b!);
  git("tag", "applied/at22/10", commits.a!);
  git("tag", "applied/at22/11", commits.b!);
  git("tag", "applied/prod/12", commits.s!);
  git("tag", "applied/shared/13", commits.a!);
  return { dir, commits };
}

describe("resolveBases", () => {
  const { dir, commits } = repo();
  const deploy = runContext({ BUILD_REASON: "IndividualCI", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN);

  it("takes the newest applied tag reachable from HEAD", async () => {
    expect(await lastAppliedCommit("at22", dir)).toBe(commits.b);
    expect(await lastAppliedCommit("shared", dir)).toBe(commits.a);
  });

  it("ignores an applied tag on a commit outside HEAD's history (a pull request's)", async () => {
    expect(await lastAppliedCommit("prod", dir)).toBeUndefined();
  });

  it("compares each scope of a deploy run with its own last applied commit, else HEAD~1 with a warning", async () => {
    const bases = await resolveBases(deploy, ["shared", "at22", "prod"], dir);
    expect(bases.get("shared")).toEqual({ commit: commits.a, source: "last applied (applied/shared/*)" });
    expect(bases.get("at22")).toEqual({ commit: commits.b, source: "last applied (applied/at22/*)" });
    expect(bases.get("prod")).toMatchObject({ commit: commits.b, source: "HEAD~1 (no applied tag yet)" });
    expect(bases.get("prod")!.warning).toBeDefined();
  });

  it("compares every scope of a pull request with the merge base of its target", async () => {
    expect(await mergeBaseWith("main", dir)).toBe(commits.b);
    const pr = runContext(
      {
        BUILD_REASON: "PullRequest",
        BUILD_SOURCEBRANCH: "refs/pull/1/merge",
        SYSTEM_PULLREQUEST_TARGETBRANCH: "refs/heads/main",
      },
      MAIN,
    );
    const bases = await resolveBases(pr, ["shared", "prod"], dir);
    expect([...bases.values()]).toEqual([
      { commit: commits.b, source: "merge base with main" },
      { commit: commits.b, source: "merge base with main" },
    ]);
  });

  it("plans every stack on the schedule and with planAll", async () => {
    const drift = runContext({ BUILD_REASON: "Schedule", BUILD_SOURCEBRANCH: "refs/heads/main" }, MAIN);
    expect([...(await resolveBases(drift, ["at22"], dir)).values()]).toEqual([
      { source: "drift check: every stack" },
    ]);
    const all = runContext(
      { BUILD_REASON: "Manual", BUILD_SOURCEBRANCH: "refs/heads/main" },
      { ...MAIN, planAll: true },
    );
    expect([...(await resolveBases(all, ["at22"], dir)).values()]).toEqual([
      { source: "planAll: every stack" },
    ]);
  });
});
