/** The Build stage's decisions: affected stacks per scope, one synthesis per base, the plan matrices. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isValidLegName, type Legs } from "../../cli/matrix/matrix";
import { main } from "../../cli/pipeline/command";
import { PIPELINE_DEFAULTS, promotionOrder } from "../../cli/pipeline/pipeline";
import { fitMatrix, MAX_MATRIX_CHARS, prepareRun, prepareSummary } from "../../cli/pipeline/pipeline-prepare";
import { type RunContext, runContext, type ScopeBase } from "../../cli/pipeline/pipeline-run";
import { SynthOutput } from "../../cli/shared/synth-output";
import { committedFleet } from "../../testing/fleet-synth";
import { REPO_ROOT } from "../../testing/run-cli";
import { captureIO, type FixtureStack, stackJson, tempDir, writeOut } from "../cli/fixtures";

function stack(id: string, deps: string[] = [], sku = "Standard"): FixtureStack {
  return {
    id,
    deps,
    json: stackJson(id, { azurerm_resource_group: { rg: { name: `${id}-rg`, tags: { sku } } } }),
  };
}

/** A small fleet: two orgs, at22 (with a -k8s stack), prod, Studio dev. */
function fleetStacks(
  change: Record<string, string> = {},
  drop: string[] = [],
  add: FixtureStack[] = [],
): FixtureStack[] {
  const all = [
    stack("org-ttd"),
    stack("org-skd"),
    stack("platform-at22"),
    stack("apps-ttd-at22", ["org-ttd"]),
    stack("apps-ttd-at22-k8s", ["apps-ttd-at22"]),
    stack("apps-ttd-prod", ["org-ttd"]),
    stack("apps-ttd-prod-k8s", ["apps-ttd-prod"]),
    stack("studio-dev"),
    stack("bootstrap-state"),
  ];
  return [
    ...all
      .filter((s) => !drop.includes(s.id))
      .map((s) => (change[s.id] ? stack(s.id, [...(s.deps ?? [])], change[s.id]) : s)),
    ...add,
  ];
}

const SCOPES = ["shared", "at22", "dev", "prod"];
const deploy: RunContext = runContext(
  { BUILD_REASON: "IndividualCI", BUILD_SOURCEBRANCH: "refs/heads/main" },
  { mainBranch: "main" },
);

function outputs(baseStacks: FixtureStack[], headStacks: FixtureStack[]) {
  const root = tempDir("pipeline-prepare-");
  return {
    base: new SynthOutput(writeOut(root, "base", baseStacks)),
    head: new SynthOutput(writeOut(root, "head", headStacks)),
  };
}

function sameBase(commit: string): Map<string, ScopeBase> {
  return new Map(SCOPES.map((s) => [s, { commit, source: "last applied" }]));
}

