/**
 * The end of a plan stage: verdicts per stack (apply, unchanged, deferred, blocked, failed), the
 * apply matrices in waves, and when a scope counts as fully applied.
 */
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { allLegs, buildMatrix, type Legs } from "../../cli/matrix/matrix";
import { main } from "../../cli/pipeline/command";
import {
  type CollectOptions,
  collect,
  collectIssues,
  collectSummary,
  headline,
  type LegResults,
  type StackResult,
} from "../../cli/pipeline/pipeline-collect";
import { type LegRecord, legArtifacts, stageLeg } from "../../cli/pipeline/pipeline-leg";
import type { RunMode } from "../../cli/pipeline/pipeline-run";
import { StackGraph } from "../../cli/shared/manifest";
import type { PlanSummary } from "../../cli/terraform/plan-summary";
import { captureIO, type FixtureStack, stackJson, tempDir, writeOut } from "../cli/fixtures";

const EDGES: [string, string[]][] = [
  ["org-new", []],
  ["org-ttd", []],
  ["platform-at22", []],
  ["platform-at22-k8s", ["platform-at22"]],
  ["apps-new-at22", ["org-new"]],
  ["apps-new-at22-k8s", ["apps-new-at22"]],
  ["apps-ttd-at22", ["org-ttd"]],
  ["apps-ttd-at22-k8s", ["apps-ttd-at22"]],
];
const graph = new StackGraph(new Map(EDGES));
const AT22 = EDGES.map(([id]) => id).filter((id) => id.includes("at22"));

function summary(create: number, update = 0, del = 0): PlanSummary {
  return {
    create,
    update,
    delete: del,
    replace: 0,
    move: 0,
    import: 0,
    forget: 0,
    outputChanges: 0,
    drift: 0,
    destroyed: del > 0 ? ["azurerm_resource_group.old"] : [],
    replaced: [],
    statefulDestroyed: [],
  };
}

const CHANGES: StackResult = { outcome: "changes", hasChanges: true, summary: summary(2, 1) };
const UNCHANGED: StackResult = { outcome: "unchanged", hasChanges: false, summary: summary(0) };
const failed = (message: string): StackResult => ({
  outcome: "failed",
  message: `terraform plan failed\n${message}`,
});

/** One leg per stack (as the matrix makes them when they fit), results as given. */
function run(
  mode: RunMode,
  results: Record<string, StackResult | undefined>,
  options: { legs?: Legs; changedInRun?: string[]; extra?: LegResults[] } = {},
): ReturnType<typeof collect> {
  const planLegs = options.legs ?? allLegs(buildMatrix({ graph, stacks: AT22, env: "at22" }).matrix);
  const legs: LegResults[] = Object.values(planLegs).map((leg) => legResults(leg.STACKS, leg.WAVE, results));
  const o: CollectOptions = {
    scope: "at22",
    mode,
    planLegs,
    legs: [...legs, ...(options.extra ?? [])],
    graph,
    changedInRun: new Set(options.changedInRun ?? []),
    decisionsArtifact: "decisions_at22_1_1",
  };
  return collect(o);
}

function legResults(
  stacks: string,
  wave: string,
  results: Record<string, StackResult | undefined>,
  attempt = { stage: 1, job: 1 },
): LegResults {
  const names = legArtifacts("at22", stacks, attempt);
  const record: LegRecord = {
    scope: "at22",
    stacks,
    wave,
    planArtifact: names.plan,
    resultArtifact: names.result,
    attempt,
  };
  const map = new Map<string, StackResult>();
  for (const s of stacks.split(" ")) if (results[s] !== undefined) map.set(s, results[s]!);
  return { record, results: map, summaries: new Map() };
}

const verdicts = (r: ReturnType<typeof collect>) =>
  Object.fromEntries(r.verdicts.map((v) => [v.stack, v.verdict]));

