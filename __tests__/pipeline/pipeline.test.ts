/**
 * azure-pipelines.yml is generated from the fleet definition and extends the committed templates
 * in pipeline/templates/: the committed file is current, and the pipeline Azure DevOps compiles
 * from it (expanded here by testing/pipeline-expand.ts) has its stages, gates and identities
 * following the fleet's state scopes in promotion order.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { main } from "../../cli/pipeline/command";
import {
  buildPipeline,
  PIPELINE_DEFAULTS,
  PIPELINE_FILE,
  PIPELINE_NAMES,
  PLAN_ALL_EXPRESSION,
  promotionOrder,
  renderPipeline,
} from "../../cli/pipeline/pipeline";
import { applySlots } from "../../cli/pipeline/rollout";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { STATE_SCOPES_STACK_ID } from "../../stacks/app";
import { resourcesOf } from "../../testing";
import { COMMITTED_FLEET, fleetFixture } from "../../testing/fleet-fixture";
import { synthFleetStacks } from "../../testing/fleet-synth";
import { expandPipeline } from "../../testing/pipeline-expand";
import { REPO_ROOT } from "../../testing/run-cli";
import { captureIO, tempDir } from "../cli/fixtures";

type Node = Record<string, any>;

function fleetOf(dir: string): Fleet {
  const { fleet, problems } = loadFleet(dir);
  if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
  return fleet;
}

const fleet = fleetOf(COMMITTED_FLEET);
const committed = readFileSync(join(REPO_ROOT, PIPELINE_FILE), "utf8");
const root = parse(committed) as Node;
/** The pipeline as Azure DevOps compiles it: root and templates expanded. */
const pipeline = expandPipeline(join(REPO_ROOT, PIPELINE_FILE)) as Node;
const slots = applySlots(fleet.settings);
const stages = pipeline.stages as Node[];
const stage = (id: string) => stages.find((s) => s.stage === id)!;
const job = (s: Node, id: string) => (s.jobs as Node[]).find((j) => j.job === id || j.deployment === id)!;

/** The promotion order, derived here from the registry files rather than from the generator. */
function expectedScopes(): string[] {
  const envs = JSON.parse(readFileSync(join(COMMITTED_FLEET, "environments.json"), "utf8")).environments as {
    name: string;
    type: string;
  }[];
  const token = (name: string) => (fleet.settings.nameTokens as Record<string, string>)[name] ?? name;
  const studios = fleet.settings.studio.environments;
  const test = [
    ...envs.filter((e) => e.type === "test").map((e) => token(e.name)),
    ...studios.filter((s) => s.type === "test").map((s) => s.name),
  ];
  const production = [
    ...envs.filter((e) => e.type === "production").map((e) => token(e.name)),
    ...studios.filter((s) => s.type === "production").map((s) => s.name),
  ];
  return ["state", "shared", ...new Set(test), ...new Set(production)];
}

function stepsOf(j: Node): Node[] {
  return (j.steps ?? j.strategy?.runOnce?.deploy?.steps ?? []) as Node[];
}

