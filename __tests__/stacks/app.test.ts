import {
  assertUniqueIds,
  buildFleetApp,
  type PlannedStack,
  planStacks,
  selectStacks,
} from "../../stacks/app";
import { synthStack, testApp } from "../../testing";
import { committedFleet } from "../../testing/fleet-synth";

const fleet = committedFleet();

describe("planStacks", () => {
  const planned = planStacks(fleet);

  test("plans one org stack per org and two stacks per org/environment pair", () => {
    expect(planned.filter((p) => p.kind === "org")).toHaveLength(fleet.orgs.length);
    expect(planned.filter((p) => p.kind === "apps")).toHaveLength(fleet.apps.length);
    expect(planned.filter((p) => p.kind === "apps-k8s")).toHaveLength(fleet.apps.length);
  });

  test("lists every dependency before its dependent", () => {
    const seen = new Set<string>();
    for (const p of planned) {
      for (const d of p.dependsOn) expect([p.id, seen.has(d)]).toEqual([p.id, true]);
      seen.add(p.id);
    }
  });
});

describe("selectStacks", () => {
  const planned = planStacks(fleet);

  test("builds exactly the selected stacks and what they depend on", () => {
    const ids = selectStacks(planned, ["apps-ttd-tt02-k8s"]).map((p) => p.id);
    expect(ids).toEqual(["org-ttd", "apps-ttd-tt02", "apps-ttd-tt02-k8s"]);
  });

  test("takes globs", () => {
    const ids = selectStacks(planned, ["apps-brg-*"]).map((p) => p.id);
    expect(ids.sort()).toEqual([
      "apps-brg-prod",
      "apps-brg-prod-k8s",
      "apps-brg-tt02",
      "apps-brg-tt02-k8s",
      "org-brg",
    ]);
  });

  test("selects nothing when nothing matches", () => {
    expect(selectStacks(planned, ["nope-*"])).toEqual([]);
  });
});

describe("stack ids", () => {
  test("fails if two stacks would have the same id (cdktf would silently keep one)", () => {
    const dup = {
      id: "apps-x-tt02",
      kind: "apps",
      environment: "tt02",
      dependsOn: [],
    } as unknown as PlannedStack;
    expect(() => assertUniqueIds([dup, dup])).toThrow(/must be unique.*apps-x-tt02/);
  });
});

describe("the local backend for offline work", () => {
  test("keeps state outside cdktf.out with a relative path", () => {
    const { stacks } = buildFleetApp(fleet, { app: testApp(), backend: "local", select: ["org-ttd"] });
    const synth = synthStack(stacks.get("org-ttd")!);
    expect(synth.parsed.terraform?.backend).toEqual({ local: { path: "../../../.state/org-ttd.tfstate" } });
  });
});