describe("collect: a deploy run on main", () => {
  const onboarding = {
    "platform-at22": UNCHANGED,
    "platform-at22-k8s": CHANGES,
    "apps-new-at22": { ...CHANGES, summary: summary(25) },
    "apps-new-at22-k8s": failed("Error: reading Kubernetes Cluster aks-new-at22: not found"),
    "apps-ttd-at22": UNCHANGED,
    "apps-ttd-at22-k8s": CHANGES,
  };

  it("defers a -k8s stack whose cluster is created in this run, and applies the rest", () => {
    const r = run("deploy", onboarding);
    expect(verdicts(r)).toEqual({
      "platform-at22": "unchanged",
      "apps-new-at22": "apply",
      "apps-ttd-at22": "unchanged",
      "platform-at22-k8s": "apply",
      "apps-new-at22-k8s": "deferred",
      "apps-ttd-at22-k8s": "apply",
    });
    expect(r.verdicts.find((v) => v.stack === "apps-new-at22-k8s")!.reason).toMatch(
      /planned before apps-new-at22 exists in its new form .*planned again by this run's second pass/,
    );
    expect(r).toMatchObject({
      canApply: true,
      complete: false,
      markClean: false,
      hasChanges: true,
      failed: [],
    });
  });

  it("puts each changed stack's saved plan in its slot's apply matrix (one slot per wave without a rollout), with the stack list beside it", () => {
    const r = run("deploy", onboarding);
    const legs = allLegs(buildMatrix({ graph, stacks: AT22, env: "at22" }).matrix);
    const artifact = (leg: string) => legArtifacts("at22", legs[leg]!.STACKS, { stage: 1, job: 1 }).plan;
    expect(r.applySlots).toEqual([
      {},
      {
        apps_new_at22: {
          ARTIFACT: artifact("apps_new_at22"),
          DECISIONS: "decisions_at22_1_1",
          WAVE: "1",
          SLOT: "1",
        },
        platform_at22_k8s: {
          ARTIFACT: artifact("platform_at22_k8s"),
          DECISIONS: "decisions_at22_1_1",
          WAVE: "1",
          SLOT: "1",
        },
      },
      {
        apps_ttd_at22_k8s: {
          ARTIFACT: artifact("apps_ttd_at22_k8s"),
          DECISIONS: "decisions_at22_1_1",
          WAVE: "2",
          SLOT: "2",
        },
      },
    ]);
    expect(r.decisions.get(artifact("apps_new_at22"))).toEqual(["apps-new-at22"]);
  });

  it("applies only the changed stacks of a shared leg", () => {
    const legs: Legs = {
      w0_s001_platform_at22: { STACKS: "platform-at22", WAVE: "0" },
      w1_s001_apps_new_at22: { STACKS: "apps-new-at22 apps-ttd-at22 platform-at22-k8s", WAVE: "1" },
      w2_s001_apps_new_at22_k8s: { STACKS: "apps-new-at22-k8s apps-ttd-at22-k8s", WAVE: "2" },
    };
    const r = run("deploy", onboarding, { legs });
    expect(Object.keys(r.applySlots[1]!)).toEqual(["w1_s001_apps_new_at22"]);
    expect([...r.decisions.values()]).toEqual([
      ["apps-new-at22", "platform-at22-k8s"],
      ["apps-ttd-at22-k8s"],
    ]);
  });

  it("applies nothing in the scope when a plan genuinely fails, and blocks what depends on it", () => {
    const r = run("deploy", {
      ...onboarding,
      "apps-new-at22-k8s": CHANGES,
      "apps-ttd-at22": failed("Error: Unsupported argument"),
    });
    expect(verdicts(r)["apps-ttd-at22"]).toBe("failed");
    expect(verdicts(r)["apps-ttd-at22-k8s"]).toBe("blocked");
    expect(r.canApply).toBe(false);
    expect(r.applySlots).toEqual([{}, {}, {}]);
    expect(r.failed.map((f) => [f.stack, f.reason])).toEqual([
      ["apps-ttd-at22", "Error: Unsupported argument"],
    ]);
  });

  it("counts a leg that published no results as failed", () => {
    const r = run("deploy", { ...onboarding, "apps-ttd-at22-k8s": undefined });
    expect(r.verdicts.find((v) => v.stack === "apps-ttd-at22-k8s")).toMatchObject({
      verdict: "failed",
      outcome: "missing",
      reason: "no result for apps-ttd-at22-k8s in leg apps_ttd_at22_k8s",
    });
    expect(r.canApply).toBe(false);
  });

  it("never defers a state lock failure", () => {
    const r = run("deploy", {
      ...onboarding,
      "apps-new-at22-k8s": { outcome: "locked", message: "the state is locked" },
    });
    expect(verdicts(r)["apps-new-at22-k8s"]).toBe("failed");
  });

  it("records a scope as applied without an apply stage when nothing changed", () => {
    const r = run("deploy", Object.fromEntries(AT22.map((s) => [s, UNCHANGED])));
    expect(r).toMatchObject({ canApply: false, complete: true, markClean: true, hasChanges: false });
  });

  it("is complete (the apply stage records it) when every change applies and nothing waits", () => {
    const r = run("deploy", { ...onboarding, "apps-new-at22-k8s": CHANGES });
    expect(r).toMatchObject({ canApply: true, complete: true, markClean: false });
  });

  it("reads the newest attempt of a re-run leg", () => {
    const legs = allLegs(buildMatrix({ graph, stacks: AT22, env: "at22" }).matrix);
    const retried = legResults(
      legs.apps_ttd_at22!.STACKS,
      "1",
      { "apps-ttd-at22": CHANGES },
      { stage: 1, job: 2 },
    );
    const r = run("deploy", { ...onboarding, "apps-ttd-at22": failed("transient") }, { extra: [retried] });
    expect(verdicts(r)["apps-ttd-at22"]).toBe("apply");
    expect(r.decisions.has(retried.record.planArtifact)).toBe(true);
  });
});