describe("prepareRun", () => {
  const { base, head } = outputs(
    fleetStacks(),
    fleetStacks(
      { "apps-ttd-at22": "Premium", "org-skd": "Premium" },
      ["studio-dev"],
      [stack("apps-skd-at22", ["org-skd"])],
    ),
  );

  it("lists each scope's affected stacks, synthesizing a shared base once", async () => {
    const loads: string[] = [];
    const result = await prepareRun({
      scopes: SCOPES,
      context: deploy,
      bases: sameBase("c1"),
      head,
      loadBase: async (commit) => {
        loads.push(commit);
        return { output: base, cleanup: async () => {} };
      },
      maxJobs: 250,
      waveSlots: 3,
    });
    expect(loads).toEqual(["c1"]);
    const by = Object.fromEntries(result.scopes.map((s) => [s.scope, s]));
    expect(by.shared!.stacks).toEqual(["org-skd"]);
    // apps-skd-at22 is new; apps-ttd-at22 changed; its -k8s stack depends on it.
    expect(by.at22!.stacks).toEqual(["apps-skd-at22", "apps-ttd-at22", "apps-ttd-at22-k8s"]);
    expect(by.at22!.affected!.added).toEqual(["apps-skd-at22"]);
    expect(by.at22!.affected!.dependents).toEqual(["apps-ttd-at22-k8s"]);
    expect(by.at22!.matrix.waves.map((w) => Object.keys(w.legs))).toEqual([
      ["apps_skd_at22", "apps_ttd_at22"],
      ["apps_ttd_at22_k8s"],
    ]);
    // A removed stack is reported, never planned.
    expect(by.dev!.affected!.removed).toEqual(["studio-dev"]);
    expect(by.dev!.stacks).toEqual([]);
    expect(by.prod!.stacks).toEqual([]);
    expect(result.diffs).toHaveLength(1);
    expect(result.diffs[0]!.scopes).toEqual(SCOPES);
    expect(result.diffs[0]!.diff.stacks.map((s) => s.stack)).toEqual([
      "org-skd",
      "apps-skd-at22",
      "apps-ttd-at22",
      "studio-dev",
    ]);
    expect(result.diffs[0]!.diff.risks.map((r) => r.kind)).toContain("stack-removed");
    const summary = prepareSummary(deploy, "0123456789abcdef", result);
    expect(summary).toContain("| `at22` | `c1` last applied | 2 (1) | 0 | 1 | 3 | 3 | 2 |");
    expect(summary).toContain("**Removed stacks**");
  });

  it("synthesizes each distinct base once and diffs each against its own scopes", async () => {
    const loads: string[] = [];
    const bases = sameBase("c1");
    bases.set("at22", { commit: "c0", source: "last applied" });
    const result = await prepareRun({
      scopes: SCOPES,
      context: deploy,
      bases,
      head,
      loadBase: async (commit) => {
        loads.push(commit);
        return { output: base, cleanup: async () => {} };
      },
      maxJobs: 250,
      waveSlots: 3,
    });
    expect(loads.sort()).toEqual(["c0", "c1"]);
    expect(result.diffs.map((d) => [d.commit, d.scopes])).toEqual([
      ["c1", ["shared", "dev", "prod"]],
      ["c0", ["at22"]],
    ]);
  });

  it("removes a base's worktree even when comparing fails", async () => {
    let cleaned = false;
    await expect(
      prepareRun({
        scopes: SCOPES,
        context: deploy,
        bases: sameBase("c1"),
        head,
        loadBase: async () => ({
          output: new Proxy({} as SynthOutput, {
            get() {
              throw new Error("broken base");
            },
          }),
          cleanup: async () => {
            cleaned = true;
          },
        }),
        maxJobs: 250,
        waveSlots: 3,
      }),
    ).rejects.toThrow("broken base");
    expect(cleaned).toBe(true);
  });

  it("plans every stack of every scope without a base (drift, planAll), never bootstrap stacks", async () => {
    const drift = runContext({ BUILD_REASON: "Schedule" }, { mainBranch: "main" });
    const result = await prepareRun({
      scopes: SCOPES,
      context: drift,
      bases: new Map(SCOPES.map((s) => [s, { source: "drift check: every stack" }])),
      head,
      loadBase: () => {
        throw new Error("no base is synthesized for a drift check");
      },
      maxJobs: 250,
      waveSlots: 3,
    });
    expect(result.scopes.map((s) => [s.scope, s.stacks])).toEqual([
      ["shared", ["org-skd", "org-ttd"]],
      ["at22", ["platform-at22", "apps-skd-at22", "apps-ttd-at22", "apps-ttd-at22-k8s"]],
      ["dev", []],
      ["prod", ["apps-ttd-prod", "apps-ttd-prod-k8s"]],
    ]);
    expect(result.diffs).toEqual([]);
  });

  it("fails when a scope has more dependency waves than the pipeline has apply wave jobs", async () => {
    await expect(
      prepareRun({
        scopes: ["at22"],
        context: deploy,
        bases: new Map([["at22", { source: "planAll" }]]),
        head,
        loadBase: async () => ({ output: base, cleanup: async () => {} }),
        maxJobs: 250,
        waveSlots: 1,
      }),
    ).rejects.toThrow(
      /at22: 3 dependency waves, but the pipeline has 1 apply wave jobs per stage: raise waveSlots/,
    );
  });
});

