import { join } from "node:path";
import { parseManifest, readManifest, StackGraph } from "../../cli/shared/manifest";
import { stackJson, tempDir, writeOut } from "./fixtures";

function graph(edges: Record<string, string[]>): StackGraph {
  return new StackGraph(new Map(Object.entries(edges)));
}

describe("readManifest", () => {
  it("maps dependency construct paths to stack ids and resolves directories", () => {
    const out = writeOut(tempDir(), "cdktf.out", [
      { id: "org-ttd", json: stackJson("org-ttd", {}) },
      { id: "apps-ttd-at22", deps: ["org-ttd"], json: stackJson("apps-ttd-at22", {}) },
    ]);
    const m = readManifest(out);
    expect(m.stacks.get("apps-ttd-at22")).toMatchObject({
      constructPath: "app/apps-ttd-at22",
      dependencies: ["org-ttd"],
      workingDirectory: join(out, "stacks", "apps-ttd-at22"),
      synthesizedStackPath: join(out, "stacks", "apps-ttd-at22", "cdk.tf.json"),
    });
    expect(m.graph.waves()).toEqual([["org-ttd"], ["apps-ttd-at22"]]);
  });

  it("fails if there is no manifest, naming the path", () => {
    const dir = tempDir();
    expect(() => readManifest(dir)).toThrow(join(dir, "manifest.json"));
  });

  it("fails if a dependency names no stack of the manifest", () => {
    const json = { stacks: { a: { constructPath: "a", dependencies: ["ghost"] } } };
    expect(() => parseManifest(json, "/x")).toThrow(/depends on "ghost"/);
  });
});

describe("StackGraph", () => {
  const g = graph({
    "org-ttd": [],
    "apps-ttd-at22": ["org-ttd"],
    "apps-ttd-at22-k8s": ["apps-ttd-at22"],
    "platform-at22": [],
    "platform-at22-k8s": ["platform-at22"],
  });

  it("puts every stack in a wave after all of its dependencies", () => {
    expect(g.waves()).toEqual([
      ["org-ttd", "platform-at22"],
      ["apps-ttd-at22", "platform-at22-k8s"],
      ["apps-ttd-at22-k8s"],
    ]);
  });

  it("keeps the order through stacks left out of the subset", () => {
    expect(g.waves(["apps-ttd-at22-k8s", "org-ttd"])).toEqual([["org-ttd"], ["apps-ttd-at22-k8s"]]);
  });

  it("uses the longest path for a stack with dependencies of different depth", () => {
    const d = graph({ a: [], b: ["a"], c: ["a", "b"] });
    expect(d.levelOf("c")).toBe(2);
  });

  it("finds transitive dependents, without the seeds", () => {
    expect([...g.transitiveDependents(["org-ttd"])].sort()).toEqual(["apps-ttd-at22", "apps-ttd-at22-k8s"]);
    expect([...g.transitiveDependents(["apps-ttd-at22-k8s"])]).toEqual([]);
  });

  it("fails if the dependencies form a cycle, naming the stacks in it", () => {
    expect(() => graph({ a: ["c"], b: ["a"], c: ["b"], d: [] })).toThrow("cycle among: a, b, c");
  });

  it("fails if a dependency is unknown", () => {
    expect(() => graph({ a: ["b"] })).toThrow("unknown stack b");
  });

  it("handles a long chain and a wide fan-out in linear time", () => {
    const edges: Record<string, string[]> = {};
    for (let i = 0; i < 5000; i++) edges[`s${i}`] = i === 0 ? [] : [`s${i - 1}`];
    for (let i = 0; i < 5000; i++) edges[`f${i}`] = ["s0"];
    const big = graph(edges);
    expect(big.levelOf("s4999")).toBe(4999);
    expect(big.transitiveDependents(["s0"]).size).toBe(9999);
  });
});
