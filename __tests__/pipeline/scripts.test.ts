/**
 * The shell scripts inside azure-pipelines.yml: every one parses with `bash -n` (after Azure
 * DevOps expands `${{ }}` template expressions; `$(...)` macros are valid shell either way), and
 * the Terraform step treats plan's exit code 2 as success.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import {
  armEnvironmentScript,
  PIPELINE_FILE,
  PLAN_ALL_EXPRESSION,
  recordScript,
  TERRAFORM_SETUP_SCRIPT,
} from "../../cli/pipeline";
import { REPO_ROOT } from "../../testing/run-cli";

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
  const expanded = script.replaceAll(PLAN_ALL_EXPRESSION, "False");
  const r = spawnSync("bash", ["-n"], { input: expanded, encoding: "utf8" });
  return r.status === 0 ? "" : r.stderr;
}

const pipeline = parse(readFileSync(join(REPO_ROOT, PIPELINE_FILE), "utf8"));
const all = scripts(pipeline.stages, "stages");

describe("scripts in azure-pipelines.yml", () => {
  it("finds the scripts of every kind of step", () => {
    expect(all.length).toBeGreaterThan(50);
    const bodies = all.map((s) => s.script);
    expect(bodies).toContain(TERRAFORM_SETUP_SCRIPT);
    expect(bodies).toContain(recordScript("prod"));
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
    const script = `${armEnvironmentScript()}\necho ok`;
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
    const script = `${armEnvironmentScript()}\nenv | grep ^ARM_ | sort`;
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
    const stage = pipeline.stages.find((s: Node) => s.stage === "plan_at22");
    const plan = stage.jobs.find((j: Node) => j.job === "plan");
    const step = plan.steps.find((s: Node) => s.task === "AzureCLI@2");
    const body = (step.inputs.inlineScript as string).split(`${armEnvironmentScript()}\n`)[1]!;
    const withExit = (code: number) =>
      spawnSync("bash", ["-c", `set -euo pipefail\nnpm() { return ${code}; }\n${body}`], {
        env: { PATH: process.env.PATH, STACKS: "apps-ttd-at22" },
        encoding: "utf8",
      }).status;
    expect(withExit(0)).toBe(0);
    expect(withExit(2)).toBe(0);
    expect(withExit(1)).toBe(1);
  });

  it("keeps apply's exit code, and explains a stale plan (3)", () => {
    const stage = pipeline.stages.find((s: Node) => s.stage === "apply_at22");
    const wave = stage.jobs.find((j: Node) => j.job === "apply_w1");
    const step = wave.steps.find((s: Node) => s.task === "AzureCLI@2");
    // Azure DevOps expands $(Variable) macros before bash runs.
    const body = (step.inputs.inlineScript as string)
      .split(`${armEnvironmentScript()}\n`)[1]!
      .replace(/\$\(([A-Za-z_.]+)\)/g, "/macro/$1");
    const withExit = (code: number) =>
      spawnSync("bash", ["-c", `set -euo pipefail\nnpm() { echo "npm $*"; return ${code}; }\n${body}`], {
        encoding: "utf8",
      });
    const ok = withExit(0);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(
      "npm run --silent apply -- --stacks-file /macro/Pipeline.Workspace/decisions//macro/ARTIFACT.txt --out-dir plans --ado",
    );
    const stale = withExit(3);
    expect(stale.status).toBe(3);
    expect(stale.stdout).toContain("##vso[task.logissue type=error]at22: a saved plan is stale");
    expect(withExit(1).status).toBe(1);
  });

  it("relays matrices between stages, an unset one as an empty matrix (whose job is then skipped)", () => {
    const legsJob = pipeline.stages
      .find((s: Node) => s.stage === "apply_at22")
      .jobs.find((j: Node) => j.job === "legs");
    const relay = legsJob.steps.find((s: Node) => s.name === "m").bash as string;
    const r = spawnSync("bash", ["-c", `set -euo pipefail\n${relay}`], {
      env: {
        PATH: process.env.PATH,
        COMPLETE: "true",
        W0: '{"a":{"ARTIFACT":"x","DECISIONS":"d","WAVE":"0"}}',
        W1: "",
      },
      encoding: "utf8",
    });
    expect(r.stdout.trim().split("\n")).toEqual([
      "##vso[task.setvariable variable=complete;isOutput=true]true",
      '##vso[task.setvariable variable=wave0;isOutput=true]{"a":{"ARTIFACT":"x","DECISIONS":"d","WAVE":"0"}}',
      "##vso[task.setvariable variable=wave1;isOutput=true]{}",
      "##vso[task.setvariable variable=wave2;isOutput=true]{}",
    ]);
  });
});
