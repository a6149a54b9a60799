import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PlannedStack, planStacks } from "../../stacks/app";
import { dependencyGroups, packBatches, synthFleet } from "../../stacks/synth-fleet";
import { committedFleet } from "../../testing/fleet-synth";

const stub = (id: string, dependsOn: string[] = []): PlannedStack =>
  ({ id, kind: "apps", environment: "tt02", dependsOn, build: () => undefined }) as unknown as PlannedStack;

describe("dependencyGroups", () => {
  test("keeps stacks connected by dependencies together, in plan order", () => {
    const groups = dependencyGroups([
      stub("org-a"),
      stub("org-b"),
      stub("apps-a-tt02", ["org-a"]),
      stub("apps-a-tt02-k8s", ["apps-a-tt02"]),
      stub("apps-b-tt02", ["org-b"]),
      stub("platform-tt02"),
    ]);
    expect(groups.map((g) => g.map((p) => p.id))).toEqual([
      ["org-a", "apps-a-tt02", "apps-a-tt02-k8s"],
      ["org-b", "apps-b-tt02"],
      ["platform-tt02"],
    ]);
  });

  test("groups the committed fleet by org and by shared environment", () => {
    const groups = dependencyGroups(planStacks(committedFleet()));
    const ttd = groups.find((g) => g.some((p) => p.id === "org-ttd"))!;
    expect(ttd).toHaveLength(13);
    expect(groups.find((g) => g[0]!.id === "platform-prod")!.map((p) => p.id)).toEqual([
      "platform-prod",
      "platform-prod-k8s",
    ]);
  });
});

describe("packBatches", () => {
  test("fills batches up to the size without splitting a group", () => {
    const g = (n: number, tag: string) => Array.from({ length: n }, (_, i) => stub(`${tag}${i}`));
    const batches = packBatches([g(3, "a"), g(3, "b"), g(5, "c"), g(1, "d")], 6);
    expect(batches.map((b) => b.length)).toEqual([6, 6]);
    expect(packBatches([g(9, "big")], 4).map((b) => b.length)).toEqual([9]);
  });
});

describe("synthFleet", () => {
  test("writes one manifest with every stack and its dependencies across batches", () => {
    const out = mkdtempSync(join(tmpdir(), "synth-fleet-"));
    synthFleet(committedFleet(), { outdir: out, select: ["apps-brg-*", "platform-at22-k8s"], batchSize: 2 });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "apps-brg-prod",
      "apps-brg-prod-k8s",
      "apps-brg-tt02",
      "apps-brg-tt02-k8s",
      "org-brg",
      "platform-at22",
      "platform-at22-k8s",
    ]);
    expect(manifest.stacks["apps-brg-prod-k8s"].dependencies).toEqual(["apps-brg-prod"]);
    expect(manifest.stacks["platform-at22-k8s"].dependencies).toEqual(["platform-at22"]);
  });
});
