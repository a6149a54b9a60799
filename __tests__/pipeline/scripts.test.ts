/**
 * The shell scripts of the pipeline (root and templates, expanded as Azure DevOps compiles them):
 * every one parses with `bash -n` (`$(...)` macros are valid shell either way), and the steps
 * keep the exit codes the README documents.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { PIPELINE_FILE } from "../../cli/pipeline/pipeline";
import { applySlots } from "../../cli/pipeline/rollout";
import { committedFleet } from "../../testing/fleet-synth";
import { expandPipeline } from "../../testing/pipeline-expand";
import { REPO_ROOT } from "../../testing/run-cli";
import { tempDir } from "../cli/fixtures";

type Node = Record<string, any>;

function scripts(node: unknown, where: string, out: { where: string; script: string }[] = []) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => {
      scripts(n, `${where}[${i}]`, out);
    });
  } else if (node !== null && typeof node === "object") {
    const o = node as Node;
    if (typeof o.bash === "string") out.push({ where: `${where} ${o.displayName ?? ""}`, script: o.bash });
    if (o.task === "AzureCLI@2")
      out.push({ where: `${where} ${o.displayName ?? ""}`, script: o.inputs.inlineScript });
    for (const [k, v] of Object.entries(o)) scripts(v, `${where}.${k}`, out);
  }
  return out;
}

function bashParses(script: string): string {
  const r = spawnSync("bash", ["-n"], { input: script, encoding: "utf8" });
  return r.status === 0 ? "" : r.stderr;
}

const pipeline = expandPipeline(join(REPO_ROOT, PIPELINE_FILE));
const all = scripts(pipeline.stages, "stages");
const stage = (id: string): Node => pipeline.stages.find((s: Node) => s.stage === id);
const job = (s: Node, id: string): Node => s.jobs.find((j: Node) => j.job === id);

/** The marker between the identity set-up every AzureCLI@2 step shares and the step's own script. */
const OWN_SCRIPT = "# ---- the step's own script ----\n";
const azureCliSteps = all.filter((s) => s.script.includes(OWN_SCRIPT)).map((s) => s.script);
/** The identity set-up: the same in every AzureCLI@2 step. */
const armEnvironmentScript = azureCliSteps[0]!.split(OWN_SCRIPT)[0]!;
const ownScript = (step: Node) => (step.inputs.inlineScript as string).split(OWN_SCRIPT)[1]!;