describe("azure-pipelines.yml", () => {
  it("is the generator's output for the committed fleet (else: run npm run pipeline)", () => {
    const generated = renderPipeline(fleet);
    if (generated !== committed) {
      throw new Error(
        `${PIPELINE_FILE} is out of date with the fleet definition: run npm run pipeline and commit it`,
      );
    }
  });

  it("has a plan, an apply, a second pass and a done stage per state scope, in promotion order after the build", () => {
    // Derived from the registry files, so adding an environment (README) keeps this green.
    const scopes = expectedScopes();
    expect(scopes.slice(0, 2)).toEqual(["state", "shared"]);
    expect(scopes.at(-1)).toBe("prod");
    expect(new Set(scopes)).toEqual(new Set(fleet.stateScopes));
    expect(stages.map((s) => s.stage)).toEqual([
      "build",
      ...scopes.flatMap((s) => [
        PIPELINE_NAMES.planStage(s),
        PIPELINE_NAMES.applyStage(s),
        `plan2_${s}`,
        `apply2_${s}`,
        `done_${s}`,
        ...(s === "state" ? ["init_state"] : []),
      ]),
    ]);
  });

  it("waits for every scope of the earlier rings to finish: state containers, then shared, then test, then production", () => {
    const done = (scopes: string[]) => scopes.map((s) => `done_${s}`);
    expect(stage("plan_state").dependsOn).toEqual(["build"]);
    expect(stage("plan_shared").dependsOn).toEqual(["build", "init_state", ...done(["state"])]);
    expect(stage("plan_at22").dependsOn).toEqual(["build", "init_state", ...done(["state", "shared"])]);
    expect(stage("plan_staging").dependsOn).toEqual(["build", "init_state", ...done(["state", "shared"])]);
    const test = expectedScopes().filter((x) => !["state", "shared", "prod"].includes(x));
    expect(test).toEqual(expect.arrayContaining(["at22", "tt02", "dev", "staging"]));
    expect(stage("plan_prod").dependsOn).toEqual([
      "build",
      "init_state",
      ...done(["state", "shared", ...test]),
    ]);
    for (const d of done(["state", "shared", ...test])) {
      expect(stage("plan_prod").condition).toContain(`eq(dependencies.${d}.result, 'Succeeded')`);
    }
    expect(stage("apply_prod").dependsOn).toBe("plan_prod");
    for (const scope of expectedScopes()) {
      expect(stage(`done_${scope}`).dependsOn).toEqual([
        "build",
        `plan_${scope}`,
        `apply_${scope}`,
        `plan2_${scope}`,
        `apply2_${scope}`,
      ]);
    }
  });

  it("keeps every condition short (Azure DevOps has refused stage conditions of more than 2,000 characters)", () => {
    const conditions = stages.flatMap((s) => [s.condition, ...(s.jobs as Node[]).map((j) => j.condition)]);
    const longest = Math.max(...conditions.filter((c) => typeof c === "string").map((c: string) => c.length));
    expect(longest).toBeLessThan(2000);
  });

  it("skips a scope's plan stage when nothing in it is affected", () => {
    expect(stage("plan_at22").condition).toContain(
      "ne(dependencies.build.outputs['build.prepare.legs_at22_waves'], '0')",
    );
  });

  it("fans each plan stage out over a matrix from the discover job of the same stage", () => {
    for (const scope of expectedScopes()) {
      const s = stage(`plan_${scope}`);
      expect(job(s, "discover").variables.plan_legs).toBe(
        `$[ stageDependencies.build.build.outputs['prepare.legs_${scope}'] ]`,
      );
      const plan = job(s, "plan");
      expect(plan.strategy.matrix).toBe("$[ dependencies.discover.outputs['m.legs'] ]");
      expect(plan.strategy.maxParallel).toBeGreaterThan(0);
      expect(plan.condition).toContain("ne(dependencies.discover.outputs['m.legs'], '{}')");
      const publishes = stepsOf(plan).filter((st) => st.task === "PublishPipelineArtifact@1");
      expect(publishes.map((p) => p.inputs.artifact)).toEqual(["$(PLAN_ARTIFACT)", "$(RESULT_ARTIFACT)"]);
      expect(stepsOf(job(s, "collect")).some((st) => st.name === "c")).toBe(true);
    }
  });

  it("gates every apply stage with a deployment job on the scope's Environment, then applies saved plans slot by slot", () => {
    expect(root.extends.parameters.slots).toEqual(slots);
    for (const scope of expectedScopes()) {
      for (const id of [`apply_${scope}`, `apply2_${scope}`]) {
        const s = stage(id);
        const approve = job(s, "approve");
        expect(approve.environment).toBe(`fleet-${scope}`);
        expect(approve.strategy.runOnce).toBeDefined();
        expect(approve.strategy.matrix).toBeUndefined();
        expect(stepsOf(approve)[0]).toEqual({ download: "none" });
        const slotJobs = (s.jobs as Node[]).filter((j) => /^slot_\d+$/.test(j.job ?? ""));
        expect(slotJobs.map((j) => j.job)).toEqual(slots.map((x) => `slot_${x.index}`));
        slotJobs.forEach((w, i) => {
          expect(w.dependsOn).toEqual(["approve", "legs", ...(i > 0 ? [`gate_${i}`] : [])]);
          expect(w.displayName).toBe(`Apply ${slots[i]!.label}`);
          expect(w.strategy.matrix).toBe(`$[ dependencies.legs.outputs['m.slot${i}'] ]`);
          expect(w.condition).toContain(`ne(dependencies.legs.outputs['m.slot${i}'], '{}')`);
          const apply = stepsOf(w).find((st) => st.task === "AzureCLI@2")!;
          expect(apply.inputs.inlineScript).toContain('node "$(FLEET_CLI)" apply --');
          expect(apply.inputs.inlineScript).not.toContain('"$(FLEET_CLI)" plan');
        });
      }
    }
  });

  it("applies only on the main branch, never for pull requests or the nightly drift check", () => {
    for (const scope of expectedScopes()) {
      for (const [apply, plan] of [
        [`apply_${scope}`, `plan_${scope}`],
        [`apply2_${scope}`, `plan2_${scope}`],
      ]) {
        const c = stage(apply!).condition as string;
        expect(c).toContain(`eq(dependencies.${plan}.outputs['collect.c.canApply'], 'true')`);
        expect(c).toContain("eq(variables['Build.SourceBranch'], 'refs/heads/main')");
        expect(c).toContain("notIn(variables['Build.Reason'], 'PullRequest', 'Schedule')");
      }
    }
    expect(pipeline.trigger).toEqual({ batch: true, branches: { include: ["main"] } });
    expect(pipeline.pr).toEqual({ branches: { include: ["main"] } });
    expect(pipeline.schedules).toEqual([
      expect.objectContaining({
        cron: PIPELINE_DEFAULTS.driftCron,
        always: true,
        branches: { include: ["main"] },
      }),
    ]);
  });

  it("queues runs for the exclusive locks instead of cancelling them", () => {
    expect(pipeline.lockBehavior).toBe("sequential");
  });

  it("uses each scope's plan identity to plan and its apply identity to apply, through workload identity federation", () => {
    for (const scope of expectedScopes()) {
      for (const [stageId, kind] of [
        [`plan_${scope}`, "plan"],
        [`apply_${scope}`, "apply"],
        [`plan2_${scope}`, "plan"],
        [`apply2_${scope}`, "apply"],
      ] as const) {
        const tasks = (stage(stageId).jobs as Node[])
          .flatMap(stepsOf)
          .filter((st) => st.task === "AzureCLI@2");
        expect(tasks.length).toBeGreaterThan(0);
        for (const t of tasks) {
          expect(t.inputs.azureSubscription).toBe(PIPELINE_NAMES.serviceConnection(scope, kind));
          expect(t.inputs.addSpnToEnvironment).toBe(true);
          // The subscription is in every provider and backend, not in a pipeline variable.
          expect(t.env).toEqual({ ARM_OIDC_REQUEST_TOKEN: "$(System.AccessToken)" });
          expect(t.inputs.inlineScript).toContain("export ARM_USE_OIDC=true ARM_USE_AZUREAD=true");
          expect(t.inputs.inlineScript).toContain(
            'ARM_OIDC_AZURE_SERVICE_CONNECTION_ID="$ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID"',
          );
        }
      }
      expect(stage(`plan_${scope}`).variables).toBeUndefined();
    }
  });

  it("plans without taking the state lock (plan identities only read state)", () => {
    const plan = stepsOf(job(stage("plan_at22"), "plan")).find((st) => st.task === "AzureCLI@2")!;
    expect(plan.inputs.inlineScript).toContain(
      'node "$(FLEET_CLI)" plan --stack $STACKS --out-dir plans --no-state-lock',
    );
    expect(plan.continueOnError).toBe(true);
  });

  it("holds no secrets: no secret variables, keys or client secrets", () => {
    expect(stringify(pipeline)).not.toMatch(
      /isSecret|ARM_CLIENT_SECRET|ARM_ACCESS_KEY|client_secret|clientSecret|SAS_TOKEN/i,
    );
    for (const v of pipeline.variables as Node[]) expect(Object.keys(v).sort()).toEqual(["name", "value"]);
  });

  it("caches providers as a read-only mirror keyed on the provider versions, never a shared plugin cache", () => {
    expect(stringify(pipeline)).not.toContain("TF_PLUGIN_CACHE_DIR");
    const steps = stepsOf(job(stage("plan_at22"), "plan"));
    const cache = steps.find((st) => st.task === "Cache@2" && String(st.inputs.key).startsWith("terraform"))!;
    expect(cache.inputs.key).toContain(".pipeline/providers/versions.json");
    expect(cache.inputs.key).toContain("$(TERRAFORM_VERSION)");
    expect(stringify(pipeline)).toContain("filesystem_mirror");
  });

  it("records the applied commit only from the record jobs, with the only checkouts that keep credentials", () => {
    const pushing = stages.flatMap((s) =>
      (s.jobs as Node[])
        .filter((j) => stepsOf(j).some((st) => st.persistCredentials === true))
        .map((j) => `${s.stage}.${j.job}`),
    );
    expect(pushing).toEqual(
      expectedScopes().flatMap((s) => [
        `plan_${s}.record`,
        `apply_${s}.record`,
        `plan2_${s}.record`,
        `apply2_${s}.record`,
      ]),
    );
    expect(job(stage("apply_prod"), "record").condition).toContain(
      "eq(dependencies.legs.outputs['m.complete'], 'true')",
    );
    expect(job(stage("plan_prod"), "record").condition).toContain(
      "eq(dependencies.collect.outputs['c.markClean'], 'true')",
    );
  });

  it("builds with npm ci, npm test and the synth before deciding what is affected, and publishes cdktf.out and the command line", () => {
    const steps = stepsOf(job(stage("build"), "build"));
    const scripts = steps.map((st) => st.bash ?? st.publish ?? st.task ?? st.checkout);
    expect(scripts.indexOf("npm ci --no-audit --no-fund")).toBeLessThan(scripts.indexOf("npm test"));
    expect(scripts.indexOf("npm test")).toBeLessThan(scripts.indexOf("npm run synth"));
    expect(scripts.indexOf("npm ci --no-audit --no-fund")).toBeLessThan(scripts.indexOf("npm run bundle"));
    const prepare = steps.find((st) => st.name === "prepare")!;
    expect(scripts.indexOf("npm run synth")).toBeLessThan(steps.indexOf(prepare));
    expect(root.extends.parameters.planAll).toBe(PLAN_ALL_EXPRESSION);
    expect(prepare.bash).toContain('--plan-all "False"');
    const planAll = stepsOf(
      job(expandPipeline(join(REPO_ROOT, PIPELINE_FILE), { planAll: true }).stages[0], "build"),
    );
    expect(planAll.find((st) => st.name === "prepare")!.bash).toContain('--plan-all "True"');
    expect(prepare.bash).toContain(`--wave-slots ${slots.length}`);
    expect(steps).toContainEqual(expect.objectContaining({ publish: "cdktf.out", artifact: "cdktf-out" }));
    expect(steps).toContainEqual(
      expect.objectContaining({ publish: "dist/fleet-cli", artifact: "fleet-cli" }),
    );
    expect(steps[0]).toEqual({ checkout: "self", fetchDepth: 0, fetchTags: true });
  });
});

