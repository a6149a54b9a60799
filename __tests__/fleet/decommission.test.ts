/**
 * fleet.yaml `decommission`: what an org leaves behind is destroyed only through an explicit
 * entry; the entry is validated (one clear error per problem, all at once); its stacks are
 * synthesized as before, in destroy mode, with stateful resources destroyable only with the
 * second setting; the cluster's address block stays until the entry is removed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { suppressionsOn } from "../../constructs/policy";
import { runAllocate } from "../../fleet/address-plan-cli";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import type { FleetProblem } from "../../fleet/problems";
import { planStacks } from "../../stacks/app";
import { synthFleet } from "../../stacks/synth-fleet";
import { testApp } from "../../testing";
import { fleetFixture, removeFleetFixtures } from "../../testing/fleet-fixture";
import { tempDir } from "../cli/fixtures";

afterAll(removeFleetFixtures);

type Doc = Record<string, any>;

const errors = (problems: readonly FleetProblem[]) => problems.filter((p) => p.severity === "error");

function fleetOf(dir: string): Fleet {
  const { fleet, problems } = loadFleet(dir);
  if (!fleet)
    throw new Error(
      errors(problems)
        .map((p) => p.message)
        .join("\n"),
    );
  return fleet;
}

/** `dfo` (tt02 only) leaves the registry; its orgnr moves to fleet.yaml; `entry` is its decommission entry. */
function dfoLeaves(entry: Doc, more: (settings: Doc) => void = () => {}) {
  return fleetFixture({
    orgs: (doc) => {
      delete doc.orgs.dfo;
    },
    settings: (doc) => {
      doc.orgs.dfo = {
        orgnr: "986252932",
        environments: { tt02: { nodePools: { user: { maxCount: 4 } } } },
      };
      doc.decommission = { dfo: entry };
      more(doc);
    },
  });
}

describe("validation of decommission entries", () => {
  it("reports every mistake at once, one error each, with the fix", () => {
    const dir = dfoLeaves({ environments: ["tt02"], registry: true }, (doc) => {
      doc.decommission.brg = { environments: ["tt02"] };
      doc.decommission.buf = { registry: true };
      doc.decommission.dat = { environments: ["at21", "nowhere"] };
      doc.decommission.ttd = {};
      doc.decommission.xyz = { environments: ["at22"] };
      doc.orgs.xyz = { orgnr: "123456789" };
      doc.decommission.qqq = {};
    });
    const { fleet, problems } = loadFleet(dir);
    expect(fleet).toBeUndefined();
    const found = errors(problems).filter((p) => p.field.startsWith("decommission."));
    const byField = Object.fromEntries(found.map((p) => [p.field, p]));
    expect(Object.keys(byField).sort()).toEqual([
      "decommission.brg.environments[0]",
      "decommission.buf.registry",
      "decommission.dat.environments[0]",
      "decommission.dat.environments[1]",
      "decommission.dfo.registry",
      "decommission.qqq",
      "decommission.ttd",
      "decommission.xyz.environments[0]",
    ]);
    expect(found).toHaveLength(8);
    expect(byField["decommission.brg.environments[0]"]!.message).toContain(
      "the org still runs in tt02 according to altinn-orgs.json",
    );
    expect(byField["decommission.buf.registry"]!.fix).toContain("remove the org from altinn-orgs.json first");
    expect(byField["decommission.dat.environments[0]"]!.message).toContain("retired");
    expect(byField["decommission.dat.environments[1]"]!.message).toBe("not an environment the fleet defines");
    expect(byField["decommission.dfo.registry"]!.message).toContain("the registry goes last");
    expect(byField["decommission.qqq"]!.fix).toContain("add orgs.qqq.orgnr");
    expect(byField["decommission.ttd"]!.message).toContain("names nothing to destroy");
    expect(byField["decommission.xyz.environments[0]"]!.message).toContain(
      "apps-xyz-at22 has no address block in address-plan.yaml",
    );
    // Each one names its line in fleet.yaml.
    for (const p of found) {
      expect(p.file).toBe("fleet.yaml");
      expect(p.line).toBeGreaterThan(0);
    }
    // The org's settings and orgnr for a decommissioned org are no "unknown org" error.
    expect(errors(problems).filter((p) => p.field === "orgs.dfo" || p.field === "orgs.xyz")).toEqual([]);
  });

  it("refuses unknown keys in an entry (schema)", () => {
    const { problems } = loadFleet(dfoLeaves({ environments: ["tt02"], destroyStateful: true }));
    expect(errors(problems).map((p) => p.field)).toEqual([expect.stringContaining("decommission.dfo")]);
  });
});

