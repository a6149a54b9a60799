import { main } from "../../cli/matrix/command";
import {
  adoOutputCommands,
  allLegs,
  buildMatrix,
  cleanLegName,
  fittingShardSize,
  isValidLegName,
  legNames,
  type Matrix,
} from "../../cli/matrix/matrix";
import { StackGraph } from "../../cli/shared/manifest";
import { captureIO, type FixtureStack, stackJson, tempDir, writeOut } from "./fixtures";

/** `orgs` orgs in env at22: org-<o> → apps-<o>-at22 → apps-<o>-at22-k8s, plus platform-at22(-k8s). */
function fleetGraph(orgs: number): { graph: StackGraph; ids: string[] } {
  const edges = new Map<string, string[]>();
  for (let i = 0; i < orgs; i++) {
    const o = `org${String(i).padStart(3, "0")}`;
    edges.set(`org-${o}`, []);
    edges.set(`apps-${o}-at22`, [`org-${o}`]);
    edges.set(`apps-${o}-at22-k8s`, [`apps-${o}-at22`, "platform-at22"]);
  }
  edges.set("platform-at22", []);
  edges.set("platform-at22-k8s", ["platform-at22"]);
  return { graph: new StackGraph(edges), ids: [...edges.keys()] };
}

function legsOf(m: Matrix) {
  return m.waves.flatMap((w) => Object.entries(w.legs).map(([name, leg]) => ({ name, wave: w.index, leg })));
}

function expectWellFormed(m: Matrix, graph: StackGraph) {
  const legs = legsOf(m);
  const names = legs.map((l) => l.name);
  for (const n of names) expect(isValidLegName(n)).toBe(true);
  expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(names.length);
  expect(legs.length).toBeLessThanOrEqual(m.maxJobs);
  // Every stack once; every dependency that is in the matrix runs in an earlier wave.
  const waveOf = new Map<string, number>();
  for (const l of legs) {
    expect(l.leg.WAVE).toBe(String(l.wave));
    for (const s of l.leg.STACKS.split(" ")) {
      expect(waveOf.has(s)).toBe(false);
      waveOf.set(s, l.wave);
    }
  }
  expect(waveOf.size).toBe(m.stackCount);
  for (const [s, w] of waveOf) {
    for (const d of graph.dependenciesOf(s)) if (waveOf.has(d)) expect(waveOf.get(d)!).toBeLessThan(w);
  }
}

describe("leg names", () => {
  it("cleans stack ids to what Azure DevOps accepts", () => {
    expect(cleanLegName("apps-ttd-at22-k8s")).toBe("apps_ttd_at22_k8s");
    expect(cleanLegName("1st.stack")).toBe("s_1st_stack");
    expect(cleanLegName("x".repeat(150))).toHaveLength(100);
  });

  it("disambiguates names that collide after cleaning, whatever the order", () => {
    const a = legNames(["apps-a-b", "apps_a_b", "apps-a-c"]);
    const b = legNames(["apps-a-c", "apps_a_b", "apps-a-b"]);
    expect(a.get("apps-a-c")).toBe("apps_a_c");
    expect(a.get("apps-a-b")).toMatch(/^apps_a_b_[0-9a-f]{8}$/);
    expect(a.get("apps-a-b")).not.toBe(a.get("apps_a_b"));
    expect([...a.entries()].sort()).toEqual([...b.entries()].sort());
  });

  it("keeps names unique when cut at 100 characters", () => {
    const long = "apps-".concat("x".repeat(120));
    const names = legNames([`${long}-at22`, `${long}-tt02`]);
    const values = [...names.values()];
    expect(new Set(values).size).toBe(2);
    for (const v of values) {
      expect(v.length).toBeLessThanOrEqual(100);
      expect(isValidLegName(v)).toBe(true);
    }
  });

  it("treats names that differ only in case as colliding", () => {
    const names = legNames(["Apps-X", "apps-x"]);
    expect(new Set([...names.values()].map((n) => n.toLowerCase())).size).toBe(2);
  });
});

describe("fittingShardSize", () => {
  it("is 1 when every stack fits in its own leg", () => {
    expect(fittingShardSize([100, 100, 56], 256)).toBe(1);
  });

  it("is the smallest size that fits all waves", () => {
    expect(fittingShardSize([300, 300, 1], 256)).toBe(3);
    expect(fittingShardSize([1000], 10)).toBe(100);
  });
});