describe("promotionOrder", () => {
  it("puts the state containers first, then shared, then test scopes, then production scopes", () => {
    const expected = expectedScopes().map((scope) =>
      scope === "state"
        ? [scope, "state", 0]
        : scope === "shared"
          ? [scope, "shared", 1]
          : scope === "prod"
            ? [scope, "production", 3]
            : [scope, "test", 2],
    );
    expect(promotionOrder(fleet).map((s) => [s.scope, s.class, s.ring])).toEqual(expected);
  });

  it("fails if the pipeline's scopes would differ from the fleet's state scopes", () => {
    expect(() => promotionOrder({ ...fleet, stateScopes: [...fleet.stateScopes, "at99"] })).toThrow(
      /differ from the fleet's state scopes/,
    );
  });

  it("follows the fleet definition: a new test environment gets its state container first, then its stages before production", () => {
    // A name the fleet does not have yet (the README's add-an-environment steps may have added at25).
    const taken = new Set(fleet.environments.map((e) => e.name));
    const name = ["at25", "at26", "at27", "at28", "at29"].find((n) => !taken.has(n))!;
    let lastTest = "";
    const dir = fleetFixture({
      environments: (doc) => {
        const at = doc.environments.findIndex((e) => e.type === "production");
        lastTest = String(doc.environments[at - 1]!.name);
        doc.environments.splice(at, 0, {
          platformUrl: `https://platform.${name}.altinn.cloud`,
          hostname: `${name}.altinn.cloud`,
          appPrefix: "apps",
          platformPrefix: "platform",
          name,
          type: "test",
        });
      },
      settings: (doc) => {
        (doc.state as any).principals[name] = {
          plan: "0b6f1f70-3a55-4d7e-9a3c-1c8f5e2d4a10",
          apply: "6a2c9e1b-8f4d-4b3a-a5e7-2d9c0f1b3e42",
          roles: "environment",
        };
        (doc.subscriptions as any)[name] = "5f0c2b7e-1d3a-4c8e-9b6f-7a2e4d1c0b93";
      },
      allocate: true,
    });
    const newFleet = fleetOf(dir);
    // The state-scopes stack (planned and applied in the first stages) holds the new container
    // and the new scope's access to it.
    const scopes = synthFleetStacks([STATE_SCOPES_STACK_ID], newFleet).get(STATE_SCOPES_STACK_ID)!;
    const containers = Object.values(resourcesOf(scopes, "azurerm_storage_container")).map(
      (c: any) => c.name,
    );
    expect(containers).toContain(`tfstate-${name}`);
    const grants = Object.values(resourcesOf(scopes, "azurerm_role_assignment")).map(
      (r: any) => r.principal_id,
    );
    expect(grants).toEqual(
      expect.arrayContaining([
        "0b6f1f70-3a55-4d7e-9a3c-1c8f5e2d4a10",
        "6a2c9e1b-8f4d-4b3a-a5e7-2d9c0f1b3e42",
      ]),
    );
    // Adding the environment adds one line to the generated file.
    const before = renderPipeline(fleet).split("\n");
    const after = renderPipeline(newFleet).split("\n");
    expect(after.filter((l) => !before.includes(l))).toEqual([
      `      - { scope: ${name}, class: test, ring: 2, holds: Apps and Platform ${name} }`,
    ]);
    expect(before.filter((l) => !after.includes(l))).toEqual([]);
    const rootFile = join(tempDir("pipeline-env-"), PIPELINE_FILE);
    writeFileSync(
      rootFile,
      renderPipeline(newFleet).replace("template: pipeline/", `template: ${REPO_ROOT}/pipeline/`),
    );
    const stagesOfNew = expandPipeline(rootFile).stages as Node[];
    const planNew = stagesOfNew.find((s) => s.stage === `plan_${name}`)!;
    expect(planNew.dependsOn).toEqual(expect.arrayContaining(["init_state", "done_state", "done_shared"]));
    const ids = stagesOfNew.map((s) => s.stage);
    expect(ids.indexOf("init_state")).toBeLessThan(ids.indexOf("plan_shared"));
    expect(ids.indexOf(`plan_${name}`)).toBeGreaterThan(ids.indexOf(`done_${lastTest}`));
    expect(ids.indexOf(`done_${name}`)).toBeLessThan(ids.indexOf("plan_dev"));
    const prod = stagesOfNew.find((s) => s.stage === "plan_prod")!;
    expect(prod.dependsOn).toContain(`done_${name}`);
    expect(buildPipeline(newFleet).extends.parameters.scopes.find((s) => s.scope === name)).toEqual({
      scope: name,
      class: "test",
      ring: 2,
      holds: `Apps and Platform ${name}`,
    });
  });
});

