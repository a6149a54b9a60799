/**
 * A fleet-wide Kubernetes upgrade is one commit: both environment classes move to a new minor
 * version; the test scopes plan and apply in an earlier ring than production, and inside
 * production the canaries' clusters apply first, the other orgs in batches after them, the
 * Platform and Studio clusters with the last batch, and what runs in the clusters after all of
 * them (README "Runbook: a Kubernetes upgrade of the fleet").
 */
import { cpSync } from "node:fs";
import { join } from "node:path";
import { allLegs } from "../../cli/matrix/matrix";
import { promotionOrder } from "../../cli/pipeline/pipeline";
import { prepareRun } from "../../cli/pipeline/pipeline-prepare";
import { runContext } from "../../cli/pipeline/pipeline-run";
import { applySlots, resolveRollout } from "../../cli/pipeline/rollout";
import { SynthOutput } from "../../cli/shared/synth-output";
import { loadFleet } from "../../fleet/load";
import { synthFleet } from "../../stacks/synth-fleet";
import { fleetFixture, removeFleetFixtures } from "../../testing/fleet-fixture";
import { sharedFleetOutput } from "../../testing/fleet-synth";
import { tempDir } from "../cli/fixtures";

afterAll(removeFleetFixtures);

describe("a Kubernetes upgrade of both environment classes in one commit", () => {
  const dir = fleetFixture({
    settings: (doc) => {
      const classes = doc.environmentClasses as Record<string, { kubernetesVersion: string }>;
      classes.test!.kubernetesVersion = "1.34";
      classes.production!.kubernetesVersion = "1.34";
    },
  });
  const { fleet } = loadFleet(dir);
  // The head: the committed output with the at22 and prod stacks synthesized again from the change.
  const head = join(tempDir("upgrade-"), "cdktf.out");
  cpSync(sharedFleetOutput(), head, { recursive: true });
  synthFleet(fleet!, {
    outdir: head,
    select: ["*-at22", "*-at22-k8s", "*-prod", "*-prod-k8s"],
    keepFrom: head,
  });
  const base = new SynthOutput(sharedFleetOutput());
  const after = new SynthOutput(head);
  const rollout = resolveRollout(fleet!.settings);
  const slots = applySlots(fleet!.settings);

  // The Build stage of the deploy run after the commit (both scopes last applied at the base).
  const prepared = prepareRun({
    scopes: ["at22", "prod"],
    context: runContext(
      { BUILD_REASON: "IndividualCI", BUILD_SOURCEBRANCH: "refs/heads/main" },
      { mainBranch: "main" },
    ),
    bases: new Map(["at22", "prod"].map((s) => [s, { commit: "base", source: "last applied" }])),
    head: after,
    loadBase: async () => ({ output: base, cleanup: async () => {} }),
    maxJobs: 250,
    waveSlots: 3,
    rollout,
  });

  /** The scope's stacks by apply slot label, as prepare's matrix assigns them. */
  async function bySlot(scope: string): Promise<Map<string, string[]>> {
    const { matrix } = (await prepared).scopes.find((s) => s.scope === scope)!;
    const out = new Map<string, string[]>();
    for (const leg of Object.values(allLegs(matrix))) {
      const label = slots[Number(leg.SLOT)]!.label;
      out.set(label, [...(out.get(label) ?? []), ...leg.STACKS.split(" ")].sort());
    }
    return out;
  }

  it("plans the test scopes in a ring before production", async () => {
    const order = promotionOrder(fleet!);
    const ring = (s: string) => order.find((x) => x.scope === s)!.ring;
    expect(ring("at22")).toBeLessThan(ring("prod"));
    expect((await bySlot("at22")).get("wave 0 canaries")).toEqual(["apps-ttd-at22"]);
  });

  it("applies production's canary clusters first, the Platform and Studio with the last batch, -k8s stacks after every cluster", async () => {
    const prod = await bySlot("prod");
    expect(prod.get("wave 0 canaries")).toEqual(["apps-digdir-prod", "apps-ttd-prod"]);
    expect(prod.get("wave 0 batch 3 of 3")).toEqual(expect.arrayContaining(["platform-prod", "studio-prod"]));
    const wave0 = [...prod].filter(([l]) => l.startsWith("wave 0")).flatMap(([, s]) => s);
    const later = [...prod].filter(([l]) => !l.startsWith("wave 0")).flatMap(([, s]) => s);
    // Every production cluster is in wave 0; every stack of wave 1 runs inside one.
    expect(wave0.filter((s) => s.endsWith("-k8s"))).toEqual([]);
    expect(later.every((s) => s.endsWith("-k8s"))).toBe(true);
    const apps = fleet!.apps.filter((a) => a.environment.token === "prod").map((a) => a.clusterKey);
    expect(wave0).toEqual(expect.arrayContaining(apps));
    // The batches hold the other orgs, each in one batch only.
    const batches = [1, 2, 3].map((b) => prod.get(`wave 0 batch ${b} of 3`) ?? []);
    expect(new Set(batches.flat()).size).toBe(batches.flat().length);
    expect(batches.every((b) => b.length > 0)).toBe(true);
  });
});
