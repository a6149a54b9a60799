/**
 * A scope's deploy run as the pipeline runs it, with the real terraform binary on provider-free
 * stacks (terraform_data and terraform_remote_state are built in): plan legs, collect, apply
 * slot by slot with a gate before each, and the second pass for stacks that read a cluster
 * created in the same run. Skipped, with a message, where no terraform binary is installed.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildMatrix, type Legs } from "../../cli/matrix/matrix";
import { main } from "../../cli/pipeline/command";
import { ROLLOUT_FILE } from "../../cli/pipeline/pipeline-gate";
import { type Rollout, resolveRollout } from "../../cli/pipeline/rollout";
import type { JsonObject } from "../../cli/shared/json";
import { readManifest } from "../../cli/shared/manifest";
import { applyMain, planMain } from "../../cli/terraform/command";
import { terraformBinary } from "../../cli/terraform/terraform";
import { captureIO, type FixtureStack, isolatedTerraformEnv, tempDir, writeOut } from "../cli/fixtures";

const AVAILABLE = spawnSync(terraformBinary(), ["version"], { stdio: "ignore" }).status === 0;
if (!AVAILABLE) console.warn("terraform binary not found (set TERRAFORM_BINARY): rollout run tests skipped");
const describeWithTerraform = AVAILABLE ? describe : describe.skip;

/** A stack of terraform_data resources with local state; `cluster` reads another stack's state. */
function tfStack(
  state: string,
  inputs: Record<string, string>,
  options: { readsClusterOf?: string; failOnApply?: boolean } = {},
): JsonObject {
  const resources: JsonObject = {};
  for (const [name, input] of Object.entries(inputs)) {
    resources[name] = {
      input: options.readsClusterOf
        ? `\${data.terraform_remote_state.cluster.outputs.cluster}/${input}`
        : input,
      // Plans fine, fails when applied (a quota or API error in real life).
      ...(options.failOnApply ? { provisioner: [{ "local-exec": { command: "exit 1" } }] } : {}),
    };
  }
  const outputs: JsonObject = {};
  for (const name of Object.keys(inputs)) outputs[name] = { value: `\${terraform_data.${name}.output}` };
  return {
    terraform: { backend: { local: { path: state } } },
    resource: { terraform_data: resources },
    output: outputs,
    // Like a -k8s stack's data source reading its cluster: no state yet, no attribute, plan fails.
    ...(options.readsClusterOf
      ? {
          data: {
            terraform_remote_state: {
              cluster: { backend: "local", config: { path: options.readsClusterOf } },
            },
          },
        }
      : {}),
  };
}

function outputVariables(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/##vso\[task\.setvariable variable=([^;\]]+)(?:;isOutput=true)?\](.*)/g))
    out[m[1]!] = m[2]!;
  return out;
}

