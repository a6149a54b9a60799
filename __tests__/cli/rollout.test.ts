/**
 * Rollout slots (fleet.yaml `rollout`): canaries first, then batches that do not move as orgs
 * come and go, the failure budget, and the validation of the section.
 */

import { allLegs, buildMatrix } from "../../cli/matrix/matrix";
import {
  applySlots,
  batchOf,
  checkBudget,
  DEPENDENCY_WAVES,
  groupOf,
  resolveRollout,
  slotOf,
} from "../../cli/pipeline/rollout";
import { StackGraph } from "../../cli/shared/manifest";
import { loadFleet } from "../../fleet/load";
import { fleetFixture, removeFleetFixtures } from "../../testing/fleet-fixture";

afterAll(removeFleetFixtures);

const ROLLOUT = { canaries: ["ttd", "digdir"], batches: 3, failureBudget: { stacks: 1, percent: 5 } };

describe("applySlots", () => {
  it("orders the slots dependency wave major, canaries then batches minor, from fleet.yaml only", () => {
    const slots = applySlots({ rollout: ROLLOUT });
    expect(slots).toHaveLength(DEPENDENCY_WAVES * 4);
    expect(slots.slice(0, 5).map((s) => [s.index, s.label])).toEqual([
      [0, "wave 0 canaries"],
      [1, "wave 0 batch 1 of 3"],
      [2, "wave 0 batch 2 of 3"],
      [3, "wave 0 batch 3 of 3"],
      [4, "wave 1 canaries"],
    ]);
  });

  it("is one slot per dependency wave without a rollout section", () => {
    expect(applySlots({}).map((s) => s.label)).toEqual(["wave 0 all", "wave 1 all", "wave 2 all"]);
    expect(resolveRollout({}).failureBudget).toEqual({ stacks: 0 });
  });

  it("has no canary slot when no canaries are named", () => {
    expect(applySlots({ rollout: { batches: 2 } }).map((s) => s.label)).toEqual([
      "wave 0 batch 1 of 2",
      "wave 0 batch 2 of 2",
      "wave 1 batch 1 of 2",
      "wave 1 batch 2 of 2",
      "wave 2 batch 1 of 2",
      "wave 2 batch 2 of 2",
    ]);
  });
});

describe("groups", () => {
  const rollout = resolveRollout({ rollout: ROLLOUT });

  it("puts the canaries first and stacks of no org (Platform, Studio) in the last batch", () => {
    expect(groupOf(rollout, "ttd")).toBe(0);
    expect(groupOf(rollout, "digdir")).toBe(0);
    expect(groupOf(rollout, undefined)).toBe(3);
    expect(slotOf(rollout, 1, "ttd")).toBe(4);
    expect(slotOf(rollout, 2, undefined)).toBe(11);
  });

  it("keeps every org in its batch when orgs are added or removed (a hash of the code, not a position)", () => {
    const orgs = Array.from({ length: 60 }, (_, i) => `org${i}`);
    const before = new Map(orgs.map((o) => [o, batchOf(o, 3)]));
    // Were batches cut from a sorted list, inserting "aaa" would shift every later org.
    const after = new Map(["aaa", ...orgs.slice(1)].map((o) => [o, batchOf(o, 3)]));
    for (const o of orgs.slice(1)) expect(after.get(o)).toBe(before.get(o));
    // And the batches are used: 60 orgs spread over all three.
    expect(new Set(before.values())).toEqual(new Set([0, 1, 2]));
  });

  it("refuses a dependency wave beyond the pipeline's slots", () => {
    expect(() => slotOf(rollout, DEPENDENCY_WAVES, "ttd")).toThrow(/beyond the pipeline's 3 waves/);
  });
});

describe("the plan matrix with a rollout", () => {
  const graph = new StackGraph(
    new Map<string, string[]>([
      ["apps-ttd-at22", []],
      ["apps-skd-at22", []],
      ["apps-brg-at22", []],
      ["platform-at22", []],
      ["apps-ttd-at22-k8s", ["apps-ttd-at22"]],
      ["apps-skd-at22-k8s", ["apps-skd-at22"]],
    ]),
  );
  const org = (id: string) => (id.startsWith("apps-") ? id.split("-")[1] : undefined);
  const rollout = resolveRollout({ rollout: { canaries: ["ttd"], batches: 2 } });

  it("gives every leg its apply slot, canaries in a leg of their own even when legs hold many stacks", () => {
    const { matrix } = buildMatrix({
      graph,
      stacks: graph.ids,
      shardSize: 10,
      rollout: { rollout, orgOf: org },
    });
    const legs = Object.values(allLegs(matrix));
    for (const leg of legs) {
      const slots = new Set(leg.STACKS.split(" ").map((s) => slotOf(rollout, Number(leg.WAVE), org(s))));
      expect([...slots]).toEqual([Number(leg.SLOT)]);
    }
    const canaryLeg = legs.find((l) => l.STACKS.split(" ").includes("apps-ttd-at22"))!;
    expect(canaryLeg.STACKS).toBe("apps-ttd-at22");
    expect(canaryLeg.SLOT).toBe("0");
  });
});

describe("checkBudget", () => {
  it("stops when more stacks failed than allowed, or a larger share", () => {
    expect(checkBudget({ stacks: 1, percent: 5 }, 1, 30).exceeded).toBe(false);
    expect(checkBudget({ stacks: 1, percent: 5 }, 2, 30).exceeded).toBe(true);
    // One of two canaries is 50%: over 5% although within one stack.
    expect(checkBudget({ stacks: 1, percent: 5 }, 1, 2).exceeded).toBe(true);
    expect(checkBudget({ percent: 10 }, 3, 40).exceeded).toBe(false);
    expect(checkBudget({ stacks: 0 }, 1, 100).text).toBe(
      "1 of 100 applied stack(s) failed (1%); the budget allows 0 failed stack(s)",
    );
  });
});

describe("fleet.yaml rollout validation", () => {
  it("the committed fleet names canaries that exist", () => {
    const { fleet, problems } = loadFleet(fleetFixture());
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(fleet!.settings.rollout?.canaries).toEqual(["ttd", "digdir"]);
  });

  it("fails naming a canary that is not an org of the registry, with its line, all at once with schema errors", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        doc.rollout = { canaries: ["ttd", "TTD", "nosuchorg"], batches: 0, failureBudget: {} };
      },
    });
    const errors = loadFleet(dir).problems.filter((p) => p.severity === "error");
    const byField = Object.fromEntries(errors.map((p) => [p.field, p]));
    expect(byField["rollout.canaries[1]"]?.fix).toBe("write it as the registry does: ttd");
    expect(byField["rollout.canaries[2]"]?.message).toMatch(/not an org of altinn-orgs.json/);
    expect(byField["rollout.canaries[2]"]?.line).toBeGreaterThan(0);
    expect(Object.keys(byField).some((f) => f.startsWith("rollout.batches"))).toBe(true);
    expect(Object.keys(byField).some((f) => f.startsWith("rollout.failureBudget"))).toBe(true);
  });
});
