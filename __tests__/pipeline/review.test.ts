/**
 * What a review of the pipeline against Azure DevOps' and Terraform's documented behaviour found,
 * each checked on the compiled pipeline (root and templates expanded, conditions evaluated the
 * way Azure DevOps evaluates them), and the wiring of the fleet command line's pipeline steps.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PIPELINE_FILE, PIPELINE_TEMPLATES_DIR, promotionOrder } from "../../cli/pipeline/pipeline";
import { applySlots } from "../../cli/pipeline/rollout";
import { loadFleet } from "../../fleet/load";
import { COMMITTED_FLEET } from "../../testing/fleet-fixture";
import {
  evaluateCondition,
  expandPipeline,
  type Node,
  type Scenario,
  simulate,
} from "../../testing/pipeline-expand";
import { REPO_ROOT } from "../../testing/run-cli";
import { tempDir } from "../cli/fixtures";

const pipeline = expandPipeline(join(REPO_ROOT, PIPELINE_FILE));
const stages = pipeline.stages as Node[];
const stage = (id: string): Node => {
  const s = stages.find((x) => x.stage === id);
  if (s === undefined) throw new Error(`no stage ${id}`);
  return s;
};
const job = (s: Node, id: string): Node => {
  const j = (s.jobs as Node[]).find((x) => x.job === id || x.deployment === id);
  if (j === undefined) throw new Error(`no job ${id} in ${s.stage}`);
  return j;
};
const stepsOf = (j: Node): Node[] => j.steps ?? j.strategy?.runOnce?.deploy?.steps ?? [];
const scriptOf = (st: Node): string => st.bash ?? st.inputs?.inlineScript ?? "";
const { fleet } = loadFleet(COMMITTED_FLEET);
/** The state scopes in promotion order. */
const scopes = promotionOrder(fleet!).map((s) => s.scope);
const slots = applySlots(fleet!.settings);

/** A deploy run of main in which every scope has one plan leg and changes to apply. */
function deployRun(
  overrides: { results?: Scenario["results"]; outputs?: Scenario["outputs"] } = {},
): Scenario {
  const build: Record<string, string> = { "build.prepare.mode": "deploy" };
  const outputs: Record<string, Record<string, string>> = { build };
  for (const s of scopes) {
    build[`build.prepare.legs_${s}_waves`] = "1";
    outputs[`plan_${s}`] = { "collect.c.canApply": "true", "collect.c.deferred": "false" };
  }
  return {
    variables: { "Build.SourceBranch": "refs/heads/main", "Build.Reason": "IndividualCI" },
    results: overrides.results ?? {},
    outputs: { ...outputs, ...overrides.outputs },
  };
}

describe("a timed-out approval (the apply stage is marked Skipped: Learn, Define approvals and checks)", () => {
  it("stops every later scope when the skipped scope had changes to apply", () => {
    const r = simulate(stages, deployRun({ results: { apply_at22: "Skipped" } }));
    expect(r.get("plan_at22")).toBe("Succeeded");
    expect(r.get("plan_prod")).toBe("Skipped");
    expect(r.get("apply_prod")).toBe("Skipped");
    // Scopes of the same ring go on; only later rings wait for at22.
    expect(r.get("apply_at23")).toBe("Succeeded");
  });

  it("lets later scopes go on when the skipped scope had nothing to apply, or the run applies nothing", () => {
    const nothing = simulate(
      stages,
      deployRun({ outputs: { plan_at22: { "collect.c.canApply": "false" } } }),
    );
    expect(nothing.get("apply_at22")).toBe("Skipped");
    expect(nothing.get("plan_prod")).toBe("Succeeded");
    expect(nothing.get("apply_prod")).toBe("Succeeded");
    const pr = deployRun({
      outputs: { build: { ...deployRun().outputs!.build, "build.prepare.mode": "pr" } },
    });
    const prRun = simulate(stages, {
      ...pr,
      variables: { "Build.SourceBranch": "refs/pull/7/merge", "Build.Reason": "PullRequest" },
    });
    expect(prRun.get("apply_at22")).toBe("Skipped");
    expect(prRun.get("init_state")).toBe("Skipped");
    expect(prRun.get("plan_prod")).toBe("Succeeded");
  });

  it("stops later scopes on a failed plan, a failed apply or a rejected approval, as before", () => {
    for (const failed of ["plan_at24", "apply_at24", "apply_state"]) {
      const r = simulate(stages, deployRun({ results: { [failed]: "Failed" } }));
      expect([failed, r.get("plan_prod")]).toEqual([failed, "Skipped"]);
    }
  });
});