describe("300 affected stacks in one environment", () => {
  const orgs = Array.from({ length: 150 }, (_, i) => `o${String(i).padStart(3, "0")}-long-org-code`);
  const make = (sku: string): FixtureStack[] => [
    ...orgs.map((o) => ({ ...stack(`org-${o}`), meta: { kind: "org", scope: "shared", org: o } })),
    ...orgs.flatMap((o) => [
      { ...stack(`apps-${o}-at22`, [`org-${o}`], sku), meta: { kind: "apps", scope: "at22", org: o } },
      {
        ...stack(`apps-${o}-at22-k8s`, [`apps-${o}-at22`], sku),
        meta: { kind: "apps-k8s", scope: "at22", org: o },
      },
    ]),
  ];
  const { base, head } = outputs(make("Standard"), make("Premium"));

  it("are sharded into at most the pipeline's plan legs, every leg name valid, the matrix fitting an output variable", async () => {
    const result = await prepareRun({
      scopes: ["at22"],
      context: deploy,
      bases: new Map([["at22", { commit: "c1", source: "last applied" }]]),
      head,
      loadBase: async () => ({ output: base, cleanup: async () => {} }),
      maxJobs: PIPELINE_DEFAULTS.planMaxJobs,
      waveSlots: PIPELINE_DEFAULTS.waveSlots,
    });
    const m = result.scopes[0]!.matrix;
    expect(m.stackCount).toBe(300);
    expect(m.shardSize).toBe(2);
    expect(m.legCount).toBeLessThanOrEqual(PIPELINE_DEFAULTS.planMaxJobs);
    // The plan stage's other jobs (discover, collect, record) fit next to the legs.
    expect(m.legCount + 3).toBeLessThanOrEqual(256);
    const legs = m.waves.flatMap((w) => Object.entries(w.legs));
    for (const [name, leg] of legs) {
      expect(isValidLegName(name)).toBe(true);
      expect(leg.STACKS.split(" ").length).toBeLessThanOrEqual(2);
    }
    expect(new Set(legs.map(([n]) => n.toLowerCase())).size).toBe(legs.length);
    expect(legs.flatMap(([, l]) => l.STACKS.split(" ")).sort()).toEqual(
      result.scopes[0]!.stacks.slice().sort(),
    );
    // Every -k8s stack is in a later wave than its cluster stack.
    expect(m.waves.map((w) => w.stacks.every((s) => s.endsWith("-k8s")))).toEqual([false, true]);
    expect(JSON.stringify(Object.assign({}, ...m.waves.map((w) => w.legs))).length).toBeLessThanOrEqual(
      MAX_MATRIX_CHARS,
    );
  });

  it("use fewer, larger legs when the matrix would be too long for one output variable", () => {
    const stacks = orgs.flatMap((o) => [`apps-${o}-at22`, `apps-${o}-at22-k8s`]);
    const { matrix, notices } = fitMatrix(head.manifest.graph, stacks, "at22", 250, 12000);
    expect(JSON.stringify(Object.assign({}, ...matrix.waves.map((w) => w.legs))).length).toBeLessThanOrEqual(
      12000,
    );
    expect(matrix.legCount).toBeLessThan(150);
    expect(notices.some((n) => n.includes("trying"))).toBe(true);
  });

  it("fail with a message when even one leg per wave is too long", () => {
    const stacks = orgs.map((o) => `apps-${o}-at22`);
    expect(() => fitMatrix(head.manifest.graph, stacks, "at22", 250, 1000)).toThrow(
      /even with one leg per wave; an output variable holds at most 1000/,
    );
  });
});

describe("npm run pipeline -- prepare", () => {
  it("publishes each scope's plan matrix and wave count as output variables, and writes run.json", async () => {
    const root = tempDir("pipeline-prepare-cli-");
    const headDir = writeOut(root, "head", fleetStacks());
    const out = join(root, "affected");
    const io = captureIO(REPO_ROOT, undefined, {
      BUILD_REASON: "Schedule",
      BUILD_SOURCEBRANCH: "refs/heads/main",
      BUILD_SOURCEVERSION: "feedfacefeedfacefeedfacefeedfacefeedface",
    });
    expect(
      await main(["prepare", "--out", out, "--cdktf-out", headDir, "--plan-all", "False", "--ado"], io),
    ).toBe(0);
    const lines = io.stdout().trim().split("\n");
    const value = (name: string) =>
      lines
        .find((l) => l.startsWith(`##vso[task.setvariable variable=${name};isOutput=true]`))!
        .split("]")[1];
    expect(JSON.parse(value("legs_at22")!) as Legs).toEqual({
      // fleet.yaml's rollout: canaries ttd and digdir, then 3 batches: 4 slots per wave. ttd is a
      // canary (group 0); the Platform goes with the last batch (group 3). Waves count only
      // dependencies in the scope: org-ttd (shared) was applied by an earlier stage, so the
      // canary's cluster is in wave 0 with the Platform, and before it.
      platform_at22: { STACKS: "platform-at22", WAVE: "0", SLOT: "3" },
      apps_ttd_at22: { STACKS: "apps-ttd-at22", WAVE: "0", SLOT: "0" },
      apps_ttd_at22_k8s: { STACKS: "apps-ttd-at22-k8s", WAVE: "1", SLOT: "4" },
    });
    // collect reads the slots and the budget of this commit's fleet.yaml from run.json.
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).rollout).toEqual({
      canaries: ["ttd", "digdir"],
      batches: 3,
      failureBudget: { stacks: 1, percent: 5 },
    });
    expect(value("legs_at22_waves")).toBe("2");
    expect(value("legs_at23")).toBe("{}");
    expect(value("legs_at23_waves")).toBe("0");
    expect(value("mode")).toBe("drift");
    expect(lines).toContain(`##vso[task.uploadsummary]${join(out, "summary.md")}`);
    const run = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    expect(run).toMatchObject({
      mode: "drift",
      commit: "feedfacefeedfacefeedfacefeedfacefeedface",
      planAll: false,
    });
    // Every scope of the committed fleet, in the pipeline's promotion order (pinned in pipeline.test.ts).
    expect(Object.keys(run.scopes)).toEqual(promotionOrder(committedFleet()).map((sc) => sc.scope));
    expect(readFileSync(join(out, "shared.txt"), "utf8")).toBe("org-skd\norg-ttd\n");
  });
});
