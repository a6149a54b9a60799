/**
 * Every Helm release the project emits, checked against the chart itself: the version is one the
 * chart's repository publishes, and the values are keys of that chart version with the right
 * types. Reads the chart facts in ../shared/charts (beside the checkout; see testing/chart-check.ts).
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kured } from "../../constructs/in-cluster";
import { loadFleet } from "../../fleet/load";
import { synthFleet } from "../../stacks/synth-fleet";
import { resourcesOf, synthStack } from "../../testing";
import {
  COMMENTED_KEYS,
  chartEntryOf,
  collectReleases,
  commentedKeyDocumented,
  FREE_FORM_PATHS,
  type HelmReleaseFact,
  loadChartIndex,
  releaseFact,
  UNCHECKED_CHARTS,
  valuesProblems,
  versionProblems,
} from "../../testing/chart-check";
import { sharedFleetOutput } from "../../testing/fleet-synth";
import { clusterTestStack } from "../../testing/helm";
import { REPO_ROOT } from "../../testing/run-cli";

let example: string | undefined;

/** The example fleet with every service switched on, synthesized once for this file. */
function exampleOutput(): string {
  if (example === undefined) {
    const { fleet, problems } = loadFleet(join(REPO_ROOT, "examples", "all-services"));
    if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
    example = mkdtempSync(join(tmpdir(), "charts-example-"));
    synthFleet(fleet, { outdir: example });
  }
  return example;
}

const outputs: Record<string, () => HelmReleaseFact[]> = {
  "the committed fleet": () => collectReleases(sharedFleetOutput()),
  "examples/all-services": () => collectReleases(exampleOutput()),
};

describe.each(Object.keys(outputs))("Helm releases of %s", (name) => {
  let releases: HelmReleaseFact[];
  beforeAll(() => {
    releases = outputs[name]!();
  });

  test("every pinned chart version is published in its repository", () => {
    const index = loadChartIndex();
    expect(releases.length).toBeGreaterThan(0);
    expect(releases.flatMap((r) => versionProblems(r, index))).toEqual([]);
  });

  test("every release's values are keys of its chart version, with the chart's types", () => {
    expect(releases.flatMap((r) => valuesProblems(r))).toEqual([]);
  });
});

test("Kured, which no fleet cluster runs today (no Unmanaged node OS channel), is checked too", () => {
  const { stack, connection } = clusterTestStack();
  new Kured(stack, "kured", { connection, nodeOsUpgradeChannel: "Unmanaged" });
  const kured = Object.entries(resourcesOf(synthStack(stack), "helm_release")).map(([id, r]) =>
    releaseFact("kured-test", id, r),
  );
  expect(kured.map((r) => r.chart)).toEqual(["kured"]);
  expect(kured.flatMap((r) => [...versionProblems(r, loadChartIndex()), ...valuesProblems(r)])).toEqual([]);
});

describe("the chart check itself", () => {
  let loki: HelmReleaseFact;
  let oathkeeper: HelmReleaseFact;
  beforeAll(() => {
    const all = collectReleases(exampleOutput());
    loki = all.find((r) => r.chart === "loki" && r.stack === "apps-ttd-tt02-k8s")!;
    oathkeeper = all.find((r) => r.chart === "oathkeeper" && r.stack === "apps-ttd-tt02-k8s")!;
  });

  test("rejects a version the repository does not publish, naming the release, its stack and the nearest versions", () => {
    const problems = versionProblems({ ...loki, version: "8.2.0" }, loadChartIndex());
    expect(problems).toEqual([
      expect.stringMatching(
        /release "loki" \(chart loki 8\.2\.0\) in stack apps-ttd-tt02-k8s: version 8\.2\.0 is not published .*nearest published versions are 8\.1\.3 and 9\.0\.0/,
      ),
    ]);
  });

  test("rejects a key the chart does not know and a value of the wrong type, naming the key and the fix", () => {
    const planted = {
      ...loki,
      values: [...loki.values, "loki:\n  notAChartKey: 1\ndeploymentMode: 5\n"],
    };
    const problems = valuesProblems(planted);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /release "loki" .*key loki\.notAChartKey is not a value of loki 8\.1\.3; remove it/,
        ),
        expect.stringMatching(/release "loki" .*deploymentMode must be string .*values\.schema\.json/),
      ]),
    );
    // A chart without a schema: the type comes from its values.yaml default.
    const wrongType = { ...oathkeeper, values: [...oathkeeper.values, "replicaCount: many\n"] };
    expect(valuesProblems(wrongType)).toEqual([
      expect.stringMatching(
        /replicaCount is a string, but the chart's default is a number; give it a number/,
      ),
    ]);
  });

  test("rejects a chart the index does not know", () => {
    expect(versionProblems({ ...loki, repository: "https://example.org/charts" }, loadChartIndex())).toEqual([
      expect.stringMatching(/has no entry in \.\.\/shared\/charts\/index\.json/),
    ]);
  });

  test("free-form paths name charts the index knows", () => {
    const charts = Object.values(loadChartIndex()).map((e) => e.chart);
    expect(Object.keys(FREE_FORM_PATHS).filter((c) => !charts.includes(c))).toEqual([]);
  });

  test("every commented key is documented as a comment in the chart's values.yaml at the pinned version", () => {
    const index = loadChartIndex();
    const missing = Object.entries(COMMENTED_KEYS).flatMap(([chart, paths]) =>
      paths
        .filter((p) => !commentedKeyDocumented(chart, index[chart]!.pinned, p))
        .map((p) => `${chart}: ${p}`),
    );
    expect(missing).toEqual([]);
  });

  test("a chart is exempt from the version check only while the folder could not check it", () => {
    const index = loadChartIndex();
    for (const [chart, { version }] of Object.entries(UNCHECKED_CHARTS)) {
      const entry = chartEntryOf({ repository: index[chart]!.repository, chart }, index)!;
      expect([chart, entry.pinnedExists, entry.recorded]).toEqual([chart, null, []]);
      expect(entry.versions.map((v) => v.version)).not.toContain(version);
    }
  });
});
