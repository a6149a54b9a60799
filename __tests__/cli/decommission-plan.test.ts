/**
 * A decommissioned stack (stacks.json `"mode": "destroy"`) against the real terraform binary,
 * on provider-free stacks (terraform_data; nothing is downloaded) with local state: the plan
 * command runs `terraform plan -destroy`; a stateful resource (prevent_destroy, as every stateful
 * resource of the fleet has it) stops the whole destroy with one message naming it and the
 * setting, until the second setting (`destroyStatefulResources`, which synthesizes
 * `prevent_destroy = false`) lets the plan destroy it; a stack whose state is empty has nothing
 * left to destroy. Also: `affected` and `diff` see the mode change although the JSON is equal.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { compareOutputs } from "../../cli/affected/affected";
import { main as diffMain } from "../../cli/diff/command";
import type { JsonObject } from "../../cli/shared/json";
import { SynthOutput } from "../../cli/shared/synth-output";
import { applyMain, planMain } from "../../cli/terraform/command";
import { terraformBinary } from "../../cli/terraform/terraform";
import { captureIO, type FixtureStack, isolatedTerraformEnv, stackJson, tempDir, writeOut } from "./fixtures";

const BINARY = terraformBinary();
const AVAILABLE = spawnSync(BINARY, ["version"], { stdio: "ignore" }).status === 0;
if (!AVAILABLE) {
  console.warn(
    `terraform binary not found (${BINARY}; set TERRAFORM_BINARY): decommission plan tests skipped`,
  );
}
const describeWithTerraform = AVAILABLE ? describe : describe.skip;

const ID = "apps-gone-at22";
const APPS = { kind: "apps", scope: "at22", org: "gone" } as const;

/** A stand-in for an Apps stack: a "storage account" (stateful) and an "identity" (not). */
function tfStack(statePath: string, preventDestroy: boolean | undefined): JsonObject {
  return {
    "//": { metadata: { backend: "local", version: "0.21.0" } },
    terraform: { backend: { local: { path: statePath } } },
    resource: {
      terraform_data: {
        storage: {
          input: "data",
          ...(preventDestroy !== undefined ? { lifecycle: { prevent_destroy: preventDestroy } } : {}),
        },
        identity: { input: "id" },
      },
    },
  };
}

function stateResources(file: string): string[] {
  const state = JSON.parse(readFileSync(file, "utf8")) as { resources: { type: string; name: string }[] };
  return state.resources.map((r) => `${r.type}.${r.name}`).sort();
}

describeWithTerraform("a decommissioned stack with the terraform binary", () => {
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    env = isolatedTerraformEnv();
  });

  it("needs both settings to destroy a stateful resource: destroy mode, then destroyStatefulResources", async () => {
    const root = tempDir("fleet-decommission-");
    const state = join(root, "state", `${ID}.tfstate`);
    const args = ["--stack", ID, "--out-dir", "plans"];
    const run = async (
      name: string,
      preventDestroy: boolean,
      meta: FixtureStack["meta"],
      command: typeof planMain = planMain,
    ) => {
      writeOut(root, name, [{ id: ID, json: tfStack(state, preventDestroy), meta }]);
      const io = captureIO(root, undefined, env);
      const code = await command([...args, "--cdktf-out", name], io);
      return { code, io };
    };

    // The stack as it lived: created, with prevent_destroy on the stateful resource.
    expect((await run("live.out", true, APPS)).code).toBe(2);
    expect((await run("live.out", true, APPS, applyMain)).code).toBe(0);
    expect(stateResources(state)).toEqual(["terraform_data.identity", "terraform_data.storage"]);

    // First setting only (decommission entry): planned with -destroy, refused as a whole.
    const first = await run("first.out", true, { ...APPS, mode: "destroy", destroyStateful: false });
    expect(first.code).toBe(1);
    expect(readFileSync(join(root, "plans", ID, "plan.log"), "utf8")).toContain("$ terraform plan -destroy ");
    const refused = JSON.parse(readFileSync(join(root, "plans", ID, "result.json"), "utf8"));
    expect(refused).toMatchObject({ outcome: "failed", exitCode: 1, hasChanges: false });
    expect(refused.message).toMatch(
      /^the decommission would destroy stateful resources that keep lifecycle\.prevent_destroy: terraform_data\.storage\. Nothing of the stack is destroyed\..*destroyStatefulResources: true/,
    );
    expect(first.io.stdout()).toContain(
      `[plan] ${ID}: FAILED: the decommission would destroy stateful resources`,
    );
    expect((await run("first.out", true, APPS, applyMain)).code).toBe(1);
    expect(stateResources(state)).toEqual(["terraform_data.identity", "terraform_data.storage"]);

    // Both settings: prevent_destroy is off in the synthesized JSON; the destroy plan takes everything.
    const both = await run("both.out", false, { ...APPS, mode: "destroy", destroyStateful: true });
    expect(both.code).toBe(2);
    const planned = JSON.parse(readFileSync(join(root, "plans", ID, "result.json"), "utf8"));
    expect(planned).toMatchObject({
      outcome: "changes",
      hasDestroy: true,
      summary: { create: 0, delete: 2, destroyed: ["terraform_data.identity", "terraform_data.storage"] },
    });
    expect((await run("both.out", false, APPS, applyMain)).code).toBe(0);
    expect(stateResources(state)).toEqual([]);

    // Applied: nothing is left to destroy, and nothing is planned (data sources could not read the gone resources).
    const after = await run("both.out", false, { ...APPS, mode: "destroy", destroyStateful: true });
    expect(after.code).toBe(0);
    expect(after.io.stdout()).toContain(`[plan] ${ID}: no changes`);
    expect(readFileSync(join(root, "plans", ID, "plan.log"), "utf8")).not.toContain("$ terraform plan");
    expect(JSON.parse(readFileSync(join(root, "plans", ID, "result.json"), "utf8")).message).toContain(
      "nothing left to destroy; remove its decommission entry",
    );
  });

  it("plans a stack without a mode as before (no -destroy)", async () => {
    const root = tempDir("fleet-decommission-");
    writeOut(root, "cdktf.out", [
      { id: ID, json: tfStack(join(root, "state", `${ID}.tfstate`), undefined), meta: APPS },
    ]);
    expect(await planMain(["--stack", ID, "--out-dir", "plans"], captureIO(root, undefined, env))).toBe(2);
    const log = readFileSync(join(root, "plans", ID, "plan.log"), "utf8");
    expect(log).toContain("$ terraform plan -input=false");
    expect(log).not.toContain("-destroy");
  });
});

