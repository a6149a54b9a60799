/** What a matrix leg publishes, and the provider versions the pipeline mirrors. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/pipeline/command";
import {
  legArtifacts,
  legId,
  providerRequirements,
  stageLeg,
  writeProviderModules,
} from "../../cli/pipeline/pipeline-leg";
import { readManifest } from "../../cli/shared/manifest";
import { captureIO, stackJson, tempDir, writeOut } from "../cli/fixtures";

describe("leg artifacts", () => {
  it("are named from the scope, a hash of the stack list and the attempt", () => {
    const names = legArtifacts("at22", "apps-ttd-at22 apps-skd-at22", { stage: 1, job: 2 });
    const id = legId("apps-ttd-at22 apps-skd-at22");
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(names).toEqual({
      plan: `plan_at22_${id}_1_2`,
      result: `result_at22_${id}_1_2`,
      applied: `applied_at22_${id}_1_2`,
    });
    expect(legId("apps-ttd-at22")).not.toBe(id);
  });

  it("are named apart in the second pass, whose leg may hold exactly a first-pass leg's stacks", () => {
    const first = legArtifacts("at22", "apps-ttd-at22-k8s", { stage: 1, job: 1 });
    const second = legArtifacts("at22", "apps-ttd-at22-k8s", { stage: 1, job: 1 }, 2);
    expect(second.plan).toBe(`plan_p2_at22_${legId("apps-ttd-at22-k8s")}_1_1`);
    expect(second.result).not.toBe(first.result);
    expect(second.result.startsWith("result_at22_")).toBe(false);
    const root = tempDir("pipeline-leg-");
    mkdirSync(join(root, "plans"), { recursive: true });
    const staged = stageLeg({
      phase: "plan",
      scope: "at22",
      outDir: join(root, "plans"),
      staging: join(root, "staging"),
      env: { STACKS: "apps-ttd-at22-k8s", WAVE: "0", FLEET_PASS: "2" },
    });
    expect(staged.variables).toEqual({ RESULT_ARTIFACT: second.result, PLAN_ARTIFACT: second.plan });
    // The apply leg derives its applied_ name from the saved-plan artifact it applied.
    const apply = stageLeg({
      phase: "apply",
      scope: "at22",
      outDir: join(root, "plans"),
      staging: join(root, "staging"),
      env: { ARTIFACT: second.plan, FLEET_PASS: "2" },
    });
    expect(apply.variables.APPLY_ARTIFACT).toBe(`applied_p2_at22_${legId("apps-ttd-at22-k8s")}_1_1_1_1`);
  });

  it("stage a plan leg's small results and leg.json, never the saved plan", () => {
    const root = tempDir("pipeline-leg-");
    const plans = join(root, "plans");
    mkdirSync(join(plans, "apps-ttd-at22"), { recursive: true });
    for (const f of ["result.json", "summary.md", "tfplan", "plan.json", "plan.log"]) {
      writeFileSync(join(plans, "apps-ttd-at22", f), f);
    }
    const staged = stageLeg({
      phase: "plan",
      scope: "at22",
      outDir: plans,
      staging: join(root, "staging"),
      env: { STACKS: "apps-ttd-at22 apps-skd-at22", WAVE: "1" },
    });
    const names = legArtifacts("at22", "apps-ttd-at22 apps-skd-at22", { stage: 1, job: 1 });
    expect(staged.variables).toEqual({ RESULT_ARTIFACT: names.result, PLAN_ARTIFACT: names.plan });
    const dir = join(root, "staging", "result");
    expect(JSON.parse(readFileSync(join(dir, "leg.json"), "utf8"))).toEqual({
      scope: "at22",
      stacks: "apps-ttd-at22 apps-skd-at22",
      wave: "1",
      pass: 1,
      planArtifact: names.plan,
      resultArtifact: names.result,
      attempt: { stage: 1, job: 1 },
    });
    expect(existsSync(join(dir, "apps-ttd-at22", "result.json"))).toBe(true);
    expect(existsSync(join(dir, "apps-ttd-at22", "summary.md"))).toBe(true);
    expect(existsSync(join(dir, "apps-ttd-at22", "tfplan"))).toBe(false);
    expect(existsSync(join(dir, "apps-ttd-at22", "plan.json"))).toBe(false);
  });

  it("still publish results (and no plans) when npm run plan never ran", () => {
    const root = tempDir("pipeline-leg-");
    const staged = stageLeg({
      phase: "plan",
      scope: "at22",
      outDir: join(root, "plans"),
      staging: join(root, "staging"),
      env: { STACKS: "apps-ttd-at22", WAVE: "0" },
    });
    expect(Object.keys(staged.variables)).toEqual(["RESULT_ARTIFACT"]);
    expect(existsSync(join(root, "staging", "result", "leg.json"))).toBe(true);
  });

  it("fail outside a matrix leg", () => {
    const root = tempDir("pipeline-leg-");
    expect(() => stageLeg({ phase: "plan", scope: "at22", outDir: root, staging: root, env: {} })).toThrow(
      /STACKS is empty/,
    );
    expect(() => stageLeg({ phase: "apply", scope: "at22", outDir: root, staging: root, env: {} })).toThrow(
      /ARTIFACT is empty/,
    );
  });
});

describe("provider requirements", () => {
  function out(versions: Record<string, string>[]) {
    const root = tempDir("pipeline-providers-");
    return writeOut(
      root,
      "cdktf.out",
      versions.map((required, i) => ({
        id: `apps-o${i}-at22`,
        json: {
          ...stackJson(`apps-o${i}-at22`, {}),
          terraform: {
            required_providers: Object.fromEntries(
              Object.entries(required).map(([n, v]) => [n, { source: n, version: v }]),
            ),
          },
        },
      })),
    );
  }

  it("collects every pinned provider version of every stack", () => {
    const r = providerRequirements(
      readManifest(out([{ azurerm: "4.55.0" }, { azurerm: "4.55.0", helm: "3.1.1", kubernetes: "2.38.0" }])),
    );
    expect(r.versions).toEqual({
      azurerm: { source: "azurerm", versions: ["4.55.0"] },
      helm: { source: "helm", versions: ["3.1.1"] },
      kubernetes: { source: "kubernetes", versions: ["2.38.0"] },
    });
    expect(r.modules).toEqual([
      {
        azurerm: { source: "azurerm", version: "4.55.0" },
        helm: { source: "helm", version: "3.1.1" },
        kubernetes: { source: "kubernetes", version: "2.38.0" },
      },
    ]);
  });

  it("mirrors both versions while stacks move from one provider version to the next", () => {
    const r = providerRequirements(readManifest(out([{ azurerm: "4.55.0" }, { azurerm: "4.56.0" }])));
    expect(r.modules.map((m) => m.azurerm!.version)).toEqual(["4.55.0", "4.56.0"]);
  });

  it("npm run pipeline -- providers writes the cache key file and one module per version set", async () => {
    const cdktfOut = out([{ azurerm: "4.55.0", helm: "3.1.1" }]);
    const target = join(tempDir("pipeline-providers-"), "providers");
    const io = captureIO(process.cwd());
    expect(await main(["providers", "--cdktf-out", cdktfOut, "--out", target], io)).toBe(0);
    expect(io.stdout()).toBe("azurerm (azurerm): 4.55.0\nhelm (helm): 3.1.1\n");
    expect(JSON.parse(readFileSync(join(target, "0", "providers.tf.json"), "utf8"))).toEqual({
      terraform: {
        required_providers: {
          azurerm: { source: "azurerm", version: "4.55.0" },
          helm: { source: "helm", version: "3.1.1" },
        },
      },
    });
    expect(existsSync(join(target, "versions.json"))).toBe(true);
    // Same requirements, same key file: legs of one run share the cache entry.
    const again = join(tempDir("pipeline-providers-"), "providers");
    writeProviderModules(providerRequirements(readManifest(cdktfOut)), again);
    expect(readFileSync(join(again, "versions.json"), "utf8")).toBe(
      readFileSync(join(target, "versions.json"), "utf8"),
    );
  });
});
