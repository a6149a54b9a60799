import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chunk, synthFleet } from "../../stacks/synth-fleet";
import { committedFleet } from "../../testing/fleet-synth";

describe("chunk", () => {
  test("cuts the plan into consecutive batches", () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 3)).toEqual([]);
  });
});

describe("synthFleet", () => {
  test("writes one manifest with every stack and its dependencies across batches", () => {
    const out = mkdtempSync(join(tmpdir(), "synth-fleet-"));
    synthFleet(committedFleet(), {
      outdir: out,
      select: ["apps-brg-tt02-k8s", "platform-at22-k8s"],
      batchSize: 2,
    });
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "apps-brg-tt02",
      "apps-brg-tt02-k8s",
      "org-brg",
      "platform-at22",
      "platform-at22-k8s",
    ]);
    expect(manifest.stacks["apps-brg-tt02-k8s"].dependencies).toEqual(["apps-brg-tt02"]);
    expect(manifest.stacks["apps-brg-tt02"].dependencies).toEqual(["org-brg"]);
    expect(manifest.stacks["platform-at22-k8s"].dependencies).toEqual(["platform-at22"]);
  });
});