describe("the apply stage's record job", () => {
  const apply = stage("apply_at22");
  const jobs = apply.jobs as Node[];
  const matrix = '{"leg":{"ARTIFACT":"plan_at22_x_1_1","DECISIONS":"decisions_at22_1_1","WAVE":"0"}}';
  const legs = (over: Record<string, string> = {}) => ({
    legs: {
      "m.complete": "true",
      "m.slots": "2",
      "m.slot0": matrix,
      "m.slot1": matrix,
      "m.slot2": "{}",
      ...over,
    },
  });

  it("depends on approve and every slot", () => {
    const record = job(apply, "record");
    expect(record.dependsOn).toEqual(
      expect.arrayContaining(["approve", ...slots.map((s) => `slot_${s.index}`)]),
    );
  });

  it("tags when every slot with stacks applied them", () => {
    expect(simulate(jobs, { outputs: legs() }).get("record")).toBe("Succeeded");
  });

  it("never tags when the approval failed and nothing was applied", () => {
    const r = simulate(jobs, { outputs: legs(), results: { approve: "Failed" } });
    expect(r.get("record")).toBe("Skipped");
    expect(r.get("slot_0")).toBe("Skipped");
  });

  it("never tags when no slot had anything to apply", () => {
    const r = simulate(jobs, { outputs: legs({ "m.slots": "0", "m.slot0": "{}", "m.slot1": "{}" }) });
    expect(r.get("record")).toBe("Skipped");
  });

  it("lets the gate decide after a slot that ended SucceededWithIssues, and does not tag then", () => {
    const r = simulate(jobs, { outputs: legs(), results: { slot_0: "SucceededWithIssues" } });
    expect(r.get("gate_1")).toBe("Succeeded");
    expect(r.get("slot_1")).toBe("Succeeded");
    expect(r.get("record")).toBe("Skipped");
  });

  it("after a failed slot, the gate runs (the failure budget decides) and the scope is not recorded", () => {
    const r = simulate(jobs, { outputs: legs(), results: { slot_0: "Failed" } });
    expect(r.get("gate_1")).toBe("Succeeded");
    expect(r.get("record")).toBe("Skipped");
  });

  it("a gate that stops the scope skips every later slot and gate", () => {
    const r = simulate(jobs, {
      outputs: legs({ "m.slots": "3", "m.slot2": matrix }),
      results: { gate_1: "Failed" },
    });
    expect([r.get("slot_1"), r.get("gate_2"), r.get("slot_2"), r.get("record")]).toEqual([
      "Skipped",
      "Skipped",
      "Skipped",
      "Skipped",
    ]);
  });
});

describe("gates between apply slots (pipeline gate)", () => {
  it("run before every slot i > 0 with the scope's apply identity, after every earlier slot and gate", () => {
    for (const scope of scopes) {
      for (const id of [`apply_${scope}`, `apply2_${scope}`]) {
        const s = stage(id);
        for (const slot of slots.filter((x) => x.index > 0)) {
          const gate = job(s, `gate_${slot.index}`);
          const earlier = slots.filter((x) => x.index < slot.index);
          expect(gate.dependsOn).toEqual([
            "approve",
            "legs",
            ...earlier.flatMap((x) => [`slot_${x.index}`, ...(x.index > 0 ? [`gate_${x.index}`] : [])]),
          ]);
          const cli = stepsOf(gate).find((st) => st.task === "AzureCLI@2")!;
          expect(cli.inputs.azureSubscription).toBe(`fleet-${scope}-apply`);
          expect(cli.inputs.inlineScript).toContain(
            `node "$(FLEET_CLI)" pipeline gate --scope ${scope} --slot ${slot.index} --applied "$(Pipeline.Workspace)/applied" --decisions "$(Pipeline.Workspace)/decisions"`,
          );
          expect(job(s, `slot_${slot.index}`).dependsOn).toContain(`gate_${slot.index}`);
        }
        expect(() => job(s, "gate_0")).toThrow();
      }
    }
  });
});