describe("collect: a pull request", () => {
  it("defers a stack whose dependency in another scope is new in this change, and applies nothing", () => {
    const r = run(
      "pr",
      {
        "platform-at22": UNCHANGED,
        "platform-at22-k8s": UNCHANGED,
        "apps-new-at22": failed("Error: Container Registry newaltinnregistry01 was not found"),
        "apps-new-at22-k8s": failed("Error: reading Kubernetes Cluster: not found"),
        "apps-ttd-at22": CHANGES,
        "apps-ttd-at22-k8s": UNCHANGED,
      },
      { changedInRun: ["org-new", "apps-new-at22", "apps-new-at22-k8s"] },
    );
    expect(verdicts(r)["apps-new-at22"]).toBe("deferred");
    expect(verdicts(r)["apps-new-at22-k8s"]).toBe("deferred");
    expect(r).toMatchObject({ canApply: false, markClean: false, failed: [] });
    expect(r.applySlots).toEqual([{}, {}, {}]);
  });

  it("fails a plan whose dependencies did not change", () => {
    const r = run(
      "pr",
      { ...Object.fromEntries(AT22.map((s) => [s, UNCHANGED])), "apps-ttd-at22": failed("boom") },
      {
        changedInRun: ["apps-new-at22"],
      },
    );
    expect(verdicts(r)["apps-ttd-at22"]).toBe("failed");
  });
});

describe("collect: the nightly drift check", () => {
  it("reports every stack with changes as drift and defers nothing", () => {
    const r = run("drift", {
      ...Object.fromEntries(AT22.map((s) => [s, UNCHANGED])),
      "platform-at22": CHANGES,
      "platform-at22-k8s": failed("Error: Unauthorized"),
    });
    expect(verdicts(r)["platform-at22-k8s"]).toBe("failed");
    expect(r.canApply).toBe(false);
    expect(collectIssues("at22", "drift", r)).toEqual([
      { type: "warning", text: "at22 drift: platform-at22 differs from Azure (+2 ~1 -0 ±0)" },
      { type: "error", text: "platform-at22-k8s: plan failed: Error: Unauthorized" },
    ]);
    expect(collectSummary("at22", "drift", r, new Map(), "fleet-at22")).toContain(
      "## Drift check `at22`: 1 of 6 stack(s) differ from Azure",
    );
  });
});

describe("headline", () => {
  it("picks Terraform's error line out of its boxed output", () => {
    expect(
      headline("terraform plan failed\n╷\n│ Error: Unsupported argument\n│ \n│   on cdk.tf.json line 12\n╵"),
    ).toBe("Error: Unsupported argument");
    expect(headline("the state is locked by another operation")).toBe(
      "the state is locked by another operation",
    );
    expect(headline(undefined)).toBe("");
  });
});