describe("scripts in azure-pipelines.yml", () => {
  it("finds the scripts of every kind of step", () => {
    expect(all.length).toBeGreaterThan(50);
    const bodies = all.map((s) => s.script);
    expect(bodies.some((b) => b.includes("releases.hashicorp.com/terraform"))).toBe(true);
    expect(bodies.some((b) => b.includes('tag="applied/prod/$(Build.BuildId)"'))).toBe(true);
    expect(new Set(azureCliSteps.map((s) => s.split(OWN_SCRIPT)[0])).size).toBe(1);
  });

  it("all parse with bash -n", () => {
    const broken = [...new Set(all.map((s) => s.script))]
      .map((script) => ({ script, error: bashParses(script) }))
      .filter((s) => s.error !== "");
    expect(broken).toEqual([]);
  });

  it("would catch a script that does not parse", () => {
    expect(bashParses('if [ "$x" = 1 ]; then echo')).not.toBe("");
  });

  it("checks the service connection id before Terraform runs, and needs no subscription variable", () => {
    const script = `${armEnvironmentScript}echo ok`;
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync("bash", ["-c", `set -euo pipefail\n${script}`], {
        env: { PATH: process.env.PATH, ...env },
        encoding: "utf8",
      });
    const good = {
      AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "8a7e0c55-5f2b-4d5e-9a51-0b7f1d2c3e4f",
      servicePrincipalId: "11111111-2222-3333-4444-555555555555",
      tenantId: "66666666-7777-8888-9999-000000000000",
    };
    // The providers and backends name their subscriptions (fleet.yaml `subscriptions`).
    expect(run(good).stdout).toBe("ok\n");
    const noConnection = run({ ...good, AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "" });
    expect(noConnection.status).toBe(1);
    expect(noConnection.stdout).toContain("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID");
  });

  it("exports the OIDC settings Terraform's azurerm provider and backend read", () => {
    const script = `${armEnvironmentScript}env | grep ^ARM_ | sort`;
    const r = spawnSync("bash", ["-c", `set -euo pipefail\n${script}`], {
      env: {
        PATH: process.env.PATH,
        AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "conn",
        AZURESUBSCRIPTION_CLIENT_ID: "client",
        tenantId: "tenant",
      },
      encoding: "utf8",
    });
    expect(r.stdout.trim().split("\n")).toEqual([
      "ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID=conn",
      "ARM_CLIENT_ID=client",
      "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID=conn",
      "ARM_TENANT_ID=tenant",
      "ARM_USE_AZUREAD=true",
      "ARM_USE_CLI=false",
      "ARM_USE_OIDC=true",
    ]);
  });

  it("lets plan's exit code 2 (changes) pass and fails the step on 1", () => {
    const step = job(stage("plan_at22"), "plan").steps.find((s: Node) => s.task === "AzureCLI@2");
    const body = ownScript(step).replace(/\$\(([A-Za-z_.]+)\)/g, "/macro/$1");
    const withExit = (code: number) =>
      spawnSync("bash", ["-c", `set -euo pipefail\nnode() { return ${code}; }\n${body}`], {
        env: { PATH: process.env.PATH, STACKS: "apps-ttd-at22" },
        encoding: "utf8",
      }).status;
    expect(withExit(0)).toBe(0);
    expect(withExit(2)).toBe(0);
    expect(withExit(1)).toBe(1);
  });

  it("keeps apply's exit code, and explains a stale plan (3)", () => {
    const step = job(stage("apply_at22"), "slot_1").steps.find((s: Node) => s.task === "AzureCLI@2");
    // Azure DevOps expands $(Variable) macros before bash runs.
    const work = tempDir("apply-script-");
    const body = ownScript(step).replace(/\$\(([A-Za-z_.]+)\)/g, `${work}/$1`);
    const withExit = (code: number) =>
      spawnSync("bash", ["-c", `set -euo pipefail\nnode() { echo "node $*"; return ${code}; }\n${body}`], {
        encoding: "utf8",
      });
    const ok = withExit(0);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(
      `node ${work}/FLEET_CLI apply --stacks-file ${work}/Pipeline.Workspace/decisions/${work}/ARTIFACT.txt --out-dir plans --skip-blocked ${work}/Pipeline.Workspace/applied --ado`,
    );
    const stale = withExit(3);
    expect(stale.status).toBe(3);
    expect(stale.stdout).toContain("##vso[task.logissue type=error]at22: a saved plan is stale");
    expect(withExit(1).status).toBe(1);
  });

  it("relays the apply slots between stages, an unset one as an empty matrix (whose job is then skipped), and the decisions artifact for the gates", () => {
    const legsJob = job(stage("apply_at22"), "legs");
    const relay = legsJob.steps.find((s: Node) => s.name === "m");
    // One relay per slot of the committed fleet's rollout (3 waves × canaries and batches).
    expect(relay.env.SLOT_COUNT).toBe(applySlots(committedFleet().settings).length);
    expect(relay.env.SLOT2).toBe("$(slot2)");
    expect(legsJob.variables.slot2).toBe("$[ stageDependencies.plan_at22.collect.outputs['c.slot2'] ]");
    const r = spawnSync("bash", ["-c", relay.bash], {
      env: {
        PATH: process.env.PATH,
        COMPLETE: "true",
        SLOTS: "1",
        SLOT_COUNT: "3",
        SLOT0: "",
        SLOT1: '{"a":{"ARTIFACT":"x","DECISIONS":"decisions_at22_1_1","WAVE":"1"}}',
      },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([
      "##vso[task.setvariable variable=complete;isOutput=true]true",
      "##vso[task.setvariable variable=slots;isOutput=true]1",
      "##vso[task.setvariable variable=slot0;isOutput=true]{}",
      '##vso[task.setvariable variable=slot1;isOutput=true]{"a":{"ARTIFACT":"x","DECISIONS":"decisions_at22_1_1","WAVE":"1"}}',
      "##vso[task.setvariable variable=slot2;isOutput=true]{}",
      "##vso[task.setvariable variable=decisions;isOutput=true]decisions_at22_1_1",
    ]);
  });
});
