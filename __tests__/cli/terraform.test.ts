/**
 * The plan/apply runner against the real terraform binary, on provider-free stacks
 * (terraform_data is built in: nothing is downloaded) with local state. Skipped, with a
 * message, where no terraform binary is installed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { JsonObject } from "../../cli/shared/json";
import { readManifest } from "../../cli/shared/manifest";
import { applyMain, planMain } from "../../cli/terraform/command";
import {
  aggregateApplyExit,
  applyStack,
  planStack,
  type TerraformOptions,
  terraformBinary,
} from "../../cli/terraform/terraform";
import { captureIO, type FixtureStack, isolatedTerraformEnv, tempDir, writeOut } from "./fixtures";

const BINARY = terraformBinary();
const AVAILABLE = spawnSync(BINARY, ["version"], { stdio: "ignore" }).status === 0;
if (!AVAILABLE) {
  console.warn(`terraform binary not found (${BINARY}; set TERRAFORM_BINARY): runner tests skipped`);
}
const describeWithTerraform = AVAILABLE ? describe : describe.skip;

/** A stack of terraform_data resources (name → input) with local state at `statePath`. */
function tfStack(statePath: string, inputs: Record<string, string>, lifecycle?: JsonObject): JsonObject {
  const resources: JsonObject = {};
  for (const [name, input] of Object.entries(inputs)) {
    resources[name] = { input, ...(lifecycle ? { lifecycle } : {}) };
  }
  const outputs: JsonObject = {};
  for (const name of Object.keys(inputs)) outputs[name] = { value: `\${terraform_data.${name}.output}` };
  return {
    "//": { metadata: { backend: "local", version: "0.21.0" } },
    terraform: { backend: { local: { path: statePath } } },
    resource: { terraform_data: resources },
    output: outputs,
  };
}

interface State {
  serial: number;
  lineage: string;
  outputs: Record<string, { value: unknown }>;
  resources: { type: string; name: string }[];
}

/** Where the local backend keeps the lock of a state file: `.<name>.lock.info` beside it. */
function lockInfo(statePath: string): string {
  return join(dirname(statePath), `.${basename(statePath)}.lock.info`);
}

function readState(file: string): State {
  return JSON.parse(readFileSync(file, "utf8")) as State;
}