describe("a stack that becomes decommissioned with the same configuration", () => {
  function outputs(headMeta: FixtureStack["meta"], headHasStack = true) {
    const root = tempDir();
    const json = stackJson(ID, { azurerm_storage_account: { storage: { name: "goneat22strg01" } } });
    const other: FixtureStack = { id: "apps-ttd-at22", json: stackJson("apps-ttd-at22", {}) };
    const base = writeOut(root, "base.out", [{ id: ID, json, meta: APPS }, other]);
    const head = writeOut(
      root,
      "head.out",
      headHasStack ? [{ id: ID, json, meta: headMeta }, other] : [other],
    );
    return { root, base, head };
  }

  it("is affected, and npm run diff flags it (exit 2) naming its stateful resources", async () => {
    const { root, base, head } = outputs({ ...APPS, mode: "destroy", destroyStateful: false });
    const affected = compareOutputs(new SynthOutput(base), new SynthOutput(head));
    expect(affected.changed).toEqual([ID]);
    const io = captureIO(root);
    expect(await diffMain(["--base-out", base, "--head-out", head, "--json"], io)).toBe(2);
    const risks = JSON.parse(io.stdout()).risks as { kind: string; stack: string; message: string }[];
    expect(risks.map((r) => `${r.kind} ${r.stack}`)).toEqual([`stack-decommissioned ${ID}`]);
    expect(risks[0]!.message).toContain(
      "keep prevent_destroy, so the destroy plan fails until destroyStatefulResources is set: azurerm_storage_account.storage",
    );
  });

  it("is no stack-removed risk once its entry is removed after the destroy", async () => {
    const root = tempDir();
    const json = stackJson(ID, { azurerm_storage_account: { storage: { name: "goneat22strg01" } } });
    const base = writeOut(root, "base.out", [
      { id: ID, json, meta: { ...APPS, mode: "destroy", destroyStateful: true } },
    ]);
    const head = writeOut(root, "head.out", [{ id: "apps-ttd-at22", json: stackJson("apps-ttd-at22", {}) }]);
    const io = captureIO(root);
    expect(await diffMain(["--base-out", base, "--head-out", head, "--json"], io)).toBe(0);
    // Without a decommission entry, the same removal is a risk that points to the procedure.
    const plain = outputs(APPS, false);
    const io2 = captureIO(plain.root);
    expect(await diffMain(["--base-out", plain.base, "--head-out", plain.head, "--json"], io2)).toBe(2);
    const risk = (JSON.parse(io2.stdout()).risks as { kind: string; message: string }[])[0]!;
    expect(risk.kind).toBe("stack-removed");
    expect(risk.message).toContain(
      'decommission entry in fleet.yaml (README "Decommission an organisation")',
    );
  });
});