describe("the -k8s legs keep their Azure CLI session (AADSTS700024 after about ten minutes)", () => {
  it("sets keepAzSessionActive on every AzureCLI@2 step of plan, apply, gate and init legs", () => {
    const tasks = stages.flatMap((s) =>
      (s.jobs as Node[]).flatMap(stepsOf).filter((st) => st.task === "AzureCLI@2"),
    );
    expect(tasks.length).toBeGreaterThan(scopes.length * 4);
    for (const t of tasks) expect(t.inputs.keepAzSessionActive).toBe(true);
  });

  it("is an input of AzureCLI@2 in Microsoft's schema", () => {
    const schema = JSON.parse(
      readFileSync(join(REPO_ROOT, "schemas", "azure-pipelines.schema.json"), "utf8"),
    );
    const azureCli2 = (schema.definitions.task.anyOf as Node[]).find(
      (t) => t.properties?.task?.pattern === "^AzureCLI@2$",
    )!;
    expect(azureCli2.properties.inputs.properties.keepAzSessionActive).toEqual({
      type: "boolean",
      description: "[Experimental] Keep Azure CLI session active",
      ignoreCase: "key",
    });
  });
});

describe("Terraform install after a TERRAFORM_VERSION bump", () => {
  const step = stepsOf(job(stage("plan_at22"), "plan")).find((st) =>
    String(st.displayName).startsWith("Terraform $(TERRAFORM_VERSION)"),
  )!;

  /** A zip holding a `terraform` that reports `version`, its SHA256SUMS, and a curl that serves them. */
  function release(dir: string, version: string, reports = version) {
    const src = join(dir, "release");
    mkdirSync(join(src, "bin"), { recursive: true });
    fakeTerraform(join(src, "bin", "terraform"), reports);
    const zip = `terraform_${version}_linux_amd64.zip`;
    spawnSync("zip", ["-q", "-j", join(src, zip), join(src, "bin", "terraform")]);
    const sum = createHash("sha256")
      .update(readFileSync(join(src, zip)))
      .digest("hex");
    writeFileSync(join(src, `terraform_${version}_SHA256SUMS`), `${sum}  ${zip}\n`);
    const bin = join(dir, "path");
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, "curl"),
      `#!/bin/bash\nout=""; url=""\nwhile [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift 2;; -*) shift;; *) url="$1"; shift;; esac; done\necho "$url" >> "${dir}/downloads"\ncp "${src}/$(basename "$url")" "$out"\n`,
    );
    chmodSync(join(bin, "curl"), 0o755);
    return bin;
  }

  function fakeTerraform(path: string, version: string) {
    mkdirSync(join(path, ".."), { recursive: true });
    writeFileSync(
      path,
      `#!/bin/sh\nif [ "$1" = version ] && [ "$2" = -json ]; then printf '{\\n  "terraform_version": "${version}",\\n  "platform": "linux_amd64"\\n}\\n'; else echo "Terraform v${version}"; fi\n`,
    );
    chmodSync(path, 0o755);
  }

  function run(dir: string, bin: string, version: string) {
    const script = scriptOf(step)
      .replaceAll("$(TERRAFORM_VERSION)", version)
      .replaceAll("$(Pipeline.Workspace)", join(dir, "ws"));
    const r = spawnSync("bash", ["-c", script], {
      cwd: dir,
      env: { PATH: `${bin}:${process.env.PATH}`, TOOLS_RESTORED: "true" },
      encoding: "utf8",
    });
    const binary = /##vso\[task\.setvariable variable=TERRAFORM_BINARY\](.*)/.exec(r.stdout)?.[1];
    return { ...r, binary };
  }

  it("replaces a binary of another version found where the new one belongs, and uses the new one", () => {
    const dir = tempDir("terraform-bump-");
    const bin = release(dir, "1.12.2");
    // What a self-hosted agent keeps from earlier runs, and what a cache saved under the new key held.
    fakeTerraform(join(dir, "ws", ".terraform-tools", "bin", "terraform"), "1.11.4");
    fakeTerraform(join(dir, "ws", ".terraform-tools", "1.12.2", "bin", "terraform"), "1.11.4");
    const r = run(dir, bin, "1.12.2");
    expect(r.status).toBe(0);
    expect(r.binary).toBeDefined();
    const reported = spawnSync(r.binary!, ["version", "-json"], { encoding: "utf8" }).stdout;
    expect(JSON.parse(reported).terraform_version).toBe("1.12.2");
    expect(r.stdout).toContain("replacing Terraform 1.11.4");
  });

  it("keeps a binary of the pinned version without downloading it again", () => {
    const dir = tempDir("terraform-bump-");
    const bin = release(dir, "1.12.2");
    fakeTerraform(join(dir, "ws", ".terraform-tools", "1.12.2", "bin", "terraform"), "1.12.2");
    const r = run(dir, bin, "1.12.2");
    expect(r.status).toBe(0);
    expect(r.binary).toBe(join(dir, "ws", ".terraform-tools", "1.12.2", "bin", "terraform"));
    expect(() => readFileSync(join(dir, "downloads"))).toThrow();
  });

  it("keys the cached tools directory per version", () => {
    const cache = stepsOf(job(stage("plan_at22"), "plan")).find((st) => st.task === "Cache@2")!;
    expect(cache.inputs.path).toBe("$(Pipeline.Workspace)/.terraform-tools/$(TERRAFORM_VERSION)");
    expect(cache.inputs.key).toContain('"$(TERRAFORM_VERSION)"');
  });

  it("fails when the downloaded binary reports another version", () => {
    const dir = tempDir("terraform-bump-");
    const bin = release(dir, "1.12.3", "1.12.2");
    const r = run(dir, bin, "1.12.3");
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("the downloaded Terraform reports version '1.12.2', not 1.12.3");
  });
});