describeWithTerraform("a deploy run of one scope, slot by slot", () => {
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    env = isolatedTerraformEnv();
  });

  /** The agents of one run: plan legs, collect, gates and apply legs, reading each other's artifacts. */
  function pipelineRun(root: string, cdktfOut: string, rollout: Rollout) {
    const graph = readManifest(cdktfOut);
    const results = join(root, "results");
    const applied = join(root, "applied");
    const planDirs = new Map<string, string>();
    const affected = join(root, "affected");
    mkdirSync(affected, { recursive: true });
    writeFileSync(join(affected, "run.json"), JSON.stringify({ mode: "deploy", rollout, scopes: {} }));
    const agent = (vars: NodeJS.ProcessEnv) =>
      captureIO(root, undefined, { ...env, SYSTEM_STAGEATTEMPT: "1", SYSTEM_JOBATTEMPT: "1", ...vars });

    return {
      /** Prepare's plan matrix for these stacks. */
      matrix(stacks: string[]): Legs {
        const { matrix } = buildMatrix({
          graph: graph.graph,
          stacks,
          rollout: { rollout, orgOf: (id) => graph.metadata?.get(id)?.org },
        });
        return Object.assign({}, ...matrix.waves.map((w) => w.legs)) as Legs;
      },
      /** Every plan leg: npm run plan, then `leg --phase plan` publishes the results. */
      async plan(legs: Legs): Promise<void> {
        for (const [name, leg] of Object.entries(legs)) {
          const dir = join(root, `plans-${leg.PASS ?? "1"}-${name}`);
          const io = agent({ ...leg });
          await planMain(
            ["--stack", ...leg.STACKS.split(" "), "--cdktf-out", cdktfOut, "--out-dir", dir],
            io,
          );
          const staging = join(dir, "..", `staging-${leg.PASS ?? "1"}-${name}`);
          const staged = agent({ ...leg });
          expect(
            await main(
              ["leg", "--phase", "plan", "--scope", "at22", "--out-dir", dir, "--staging", staging],
              staged,
            ),
          ).toBe(0);
          const vars = outputVariables(staged.stdout());
          planDirs.set(vars.PLAN_ARTIFACT!, dir);
          cpSync(join(staging, "result"), join(results, vars.RESULT_ARTIFACT!), { recursive: true });
        }
      },
      async collect(legs: Legs, pass: 1 | 2) {
        const decisions = join(root, `decisions-${pass}`);
        const io = agent({ PLAN_LEGS: JSON.stringify(legs) });
        const code = await main(
          [
            "collect",
            "--scope",
            "at22",
            "--results",
            results,
            "--affected",
            affected,
            "--cdktf-out",
            cdktfOut,
            "--out",
            decisions,
            "--pass",
            String(pass),
            "--ado",
          ],
          io,
        );
        return { code, outputs: outputVariables(io.stdout()), decisions, summary: io.stdout() };
      },
      async gate(slot: number, decisions: string) {
        const io = agent({});
        const code = await main(
          ["gate", "--scope", "at22", "--slot", String(slot), "--applied", applied, "--decisions", decisions],
          io,
        );
        return { code, text: io.stdout() };
      },
      /** One apply slot: each leg applies its saved plans, skipping what earlier slots blocked. */
      async apply(slotMatrix: string, decisions: string): Promise<string> {
        let log = "";
        for (const leg of Object.values(JSON.parse(slotMatrix) as Record<string, { ARTIFACT: string }>)) {
          const dir = planDirs.get(leg.ARTIFACT)!;
          const io = agent({ ...leg });
          await applyMain(
            [
              "--stacks-file",
              join(decisions, `${leg.ARTIFACT}.txt`),
              "--cdktf-out",
              cdktfOut,
              "--out-dir",
              dir,
              "--skip-blocked",
              applied,
              "--ado",
            ],
            io,
          );
          log += io.stdout();
          const staging = join(dir, "..", `apply-staging-${leg.ARTIFACT}`);
          const staged = agent({ ...leg });
          expect(
            await main(
              ["leg", "--phase", "apply", "--scope", "at22", "--out-dir", dir, "--staging", staging],
              staged,
            ),
          ).toBe(0);
          cpSync(join(staging, "applied"), join(applied, outputVariables(staged.stdout()).APPLY_ARTIFACT!), {
            recursive: true,
          });
        }
        return log;
      },
    };
  }

  /** Runs every slot of a collect in order, with the gate before each non-empty slot but the first. */
  async function applySlots(
    run: ReturnType<typeof pipelineRun>,
    c: { outputs: Record<string, string>; decisions: string },
  ) {
    const slots = JSON.parse(readFileSync(join(c.decisions, ROLLOUT_FILE), "utf8")).slots as {
      stacks: string[];
    }[];
    const gates: { slot: number; code: number; text: string }[] = [];
    let log = "";
    for (let i = 0; i < slots.length; i++) {
      if (c.outputs[`slot${i}`] === "{}") continue;
      if (gates.length > 0 || log !== "") {
        const g = await run.gate(i, c.decisions);
        gates.push({ slot: i, ...g });
        if (g.code !== 0) break;
      }
      log += await run.apply(c.outputs[`slot${i}`]!, c.decisions);
    }
    return { gates, log };
  }

  it("onboards a new org in one run: its cluster, then (second pass) its -k8s stack, canaries first", async () => {
    const root = tempDir("rollout-run-");
    const state = (id: string) => join(root, "state", `${id}.tfstate`);
    const stacks: FixtureStack[] = [
      { id: "platform-at22", json: tfStack(state("platform-at22"), { apim: "p1" }) },
      { id: "apps-ttd-at22", json: tfStack(state("apps-ttd-at22"), { cluster: "ttd" }) },
      { id: "apps-new-at22", json: tfStack(state("apps-new-at22"), { cluster: "new" }) },
      {
        id: "apps-new-at22-k8s",
        deps: ["apps-new-at22"],
        json: tfStack(
          state("apps-new-at22-k8s"),
          { traefik: "t" },
          { readsClusterOf: state("apps-new-at22") },
        ),
      },
    ];
    const cdktfOut = writeOut(root, "cdktf.out", stacks);
    const rollout = resolveRollout({
      rollout: { canaries: ["ttd"], batches: 2, failureBudget: { stacks: 0 } },
    });
    const run = pipelineRun(root, cdktfOut, rollout);

    const legs = run.matrix(stacks.map((s) => s.id));
    await run.plan(legs);
    const first = await run.collect(legs, 1);
    expect(first.code).toBe(0);
    expect(first.outputs.canApply).toBe("true");
    expect(first.outputs.complete).toBe("false");
    expect(first.outputs.deferred).toBe("true");
    expect(Object.values(JSON.parse(first.outputs.legs_deferred!) as Legs)).toEqual([
      expect.objectContaining({ STACKS: "apps-new-at22-k8s", PASS: "2" }),
    ]);
    // The wave plan before approval: the canary first, the Platform with the last batch.
    const summary = readFileSync(join(first.decisions, "summary.md"), "utf8");
    expect(summary).toContain("| 0 | wave 0 canaries | `apps-ttd-at22` |");
    expect(summary).toMatch(/\| 2 \| wave 0 batch 2 of 2 \| [^\n]*`platform-at22`/);
    expect(summary).toContain("**Second pass:** `apps-new-at22-k8s` is planned again");

    const pass1 = await applySlots(run, first);
    expect(pass1.gates.every((g) => g.code === 0)).toBe(true);
    expect(pass1.log).toContain("[apply] apps-ttd-at22: applied");
    expect(pass1.log).toContain("[apply] apps-new-at22: applied");
    expect(existsSync(state("apps-new-at22-k8s"))).toBe(false);

    // Second pass: plan2 plans legs_deferred against the cluster that now exists, apply2 applies.
    const legs2 = JSON.parse(first.outputs.legs_deferred!) as Legs;
    await run.plan(legs2);
    const second = await run.collect(legs2, 2);
    expect(second.code).toBe(0);
    expect(second.outputs).toMatchObject({ canApply: "true", complete: "true", deferred: "false" });
    expect(second.outputs.DECISIONS_ARTIFACT).toBe("decisions_at22_p2_1_1");
    await applySlots(run, second);
    const k8s = JSON.parse(readFileSync(state("apps-new-at22-k8s"), "utf8"));
    expect(k8s.outputs.traefik.value).toBe("new/t");
  }, 240_000);

  it("stops the scope at the gate once a wave's failures exceed the budget; within it, blocks only the failed stack's dependents", async () => {
    const root = tempDir("rollout-run-");
    const state = (id: string) => join(root, "state", `${id}.tfstate`);
    const stacks: FixtureStack[] = [
      { id: "apps-ttd-at22", json: tfStack(state("apps-ttd-at22"), { cluster: "ttd" }) },
      { id: "apps-brg-at22", json: tfStack(state("apps-brg-at22"), { cluster: "brg" }) },
      {
        id: "apps-skd-at22",
        json: tfStack(state("apps-skd-at22"), { cluster: "skd" }, { failOnApply: true }),
      },
      {
        id: "apps-brg-at22-k8s",
        deps: ["apps-brg-at22"],
        json: tfStack(state("apps-brg-at22-k8s"), { t: "b" }),
      },
      {
        id: "apps-skd-at22-k8s",
        deps: ["apps-skd-at22"],
        json: tfStack(state("apps-skd-at22-k8s"), { t: "s" }),
        meta: { kind: "apps-k8s", scope: "at22", org: "skd" },
      },
    ];
    const cdktfOut = writeOut(root, "cdktf.out", stacks);
    // One batch after the canary: skd and brg apply in the same slot, so one failure is 50% of it.
    const rollout = resolveRollout({
      rollout: { canaries: ["ttd"], batches: 1, failureBudget: { stacks: 1 } },
    });
    const run = pipelineRun(root, cdktfOut, rollout);
    const legs = run.matrix(stacks.map((s) => s.id));
    await run.plan(legs);
    const c = await run.collect(legs, 1);
    expect(c.code).toBe(0);

    const within = await applySlots(run, c);
    expect(within.log).toMatch(/\[apply\] apps-skd-at22: FAILED/);
    // The gate before wave 1: one failure, within a budget of one stack.
    const wave1 = within.gates.find((g) => g.slot === 3)!;
    expect(wave1.code).toBe(0);
    expect(wave1.text).toContain("1 of 3 applied stack(s) failed (33%); the budget allows 1 failed stack(s)");
    // Only the failed stack's dependent is held back; the other org's -k8s stack is applied.
    expect(within.log).toContain(
      "[apply] apps-skd-at22-k8s: BLOCKED: not applied: its dependency apps-skd-at22 did not apply in an earlier slot (failed)",
    );
    expect(within.log).toContain("[apply] apps-brg-at22-k8s: applied");
    // The slot ends orange, so the scope is not recorded as applied.
    expect(within.log).toContain(
      "##vso[task.complete result=SucceededWithIssues;]1 stack(s) blocked by an earlier slot",
    );
    expect(existsSync(state("apps-skd-at22-k8s"))).toBe(false);

    // The same results against a budget of 20%: the gate stops the scope, naming the failure.
    const record = JSON.parse(readFileSync(join(c.decisions, ROLLOUT_FILE), "utf8"));
    writeFileSync(
      join(c.decisions, ROLLOUT_FILE),
      JSON.stringify({ ...record, failureBudget: { percent: 20 } }),
    );
    const stop = await run.gate(3, c.decisions);
    expect(stop.code).toBe(1);
    expect(stop.text).toContain("STOP");
    expect(stop.text).toContain("failure budget exceeded: 1 of 3 applied stack(s) failed (33%)");
    expect(stop.text).toContain("- failed: `apps-skd-at22` (failed)");
    expect(stop.text).toMatch(/stay planned, not applied/);
  }, 240_000);
});