describe("npm run pipeline", () => {
  it("--check passes for the committed file", async () => {
    const io = captureIO(REPO_ROOT);
    expect(await main(["--check"], io)).toBe(0);
    expect(io.stdout()).toContain("is up to date, and it and pipeline/templates/ are valid");
  });

  it("--check fails for an outdated file, naming the fix", async () => {
    const dir = tempDir("pipeline-");
    const file = join(dir, "azure-pipelines.yml");
    writeFileSync(file, committed.replace("scope: at22,", "scope: at21,"));
    const io = captureIO(REPO_ROOT);
    expect(await main(["--check", "--out", file], io)).toBe(1);
    expect(io.stderr()).toContain("run npm run pipeline");
  });

  it("writes the file for another fleet directory", async () => {
    const dir = tempDir("pipeline-");
    const file = join(dir, "azure-pipelines.yml");
    const io = captureIO(REPO_ROOT);
    expect(await main(["--out", file, "--fleet-dir", COMMITTED_FLEET], io)).toBe(0);
    expect(readFileSync(file, "utf8")).toBe(committed);
  });

  it("reports fleet errors instead of writing a pipeline", async () => {
    const bad = fleetFixture({ raw: { "fleet.yaml": (t) => t.replace(/^\s{4}shared: .*$/m, "") } });
    const io = captureIO(REPO_ROOT);
    expect(await main(["--out", join(tempDir("pipeline-"), "x.yml"), "--fleet-dir", bad], io)).toBe(1);
    expect(io.stderr()).toContain("has errors");
  });
});