describe("the Environment check (a missing Environment would be created without approvals)", () => {
  const steps = stepsOf(job(stage("build"), "build"));
  const check = steps.find((st) => scriptOf(st).includes("check-environments"))!;

  it("runs pipeline check-environments for every scope in the build stage of deploy runs, with the job's token", () => {
    expect(check.bash).toBe(`npm run --silent pipeline -- check-environments --scopes ${scopes.join(",")}`);
    expect(check.env).toEqual({ SYSTEM_ACCESSTOKEN: "$(System.AccessToken)" });
    expect(steps.indexOf(check)).toBeGreaterThan(steps.findIndex((st) => st.name === "prepare"));
    const runs = (mode: string) =>
      evaluateCondition(check.condition, { dependencies: {}, variables: { "prepare.mode": mode } });
    expect(runs("deploy")).toBe(true);
    expect(runs("pr")).toBe(false);
    expect(runs("drift")).toBe(false);
  });
});

describe("the legs run the prebuilt command line (contract: fleet-cli artifact)", () => {
  const legJobs = stages
    .filter((s) => s.stage !== "build")
    .flatMap((s) => (s.jobs as Node[]).map((j) => ({ stage: s.stage as string, job: j })));

  it("never run npm in a job outside the build stage", () => {
    const npm = legJobs.filter(({ job: j }) => stepsOf(j).some((st) => /\bnpm\b/.test(scriptOf(st))));
    expect(npm.map((x) => `${x.stage}.${x.job.job}`)).toEqual([]);
  });

  it("download the fleet-cli artifact wherever they run it", () => {
    for (const { stage: s, job: j } of legJobs) {
      const steps = stepsOf(j);
      if (!steps.some((st) => scriptOf(st).includes("$(FLEET_CLI)"))) continue;
      const download = steps.findIndex(
        (st) => st.task === "DownloadPipelineArtifact@2" && st.inputs.artifactName === "fleet-cli",
      );
      expect([s, j.job, download >= 0]).toEqual([s, j.job, true]);
    }
    expect(pipeline.variables).toContainEqual({
      name: "FLEET_CLI",
      value: "$(Pipeline.Workspace)/fleet-cli/fleet.cjs",
    });
  });

  it("check out the repository only to build and to push the applied tag", () => {
    const checkouts = stages.flatMap((s) =>
      (s.jobs as Node[])
        .filter((j) => stepsOf(j).some((st) => st.checkout === "self"))
        .map((j) => `${s.stage}.${j.job}`),
    );
    expect(checkouts).toEqual([
      "build.build",
      ...scopes.flatMap((s) => [
        `plan_${s}.record`,
        `apply_${s}.record`,
        `plan2_${s}.record`,
        `apply2_${s}.record`,
      ]),
    ]);
    for (const { job: j } of legJobs) {
      if (j.pool === "server" || j.deployment !== undefined) continue;
      expect([j.job, stepsOf(j)[0]]).toEqual([
        j.job,
        expect.objectContaining({ checkout: expect.any(String) }),
      ]);
    }
  });

  it("plan with --missing-state fail in deploy runs and preview otherwise", () => {
    const plan = stepsOf(job(stage("plan_at22"), "plan")).find((st) => st.task === "AzureCLI@2")!;
    expect(job(stage("plan_at22"), "plan").variables.RUN_MODE).toBe(
      "$[ stageDependencies.build.build.outputs['prepare.mode'] ]",
    );
    const body = plan.inputs.inlineScript.split("# ---- the step's own script ----\n")[1] as string;
    const argsFor = (mode: string) =>
      spawnSync(
        "bash",
        ["-c", `set -euo pipefail\nnode() { echo "$*"; }\n${body.replaceAll("$(RUN_MODE)", mode)}`],
        {
          env: { PATH: process.env.PATH, STACKS: "apps-ttd-at22" },
          encoding: "utf8",
        },
      ).stdout;
    expect(argsFor("deploy")).toContain(
      "plan --stack apps-ttd-at22 --out-dir plans --no-state-lock --missing-state fail",
    );
    expect(argsFor("pr")).toContain("--missing-state preview");
    expect(argsFor("drift")).toContain("--missing-state preview");
  });

  it("apply with --skip-blocked over the earlier slots' apply logs", () => {
    for (const slot of slots) {
      const j = job(stage("apply_at22"), `slot_${slot.index}`);
      const cli = stepsOf(j).find((st) => st.task === "AzureCLI@2")!;
      expect(cli.inputs.inlineScript).toContain('--skip-blocked "$(Pipeline.Workspace)/applied"');
      const logs = stepsOf(j).filter((st) => st.inputs?.itemPattern === "applied_at22_*/**");
      expect(logs).toHaveLength(slot.index > 0 ? 1 : 0);
    }
  });
});