describe("a decommissioned Apps environment", () => {
  const ids = ["org-dfo", "apps-dfo-tt02", "apps-dfo-tt02-k8s"];

  function built(destroyStateful: boolean) {
    const dir = dfoLeaves({ environments: ["tt02"], destroyStatefulResources: destroyStateful });
    const fleet = fleetOf(dir);
    const out = join(tempDir("fleet-decommission-"), "cdktf.out");
    synthFleet(fleet, { outdir: out, select: ids });
    const stacks = JSON.parse(readFileSync(join(out, "stacks.json"), "utf8")).stacks as Record<string, Doc>;
    const json = (id: string) =>
      JSON.parse(readFileSync(join(out, "stacks", id, "cdk.tf.json"), "utf8")) as Doc;
    const preventDestroy = (id: string) =>
      Object.entries(json(id).resource as Record<string, Record<string, Doc>>).flatMap(([type, byName]) =>
        Object.entries(byName)
          .filter(([, r]) => r.lifecycle?.prevent_destroy !== undefined)
          .map(([name, r]) => `${type}.${name}=${r.lifecycle.prevent_destroy}`),
      );
    return { fleet, stacks, json, preventDestroy };
  }

  it("is synthesized as before in destroy mode, the -k8s stack destroyed first; stateful resources keep prevent_destroy", () => {
    const { fleet, stacks, preventDestroy } = built(false);
    expect(fleet.apps.some((a) => a.org.code === "dfo")).toBe(false);
    expect(fleet.orgs.some((o) => o.code === "dfo")).toBe(false);
    expect(stacks["apps-dfo-tt02"]).toMatchObject({
      kind: "apps",
      scope: "tt02",
      mode: "destroy",
      destroyStateful: false,
      dependsOn: ["apps-dfo-tt02-k8s"],
    });
    expect(stacks["apps-dfo-tt02-k8s"]).toMatchObject({ kind: "apps-k8s", mode: "destroy", dependsOn: [] });
    // The registry stays (the org left the registry, but registry: true is not set): planned as before.
    expect(stacks["org-dfo"]).toMatchObject({ kind: "org", scope: "shared" });
    expect(stacks["org-dfo"]!.mode).toBeUndefined();
    const protectedResources = preventDestroy("apps-dfo-tt02");
    expect(protectedResources.length).toBeGreaterThan(5);
    expect(protectedResources.every((r) => r.endsWith("=true"))).toBe(true);
    expect(preventDestroy("org-dfo").every((r) => r.endsWith("=true"))).toBe(true);
  });

  it("gets another input hash with the second setting, so synthesis never reuses the protected output", () => {
    const hash = (destroyStateful: boolean) => built(destroyStateful).stacks["apps-dfo-tt02"]!.inputHash;
    const kept = hash(false);
    expect(kept).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(true)).not.toBe(kept);
  });

  it("loses prevent_destroy only with destroyStatefulResources, excused from SAFE-001 with the reason", () => {
    const { fleet, stacks, preventDestroy, json } = built(true);
    expect(stacks["apps-dfo-tt02"]).toMatchObject({ mode: "destroy", destroyStateful: true });
    const resources = preventDestroy("apps-dfo-tt02");
    expect(resources.length).toBeGreaterThan(5);
    expect(resources.filter((r) => !r.endsWith("=false"))).toEqual([]);
    // The policy rule that requires prevent_destroy is suppressed on the stack, with its reason.
    const apps = planStacks(fleet).find((p) => p.id === "apps-dfo-tt02")!;
    expect(suppressionsOn(apps.build(testApp(), "local"))).toEqual([
      { rule: "SAFE-001", reason: expect.stringContaining("destroyStatefulResources: true") },
    ]);
    // The registry, which is not being destroyed, keeps its protection.
    expect(preventDestroy("org-dfo").every((r) => r.endsWith("=true"))).toBe(true);
    // Built from the same settings as before: the org's own override still applies.
    const pools = json("apps-dfo-tt02").resource.azurerm_kubernetes_cluster_node_pool as Record<string, Doc>;
    expect(Object.values(pools).map((p) => p.max_count)).toContain(4);
  });

  it("keeps its address block required until the entry is removed; then --prune releases it", () => {
    const dir = dfoLeaves({ environments: ["tt02"] });
    const prune = (d: string) => {
      const { addressing } = loadFleet(d);
      const lines: string[] = [];
      const code = runAllocate({
        fleetDir: d,
        settings: addressing!.settings,
        requiredKeys: addressing!.clusterKeys,
        prune: true,
        dryRun: true,
        output: { log: (l) => lines.push(l), error: (l) => lines.push(l) },
      });
      expect(code).toBe(0);
      return lines.join("\n");
    };
    expect(prune(dir)).not.toContain("released");
    const gone = fleetFixture({
      orgs: (doc) => {
        delete doc.orgs.dfo;
      },
    });
    expect(prune(gone)).toMatch(/released 1 block:\n {2}apps-dfo-tt02 {2}10\.\d+\.\d+\.\d+\/22/);
  });

  it("plans the registry's destruction once registry: true is set (after the environments are gone)", () => {
    const dir = dfoLeaves({ registry: true, destroyStatefulResources: true });
    const fleet = fleetOf(dir);
    const planned = planStacks(fleet).filter((p) => p.org === "dfo");
    expect(planned.map((p) => [p.id, p.mode, p.destroyStateful])).toEqual([["org-dfo", "destroy", true]]);
  });
});