describe("buildMatrix", () => {
  it("gives every stack its own leg named after it when they fit", () => {
    const { graph } = fleetGraph(2);
    const { matrix } = buildMatrix({ graph, stacks: ["apps-org000-at22", "apps-org000-at22-k8s"] });
    expect(matrix.waves).toEqual([
      {
        index: 0,
        name: "wave0",
        stacks: ["apps-org000-at22"],
        legs: { apps_org000_at22: { STACKS: "apps-org000-at22", WAVE: "0" } },
      },
      {
        index: 1,
        name: "wave1",
        stacks: ["apps-org000-at22-k8s"],
        legs: { apps_org000_at22_k8s: { STACKS: "apps-org000-at22-k8s", WAVE: "1" } },
      },
    ]);
    expect(matrix.shardSize).toBe(1);
  });

  it("shards 300 stacks of one environment into at most 256 legs, in dependency waves", () => {
    const { graph, ids } = fleetGraph(150);
    const stacks = ids.filter((id) => id.includes("at22"));
    expect(stacks).toHaveLength(302);
    const { matrix } = buildMatrix({ graph, stacks, env: "at22" });
    expect(matrix.stackCount).toBe(302);
    expect(matrix.shardSize).toBe(2);
    expect(matrix.legCount).toBeLessThanOrEqual(256);
    // platform-at22 | the apps stacks and platform-at22-k8s | the apps -k8s stacks (orgs are not in at22).
    expect(matrix.waves.map((w) => w.stacks.length)).toEqual([1, 151, 150]);
    expectWellFormed(matrix, graph);
    expect(Object.keys(matrix.waves[1]!.legs)[0]).toBe("w1_s001_apps_org000_at22");
    expect(matrix.waves[1]!.legs.w1_s001_apps_org000_at22!.STACKS).toBe("apps-org000-at22 apps-org001-at22");
  });

  it("honours a smaller job budget and a requested shard size", () => {
    const { graph, ids } = fleetGraph(150);
    const stacks = ids.filter((id) => id.includes("at22"));
    const small = buildMatrix({ graph, stacks, maxJobs: 20 }).matrix;
    expect(small.legCount).toBeLessThanOrEqual(20);
    expectWellFormed(small, graph);
    const sharded = buildMatrix({ graph, stacks, shardSize: 50 }).matrix;
    expect(sharded.shardSize).toBe(50);
    expect(sharded.legCount).toBe(8);
    expectWellFormed(sharded, graph);
  });

  it("raises a requested shard size that would need too many legs, with a notice", () => {
    const { graph, ids } = fleetGraph(150);
    const r = buildMatrix({ graph, stacks: ids, shardSize: 1, maxJobs: 100 });
    expect(r.matrix.shardSize).toBeGreaterThan(1);
    expect(r.notices[0]).toContain("shard size 1 needs more than 100 legs");
    expectWellFormed(r.matrix, graph);
  });

  it("skips stacks that are not in the manifest", () => {
    const { graph } = fleetGraph(1);
    const { matrix } = buildMatrix({ graph, stacks: ["apps-org000-at22", "apps-gone-at22"] });
    expect(matrix.skipped).toEqual(["apps-gone-at22"]);
    expect(matrix.stackCount).toBe(1);
  });

  it("is empty for no stacks", () => {
    const { graph } = fleetGraph(1);
    const { matrix } = buildMatrix({ graph, stacks: [] });
    expect(matrix.waves).toEqual([]);
    expect(allLegs(matrix)).toEqual({});
  });
});