describe("init_state: state blobs of never-applied stacks (pipeline init-state)", () => {
  const init = stages.find((x) => x.stage === "init_state") ?? {};

  it("runs in deploy runs after the state scope finished, before every other plan stage", () => {
    expect(init.dependsOn).toEqual(["build", "done_state"]);
    for (const s of scopes.filter((x) => x !== "state"))
      expect(stage(`plan_${s}`).dependsOn).toContain("init_state");
    expect(stage("plan_state").dependsOn).not.toContain("init_state");
    const deploy = simulate(stages, deployRun());
    expect(deploy.get("init_state")).toBe("Succeeded");
    const failed = simulate(stages, deployRun({ results: { init_state: "Failed" } }));
    expect(failed.get("plan_shared")).toBe("Skipped");
    const drift = deployRun({
      outputs: { build: { ...deployRun().outputs!.build, "build.prepare.mode": "drift" } },
    });
    const nightly = simulate(stages, {
      ...drift,
      variables: { "Build.SourceBranch": "refs/heads/main", "Build.Reason": "Schedule" },
    });
    expect(nightly.get("init_state")).toBe("Skipped");
    expect(nightly.get("plan_shared")).toBe("Succeeded");
  });

  it("is a plain job with the state scope's apply identity", () => {
    expect(init.jobs).toHaveLength(1);
    const j = init.jobs[0];
    expect(j.deployment).toBeUndefined();
    expect(j.environment).toBeUndefined();
    const cli = stepsOf(j).find((st) => st.task === "AzureCLI@2")!;
    expect(cli.inputs.azureSubscription).toBe("fleet-state-apply");
    expect(cli.inputs.inlineScript).toContain(
      'node "$(FLEET_CLI)" pipeline init-state --affected "$(Pipeline.Workspace)/affected" --cdktf-out cdktf.out',
    );
  });
});