describe("collectSummary", () => {
  it("tells the approver what happens next, with a row per stack and each changed stack's plan", () => {
    const r = run("deploy", {
      "platform-at22": UNCHANGED,
      "platform-at22-k8s": UNCHANGED,
      "apps-new-at22": { ...CHANGES, hasDestroy: true, summary: summary(1, 0, 1) },
      "apps-new-at22-k8s": CHANGES,
      "apps-ttd-at22": UNCHANGED,
      "apps-ttd-at22-k8s": UNCHANGED,
    });
    const text = collectSummary(
      "at22",
      "deploy",
      r,
      new Map([["apps-new-at22", "### `apps-new-at22`: changes\n"]]),
      "fleet-at22",
    );
    expect(text).toContain("## Plan `at22`: 6 stack(s), 2 with changes");
    expect(text).toContain(
      "**Next:** approve the Environment `fleet-at22` to apply the 2 stack(s) with changes",
    );
    expect(text).toContain("| `apps-new-at22` | changes | 1 | 0 | 1 | 0 | 🔥 destroys |");
    expect(text).toContain("### `apps-new-at22`: changes");
  });
});

describe("npm run pipeline -- leg and collect", () => {
  it("stage each leg's results, then read them back into output variables, decisions and a summary", async () => {
    const root = tempDir("pipeline-collect-");
    const fixture: FixtureStack[] = EDGES.map(([id, deps]) => ({ id, deps, json: stackJson(id, {}) }));
    const cdktfOut = writeOut(root, "cdktf.out", fixture);
    const planLegs = allLegs(buildMatrix({ graph, stacks: AT22, env: "at22" }).matrix);
    const results: Record<string, StackResult> = {
      "platform-at22": UNCHANGED,
      "platform-at22-k8s": UNCHANGED,
      "apps-new-at22": CHANGES,
      "apps-new-at22-k8s": failed("Error: reading Kubernetes Cluster: not found"),
      "apps-ttd-at22": UNCHANGED,
      "apps-ttd-at22-k8s": UNCHANGED,
    };
    // Each leg: npm run plan's output directory, then `leg --phase plan` stages the results artifact.
    for (const leg of Object.values(planLegs)) {
      const plans = join(root, "agent", leg.STACKS, "plans");
      for (const s of leg.STACKS.split(" ")) {
        mkdirSync(join(plans, s), { recursive: true });
        writeFileSync(
          join(plans, s, "result.json"),
          JSON.stringify({ stack: s, command: "plan", ...results[s] }),
        );
        writeFileSync(join(plans, s, "summary.md"), `### \`${s}\`: ${results[s]!.outcome}\n`);
        writeFileSync(join(plans, s, "tfplan"), "secret");
      }
      const staging = join(root, "agent", leg.STACKS, "staging");
      const io = captureIO(root, undefined, {
        STACKS: leg.STACKS,
        WAVE: leg.WAVE,
        SYSTEM_STAGEATTEMPT: "1",
        SYSTEM_JOBATTEMPT: "1",
      });
      expect(
        await main(
          ["leg", "--phase", "plan", "--scope", "at22", "--out-dir", plans, "--staging", staging],
          io,
        ),
      ).toBe(0);
      const artifact = /variable=RESULT_ARTIFACT\](\S+)/.exec(io.stdout())![1]!;
      expect(io.stdout()).toContain(
        `##vso[task.setvariable variable=PLAN_ARTIFACT]${artifact.replace("result_", "plan_")}`,
      );
      // The pipeline downloads every result_<scope>_* artifact into one directory.
      cpSync(join(staging, "result"), join(root, "results", artifact), { recursive: true });
    }
    const affected = join(root, "affected");
    mkdirSync(affected);
    writeFileSync(
      join(affected, "run.json"),
      JSON.stringify({
        mode: "deploy",
        scopes: { at22: { changed: ["apps-new-at22", "apps-new-at22-k8s"] } },
      }),
    );
    const out = join(root, "decisions");
    const io = captureIO(root, undefined, {
      PLAN_LEGS: JSON.stringify(planLegs),
      SYSTEM_STAGEATTEMPT: "1",
      SYSTEM_JOBATTEMPT: "1",
    });
    const code = await main(
      [
        "collect",
        "--scope",
        "at22",
        "--results",
        join(root, "results"),
        "--affected",
        affected,
        "--cdktf-out",
        cdktfOut,
        "--out",
        out,
        "--ado",
      ],
      io,
    );
    expect(code).toBe(0);
    const stdout = io.stdout();
    expect(stdout).toContain("##vso[task.setvariable variable=canApply;isOutput=true]true");
    expect(stdout).toContain("##vso[task.setvariable variable=complete;isOutput=true]false");
    expect(stdout).toContain("##vso[task.setvariable variable=markClean;isOutput=true]false");
    expect(stdout).toContain("##vso[task.setvariable variable=slot0;isOutput=true]{}");
    expect(stdout).toContain("##vso[task.setvariable variable=slots;isOutput=true]1");
    expect(stdout).toContain("##vso[task.setvariable variable=DECISIONS_ARTIFACT]decisions_at22_1_1");
    expect(stdout).toContain("##vso[task.logissue type=warning]apps-new-at22-k8s: deferred:");
    expect(stdout).toContain("##vso[task.complete result=SucceededWithIssues;]deferred stacks");
    const wave1 = JSON.parse(/variable=slot1;isOutput=true\](.*)/.exec(stdout)![1]!);
    const artifact = wave1.apps_new_at22.ARTIFACT as string;
    expect(readFileSync(join(out, `${artifact}.txt`), "utf8")).toBe("apps-new-at22\n");
    expect(readFileSync(join(out, "summary.md"), "utf8")).toContain("### `apps-new-at22`: changes");
  });

  it("collect exits 1 and logs an error when a plan failed", async () => {
    const root = tempDir("pipeline-collect-");
    const cdktfOut = writeOut(
      root,
      "cdktf.out",
      EDGES.map(([id, deps]) => ({ id, deps, json: stackJson(id, {}) })),
    );
    mkdirSync(join(root, "affected"));
    writeFileSync(join(root, "affected", "run.json"), JSON.stringify({ mode: "pr", scopes: {} }));
    const io = captureIO(root, undefined, {
      PLAN_LEGS: JSON.stringify({ platform_at22: { STACKS: "platform-at22", WAVE: "0" } }),
    });
    const code = await main(
      [
        "collect",
        "--scope",
        "at22",
        "--results",
        join(root, "none"),
        "--affected",
        join(root, "affected"),
        "--cdktf-out",
        cdktfOut,
        "--out",
        join(root, "d"),
        "--ado",
      ],
      io,
    );
    expect(code).toBe(1);
    expect(io.stdout()).toContain(
      "##vso[task.logissue type=error]platform-at22: plan failed: leg platform_at22 published no results (it failed before planning: see its log)",
    );
  });

  it("stages an apply leg's logs without its saved plans", () => {
    const root = tempDir("pipeline-leg-");
    const plans = join(root, "plans");
    mkdirSync(join(plans, "apps-ttd-at22"), { recursive: true });
    writeFileSync(join(plans, "apps-ttd-at22", "tfplan"), "secret");
    writeFileSync(join(plans, "apps-ttd-at22", "apply-result.json"), "{}");
    writeFileSync(join(plans, "apps-ttd-at22", "apply.log"), "Apply complete!");
    writeFileSync(join(plans, "apply-summary.md"), "## Terraform apply");
    const staged = stageLeg({
      phase: "apply",
      scope: "at22",
      outDir: plans,
      staging: join(root, "staging"),
      env: { ARTIFACT: "plan_at22_0123456789abcdef_1_1", SYSTEM_STAGEATTEMPT: "1", SYSTEM_JOBATTEMPT: "2" },
    });
    expect(staged.variables).toEqual({ APPLY_ARTIFACT: "applied_at22_0123456789abcdef_1_1_1_2" });
    expect(staged.stacks).toEqual(["apps-ttd-at22"]);
    expect(readFileSync(join(root, "staging", "applied", "apps-ttd-at22", "apply.log"), "utf8")).toBe(
      "Apply complete!",
    );
    expect(() => readFileSync(join(root, "staging", "applied", "apps-ttd-at22", "tfplan"))).toThrow();
  });
});