describeWithTerraform("plan and apply with the terraform binary", () => {
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    env = isolatedTerraformEnv();
  });

  function fixture(stacks: (statePath: (id: string) => string) => FixtureStack[]) {
    const root = tempDir("fleet-tf-");
    const statePath = (id: string) => join(root, "state", `${id}.tfstate`);
    const out = writeOut(root, "cdktf.out", stacks(statePath));
    return { root, out, statePath };
  }

  it("plans (exit 2), applies the saved plan, then plans no changes (exit 0)", async () => {
    const { root, statePath } = fixture((s) => [
      { id: "org-ttd", json: tfStack(s("org-ttd"), { registry: "r1" }) },
      {
        id: "apps-ttd-at22",
        deps: ["org-ttd"],
        json: tfStack(s("apps-ttd-at22"), { cluster: "c1", storage: "s1" }),
      },
    ]);
    const args = ["--stack", "apps-ttd-at22", "org-ttd", "--out-dir", "plans", "--lock-timeout", "5s"];

    const plan = captureIO(root, undefined, env);
    expect(await planMain(args, plan)).toBe(2);
    // Dependency order: org-ttd finishes before apps-ttd-at22 starts.
    expect(plan.stdout()).toMatch(
      /\[plan\] org-ttd: changes \+1 ~0 -0 ±0[^\n]*\n\[plan\] apps-ttd-at22: changes \+2/,
    );
    const result = JSON.parse(readFileSync(join(root, "plans", "apps-ttd-at22", "result.json"), "utf8"));
    expect(result).toMatchObject({
      stack: "apps-ttd-at22",
      command: "plan",
      outcome: "changes",
      exitCode: 2,
      terraformExitCode: 2,
      hasChanges: true,
      hasDestroy: false,
      summary: { create: 2, update: 0, delete: 0, replace: 0 },
    });
    for (const f of ["tfplan", "plan.json", "summary.md", "plan.log"]) {
      expect(existsSync(join(root, "plans", "apps-ttd-at22", f))).toBe(true);
    }
    expect(readFileSync(join(root, "plans", "summary.md"), "utf8")).toContain(
      "`apps-ttd-at22`: changes (+2 ~0 -0 ±0)",
    );

    const apply = captureIO(root, undefined, env);
    expect(await applyMain(args, apply)).toBe(0);
    expect(apply.stdout()).toContain("[apply] apps-ttd-at22: applied");
    const state = readState(statePath("apps-ttd-at22"));
    expect(state.resources.map((r) => `${r.type}.${r.name}`).sort()).toEqual([
      "terraform_data.cluster",
      "terraform_data.storage",
    ]);
    expect(state.outputs.cluster!.value).toBe("c1");

    const again = captureIO(root, undefined, env);
    expect(await planMain(args, again)).toBe(0);
    expect(again.stdout()).toContain("[plan] apps-ttd-at22: no changes");
    // A saved plan without changes is not applied.
    const noop = captureIO(root, undefined, env);
    expect(await applyMain(args, noop)).toBe(0);
    expect(noop.stdout()).toContain("[apply] org-ttd: nothing-to-apply");
  });

  it("applies a saved plan from another checkout (a fresh agent), restoring the provider lock file", async () => {
    const root = tempDir("fleet-tf-");
    const state = join(root, "state", "apps-ttd-at22.tfstate");
    const json = tfStack(state, { a: "1" });
    writeOut(root, "planned.out", [{ id: "apps-ttd-at22", json }]);
    const plans = ["--stack", "apps-ttd-at22", "--out-dir", join(root, "artifact")];
    expect(await planMain([...plans, "--cdktf-out", "planned.out"], captureIO(root, undefined, env))).toBe(2);
    // The artifact carries the lock file (none here: terraform_data needs no provider; stand one in).
    writeFileSync(join(root, "artifact", "apps-ttd-at22", "terraform.lock.hcl"), "# no providers\n");
    const fresh = writeOut(root, "fresh.out", [{ id: "apps-ttd-at22", json }]);
    expect(existsSync(join(fresh, "stacks", "apps-ttd-at22", ".terraform"))).toBe(false);
    expect(await applyMain([...plans, "--cdktf-out", "fresh.out"], captureIO(root, undefined, env))).toBe(0);
    expect(readFileSync(join(fresh, "stacks", "apps-ttd-at22", ".terraform.lock.hcl"), "utf8")).toBe(
      "# no providers\n",
    );
    expect(readState(state).outputs.a!.value).toBe("1");
  });

  it("reports a destroy in the plan summary", async () => {
    const { root, out, statePath } = fixture((s) => [
      { id: "apps-ttd-at22", json: tfStack(s("apps-ttd-at22"), { a: "1", b: "2" }) },
    ]);
    const args = ["--stack", "apps-ttd-at22", "--out-dir", "plans"];
    expect(await planMain(args, captureIO(root, undefined, env))).toBe(2);
    expect(await applyMain(args, captureIO(root, undefined, env))).toBe(0);
    writeFileSync(
      join(out, "stacks", "apps-ttd-at22", "cdk.tf.json"),
      JSON.stringify(tfStack(statePath("apps-ttd-at22"), { a: "1" })),
    );
    expect(await planMain(args, captureIO(root, undefined, env))).toBe(2);
    const result = JSON.parse(readFileSync(join(root, "plans", "apps-ttd-at22", "result.json"), "utf8"));
    expect(result).toMatchObject({
      hasDestroy: true,
      summary: { delete: 1, destroyed: ["terraform_data.b"] },
    });
    expect(readFileSync(join(root, "plans", "apps-ttd-at22", "summary.md"), "utf8")).toContain(
      "🔥 `terraform_data.b`",
    );
  });

  it("refuses to apply without a saved plan (exit 1)", async () => {
    const { root } = fixture((s) => [{ id: "apps-ttd-at22", json: tfStack(s("apps-ttd-at22"), { a: "1" }) }]);
    const io = captureIO(root, undefined, env);
    expect(await applyMain(["--stack", "apps-ttd-at22", "--out-dir", "plans"], io)).toBe(1);
    expect(io.stdout()).toContain("[apply] apps-ttd-at22: NO-PLAN: no saved plan at");
  });

  it("refuses a stale saved plan with exit 3 and leaves the state as the newer apply left it", async () => {
    const { root, statePath } = fixture((s) => [
      { id: "apps-ttd-at22", json: tfStack(s("apps-ttd-at22"), { a: "1" }) },
    ]);
    const stack = ["--stack", "apps-ttd-at22"];
    expect(await planMain([...stack, "--out-dir", "first"], captureIO(root, undefined, env))).toBe(2);
    expect(await planMain([...stack, "--out-dir", "second"], captureIO(root, undefined, env))).toBe(2);
    expect(await applyMain([...stack, "--out-dir", "second"], captureIO(root, undefined, env))).toBe(0);
    const applied = readState(statePath("apps-ttd-at22"));

    const io = captureIO(root, undefined, env);
    expect(await applyMain([...stack, "--out-dir", "first", "--ado"], io)).toBe(3);
    expect(io.stdout()).toContain("[apply] apps-ttd-at22: STALE: the saved plan is stale");
    expect(io.stdout()).toContain("##vso[task.logissue type=warning]apps-ttd-at22: the saved plan is stale");
    expect(readState(statePath("apps-ttd-at22"))).toEqual(applied);
  });

  it("lets only one of two concurrent applies of a stack through, losing no state", async () => {
    // Two checkouts of one stack sharing one state (as two pipeline runs share a remote state).
    const root = tempDir("fleet-tf-");
    const state = join(root, "state", "apps-ttd-at22.tfstate");
    const outs = ["one", "two"].map((n) =>
      writeOut(root, `${n}.out`, [{ id: "apps-ttd-at22", json: tfStack(state, { a: "1", b: "2" }) }]),
    );
    const stacks = outs.map((o) => readManifest(o).stacks.get("apps-ttd-at22")!);
    const options: TerraformOptions = { binary: BINARY, lockTimeout: "0s", env };
    const planning = { ...options, lockTimeout: "30s" };
    // The two plans are made one after the other (this test is about the concurrent applies).
    const plans = [];
    for (const [i, s] of stacks.entries()) plans.push(await planStack(s, join(root, `plans${i}`), planning));
    expect(plans.map((p) => p.outcome)).toEqual(["changes", "changes"]);

    const applies = await Promise.all(stacks.map((s, i) => applyStack(s, join(root, `plans${i}`), options)));
    const outcomes = applies.map((a) => a.outcome).sort();
    expect(outcomes[0]).toBe("applied");
    // The loser either found the state locked or, having got the lock after the winner, its plan stale.
    expect(["locked", "stale"]).toContain(outcomes[1]);
    expect([1, 3]).toContain(aggregateApplyExit(applies));

    const after = readState(state);
    expect(after.resources.map((r) => r.name).sort()).toEqual(["a", "b"]);
    expect(after.outputs.a!.value).toBe("1");
    expect(existsSync(lockInfo(state))).toBe(false);
    // Both checkouts now see the applied state with nothing left to do (one after the other, so
    // the check is about the state, not about lock contention between the two plans).
    const replans = [];
    for (const [i, s] of stacks.entries())
      replans.push(await planStack(s, join(root, `again${i}`), planning));
    expect(replans.map((p) => p.outcome)).toEqual(["unchanged", "unchanged"]);
  });

  it("fails on a held state lock (exit 1, locked), or waits for it and then refuses the stale plan (exit 3)", async () => {
    const root = tempDir("fleet-tf-");
    const state = join(root, "state", "apps-ttd-at22.tfstate");
    // The provisioner keeps the first apply (and its lock) busy for a few seconds.
    const slow: JsonObject = tfStack(state, { a: "1" });
    ((slow.resource as JsonObject).terraform_data as JsonObject).a = {
      input: "1",
      provisioner: [{ "local-exec": { command: "sleep 3" } }],
    };
    const [first, second] = ["one", "two"].map((n) =>
      writeOut(root, `${n}.out`, [{ id: "apps-ttd-at22", json: slow }]),
    );
    const args = (out: string, plans: string, ...extra: string[]) => [
      "--stack",
      "apps-ttd-at22",
      "--cdktf-out",
      out,
      "--out-dir",
      join(root, plans),
      ...extra,
    ];
    expect(await planMain(args(first!, "p1"), captureIO(root, undefined, env))).toBe(2);
    expect(await planMain(args(second!, "p2"), captureIO(root, undefined, env))).toBe(2);

    const running = applyMain(args(first!, "p1"), captureIO(root, undefined, env));
    for (let i = 0; i < 100 && !existsSync(lockInfo(state)); i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(lockInfo(state))).toBe(true);

    const locked = captureIO(root, undefined, env);
    const lockedCode = await planMain(args(second!, "p3", "--lock-timeout", "0s"), locked);
    expect(lockedCode).toBe(1);
    expect(locked.stdout()).toContain(
      "[plan] apps-ttd-at22: LOCKED: the state is locked by another operation",
    );
    // A read-only plan identity cannot take the lock and need not: it plans without it (exit 0 or 2).
    const unlocked = await planMain(args(second!, "p5", "--no-state-lock"), captureIO(root, undefined, env));
    expect([0, 2]).toContain(unlocked);

    const waiting = captureIO(root, undefined, env);
    expect(await applyMain(args(second!, "p2", "--lock-timeout", "30s"), waiting)).toBe(3);
    expect(waiting.stdout()).toContain("STALE");
    expect(await running).toBe(0);
    expect(readState(state).resources.map((r) => r.name)).toEqual(["a"]);
    expect(existsSync(lockInfo(state))).toBe(false);
    expect(await planMain(args(second!, "p4"), captureIO(root, undefined, env))).toBe(0);
  });

  it("does not apply the dependents of a stack whose apply failed (exit 1)", async () => {
    const { root } = fixture((s) => {
      const failing = tfStack(s("org-ttd"), { a: "1" });
      // Unknown until apply, so the plan succeeds and the apply fails.
      ((failing.resource as JsonObject).terraform_data as JsonObject).a = {
        input: "1",
        lifecycle: {
          postcondition: [{ condition: `\${self.output == "never"}`, error_message: "broken on purpose" }],
        },
      };
      return [
        { id: "org-ttd", json: failing },
        { id: "apps-ttd-at22", deps: ["org-ttd"], json: tfStack(s("apps-ttd-at22"), { b: "2" }) },
      ];
    });
    const args = ["--stack", "org-ttd", "apps-ttd-at22"];
    expect(await planMain(args, captureIO(root, undefined, env))).toBe(2);
    const io = captureIO(root, undefined, env);
    expect(await applyMain(args, io)).toBe(1);
    expect(io.stdout()).toContain("[apply] org-ttd: FAILED: terraform apply failed");
    expect(io.stdout()).toContain(
      "[apply] apps-ttd-at22: SKIPPED: not applied: its dependency org-ttd did not apply",
    );
    expect(io.stderr()).toContain("broken on purpose");
  });

  it("fails the plan (exit 1) of a stack Terraform cannot read", async () => {
    const { root, out } = fixture((s) => [
      { id: "apps-ttd-at22", json: tfStack(s("apps-ttd-at22"), { a: "1" }) },
    ]);
    writeFileSync(join(out, "stacks", "apps-ttd-at22", "cdk.tf.json"), "{ broken");
    const io = captureIO(root, undefined, env);
    expect(await planMain(["--stack", "apps-ttd-at22", "--ado"], io)).toBe(1);
    expect(io.stdout()).toContain("[plan] apps-ttd-at22: FAILED: terraform init failed");
    expect(io.stdout()).toContain("##vso[task.logissue type=error]apps-ttd-at22: terraform init failed");
    expect(io.stdout()).toMatch(/##vso\[task\.uploadsummary\]\/.*\/plans\/summary\.md/);
  });
});

describe("plan and apply without terraform work to do", () => {
  it("fails with exit 1 for a stack that is not in the manifest", async () => {
    const root = tempDir();
    writeOut(root, "cdktf.out", [{ id: "org-ttd", json: {} }]);
    const io = captureIO(root);
    expect(await planMain(["--stack", "org-nope"], io)).toBe(1);
    expect(io.stderr()).toContain("not in");
  });

  it("fails with exit 1 when the terraform binary cannot be run", async () => {
    const root = tempDir();
    writeOut(root, "cdktf.out", [{ id: "org-ttd", json: {} }]);
    const io = captureIO(root, undefined, { ...process.env, TERRAFORM_BINARY: "/nonexistent/terraform" });
    expect(await planMain(["--stack", "org-ttd"], io)).toBe(1);
    expect(io.stdout()).toContain("[plan] org-ttd: FAILED: terraform init failed: ");
  });
});