describe("the second pass (a new cluster's -k8s stack in the same run)", () => {
  it("plans the deferred stacks once the first pass applied, and applies them after the same approval", () => {
    for (const scope of scopes) {
      const plan2 = stage(`plan2_${scope}`);
      expect(plan2.dependsOn).toEqual(["build", `plan_${scope}`, `apply_${scope}`]);
      expect(job(plan2, "discover").variables.plan_legs).toBe(
        `$[ stageDependencies.plan_${scope}.collect.outputs['c.legs_deferred'] ]`,
      );
      const collect = stepsOf(job(plan2, "collect")).find((st) => st.name === "c")!;
      expect(collect.bash).toContain(`pipeline collect --scope ${scope} --pass 2 `);
      expect(job(plan2, "plan").variables.FLEET_PASS).toBe(2);
      // Each pass reads its own legs' artifacts (the second pass names them <kind>_p2_<scope>_*).
      const patterns = (j: Node) => stepsOf(j).flatMap((st) => st.inputs?.itemPattern ?? []);
      expect(patterns(job(plan2, "collect"))).toContain(`result_p2_${scope}_*/**`);
      expect(patterns(job(stage(`plan_${scope}`), "collect"))).toContain(`result_${scope}_*/**`);
      expect(patterns(job(stage(`apply2_${scope}`), "gate_1"))).toContain(`applied_p2_${scope}_*/**`);
      expect(patterns(job(stage(`apply2_${scope}`), "slot_1"))).toEqual([`applied_p2_${scope}_*/**`]);
      expect(job(stage(`apply2_${scope}`), "approve").environment).toBe(`fleet-${scope}`);
      expect(stage(`apply2_${scope}`).dependsOn).toBe(`plan2_${scope}`);
    }
    const deferred = deployRun({
      outputs: {
        plan_at22: { "collect.c.canApply": "true", "collect.c.deferred": "true" },
        plan2_at22: { "collect.c.canApply": "true" },
      },
    });
    const r = simulate(stages, deferred);
    expect([r.get("plan2_at22"), r.get("apply2_at22"), r.get("plan2_at23")]).toEqual([
      "Succeeded",
      "Succeeded",
      "Skipped",
    ]);
    expect(r.get("plan_prod")).toBe("Succeeded");
    // The second pass's approval timed out: production waits.
    const timedOut = simulate(stages, { ...deferred, results: { apply2_at22: "Skipped" } });
    expect(timedOut.get("plan_prod")).toBe("Skipped");
    // The first pass failed: no second pass.
    expect(simulate(stages, { ...deferred, results: { apply_at22: "Failed" } }).get("plan2_at22")).toBe(
      "Skipped",
    );
  });
});

describe("the YAML the team reviews", () => {
  it("is at most 1,200 lines, root and templates together", () => {
    const files = [
      PIPELINE_FILE,
      ...spawnSync("git", ["ls-files", PIPELINE_TEMPLATES_DIR], { cwd: REPO_ROOT, encoding: "utf8" })
        .stdout.split("\n")
        .filter((f) => f.endsWith(".yml")),
    ];
    expect(files.length).toBeGreaterThan(10);
    const lines = files.reduce((n, f) => n + readFileSync(join(REPO_ROOT, f), "utf8").split("\n").length, 0);
    expect(lines).toBeLessThanOrEqual(1200);
  });
});