describe("adoOutputCommands", () => {
  const { graph } = fleetGraph(1);
  const { matrix } = buildMatrix({ graph, stacks: ["apps-org000-at22", "apps-org000-at22-k8s"] });

  it("publishes all legs, one variable per wave, empty slots and the wave count", () => {
    expect(adoOutputCommands(matrix, "legs", { waveSlots: 3 })).toEqual([
      '##vso[task.setvariable variable=legs;isOutput=true]{"apps_org000_at22":{"STACKS":"apps-org000-at22","WAVE":"0"},"apps_org000_at22_k8s":{"STACKS":"apps-org000-at22-k8s","WAVE":"1"}}',
      '##vso[task.setvariable variable=legs_wave0;isOutput=true]{"apps_org000_at22":{"STACKS":"apps-org000-at22","WAVE":"0"}}',
      '##vso[task.setvariable variable=legs_wave1;isOutput=true]{"apps_org000_at22_k8s":{"STACKS":"apps-org000-at22-k8s","WAVE":"1"}}',
      "##vso[task.setvariable variable=legs_wave2;isOutput=true]{}",
      "##vso[task.setvariable variable=legs_waves;isOutput=true]2",
    ]);
  });

  it("publishes one wave as the main variable with --wave", () => {
    expect(adoOutputCommands(matrix, "legs", { wave: 1 })[0]).toBe(
      '##vso[task.setvariable variable=legs;isOutput=true]{"apps_org000_at22_k8s":{"STACKS":"apps-org000-at22-k8s","WAVE":"1"}}',
    );
  });
});

describe("npm run matrix", () => {
  function out(): { root: string; dir: string } {
    const root = tempDir();
    const stacks: FixtureStack[] = [
      { id: "org-ttd", json: stackJson("org-ttd", {}) },
      { id: "apps-ttd-at22", deps: ["org-ttd"], json: stackJson("apps-ttd-at22", {}) },
      { id: "apps-ttd-at22-k8s", deps: ["apps-ttd-at22"], json: stackJson("apps-ttd-at22-k8s", {}) },
      { id: "apps-ttd-prod", deps: ["org-ttd"], json: stackJson("apps-ttd-prod", {}) },
    ];
    return { root, dir: writeOut(root, "cdktf.out", stacks) };
  }

  it("reads stack ids from stdin and keeps those of the environment", async () => {
    const { root } = out();
    const io = captureIO(root, "org-ttd\napps-ttd-at22-k8s\napps-ttd-prod\napps-ttd-at22\n");
    expect(await main(["--env", "at22"], io)).toBe(0);
    const m = JSON.parse(io.stdout()) as Matrix;
    expect(m.waves.map((w) => Object.keys(w.legs))).toEqual([["apps_ttd_at22"], ["apps_ttd_at22_k8s"]]);
    expect(io.stderr()).toContain("2 stack(s) not in environment at22 left out");
  });

  it("prints one wave's legs with --wave", async () => {
    const { root } = out();
    const io = captureIO(root, "apps-ttd-at22 apps-ttd-at22-k8s");
    expect(await main(["--env", "at22", "--wave", "1"], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({
      apps_ttd_at22_k8s: { STACKS: "apps-ttd-at22-k8s", WAVE: "1" },
    });
  });

  it("takes every stack of the environment with --all, and prints ##vso commands", async () => {
    const { root } = out();
    const io = captureIO(root);
    expect(await main(["--env", "shared", "--all", "--ado-output", "legs"], io)).toBe(0);
    expect(io.stdout().split("\n")[0]).toBe(
      '##vso[task.setvariable variable=legs;isOutput=true]{"org_ttd":{"STACKS":"org-ttd","WAVE":"0"}}',
    );
  });

  it("fails when the waves do not fit the pipeline's wave slots", async () => {
    const { root } = out();
    const io = captureIO(root, "apps-ttd-at22 apps-ttd-at22-k8s");
    expect(await main(["--env", "at22", "--ado-output", "legs", "--wave-slots", "1"], io)).toBe(1);
    expect(io.stderr()).toContain("2 dependency waves but the pipeline has 1 wave slot(s)");
  });

  it("fails without stack ids", async () => {
    const { root } = out();
    const io = captureIO(root, undefined);
    expect(await main(["--env", "at22"], io)).toBe(1);
    expect(io.stderr()).toContain("give --stacks-file");
  });

  it("fails without --env", async () => {
    const { root } = out();
    const io = captureIO(root, "");
    expect(await main([], io)).toBe(1);
    expect(io.stderr()).toContain("--env");
  });

  it("rejects a --max-jobs that is not a positive number", async () => {
    const { root } = out();
    const io = captureIO(root, "");
    expect(await main(["--env", "at22", "--max-jobs", "0"], io)).toBe(1);
  });
});
