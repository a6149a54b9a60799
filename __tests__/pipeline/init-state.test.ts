/**
 * Issue 14, first finding: the first run applies nothing, because `terraform init` of a stack
 * that was never applied creates its state blob under a lease, which the plan identities
 * (Storage Blob Data Reader) may not. These tests run the real `terraform` binary and its real
 * azurerm backend against a local fake of Azure Blob Storage that refuses writes to a read-only
 * identity (testing/fake-blob-storage.ts), with the backend block the fleet synthesizes:
 * the old way fails; after `pipeline init-state` with the writer, the reader's init and plan
 * succeed without writing anything; `plan --missing-state preview` plans against an empty state,
 * and apply refuses that plan. Skipped, with a message, without terraform or openssl.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main as pipelineMain } from "../../cli/pipeline/command";
import { collect } from "../../cli/pipeline/pipeline-collect";
import { initStateBlob } from "../../cli/pipeline/state-init";
import type { JsonObject } from "../../cli/shared/json";
import { readManifest } from "../../cli/shared/manifest";
import { applyMain, planMain } from "../../cli/terraform/command";
import { planStack, terraformBinary } from "../../cli/terraform/terraform";
import {
  type FakeBlobStorage,
  opensslAvailable,
  READER_SAS,
  startFakeBlobStorage,
  WRITER_SAS,
} from "../../testing/fake-blob-storage";
import { sharedFleetOutput } from "../../testing/fleet-synth";
import { captureIO, tempDir, writeOut } from "../cli/fixtures";

const BINARY = terraformBinary();
const TERRAFORM = spawnSync(BINARY, ["version"], { stdio: "ignore" }).status === 0;
const OPENSSL = opensslAvailable();
if (!TERRAFORM || !OPENSSL) {
  console.warn(
    `state initialisation tests skipped: ${!TERRAFORM ? `no terraform binary (${BINARY}; set TERRAFORM_BINARY)` : ""}${!TERRAFORM && !OPENSSL ? " and " : ""}${!OPENSSL ? "no openssl (it makes the fake blob endpoint's test CA)" : ""}`,
  );
}
const describeWithTerraform = TERRAFORM && OPENSSL ? describe : describe.skip;

/** The azurerm backend block the fleet synthesizes for apps-ttd-at22, for another key. */
function fleetBackend(key: string): JsonObject {
  const json = JSON.parse(
    readFileSync(join(sharedFleetOutput(), "stacks", "apps-ttd-at22", "cdk.tf.json"), "utf8"),
  ) as { terraform: { backend: { azurerm: JsonObject } } };
  return { ...json.terraform.backend.azurerm, key };
}

/** A provider-free stack (nothing to download) with the fleet's backend: one output to create. */
function stack(id: string): JsonObject {
  return {
    terraform: { backend: { azurerm: fleetBackend(`${id}.tfstate`) } },
    output: { ready: { value: `${id} exists` } },
  };
}

describeWithTerraform(
  "state of never-applied stacks, with the real terraform binary and azurerm backend",
  () => {
    let fake: FakeBlobStorage;
    let env: NodeJS.ProcessEnv;
    let root: string;
    let out: string;
    let affected: string;
    const as = (sas: string): NodeJS.ProcessEnv => ({ ...env, ARM_SAS_TOKEN: sas });
    const ids = ["apps-new-at22", "apps-newer-at22"];

    beforeAll(async () => {
      fake = await startFakeBlobStorage();
      root = tempDir("fleet-init-state-");
      const config = join(root, "terraformrc");
      writeFileSync(config, "");
      env = { ...process.env, ...fake.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1" };
      for (const k of Object.keys(env)) if (k.startsWith("ARM_")) delete env[k];
      delete env.TF_PLUGIN_CACHE_DIR;
      delete env.TF_DATA_DIR;
      out = writeOut(
        root,
        "cdktf.out",
        ids.map((id) => ({ id, json: stack(id), meta: { kind: "apps", scope: "at22", org: "new" } })),
      );
      affected = join(root, "affected");
      mkdirSync(affected);
      writeFileSync(join(affected, "run.json"), JSON.stringify({ mode: "deploy", scopes: { at22: {} } }));
      writeFileSync(join(affected, "at22.txt"), "apps-new-at22\n");
    });

    afterAll(async () => {
      await fake?.close();
    });

    const blobPath = (id: string) => {
      const b = fleetBackend(`${id}.tfstate`);
      return `${b.storage_account_name}/${b.container_name}/${id}.tfstate`;
    };

    test("before: the reader's terraform init of a never-applied stack fails: the backend leases and writes an empty state", async () => {
      const manifest = readManifest(out);
      const seen = fake.requests.length;
      const r = await planStack(manifest.stacks.get("apps-new-at22")!, join(root, "plans-a"), {
        binary: BINARY,
        lockTimeout: "10s",
        planStateLock: false,
        env: as(READER_SAS),
      });
      expect(r.outcome).toBe("failed");
      const log = readFileSync(join(root, "plans-a", "apps-new-at22", "plan.log"), "utf8");
      expect(log).toMatch(/Error loading state: failed to lock azure state/);
      expect(log).toMatch(/AuthorizationPermissionMismatch/);
      // The write the reader was refused: the backend's Put Blob before taking the lease.
      expect(fake.requests.slice(seen)).toContainEqual(
        expect.objectContaining({ method: "PUT", identity: "reader", status: 403 }),
      );
      expect(fake.blob(blobPath("apps-new-at22"))).toBeUndefined();
      // --missing-state fail (deploy runs) names the stage that creates the blob.
      expect(r.message).toMatch(/the state blob of apps-new-at22 does not exist yet.*the init_state stage/s);
    });

    test("after pipeline init-state with the writer, the reader's init and plan succeed and write nothing", async () => {
      const io = captureIO(root, undefined, as(WRITER_SAS));
      const code = await pipelineMain(["init-state", "--affected", affected, "--cdktf-out", out], io);
      expect(io.stderr()).toBe("");
      expect(code).toBe(0);
      expect(io.stdout()).toMatch(/^\[init-state\] apps-new-at22: ready/m);
      const state = JSON.parse(fake.blob(blobPath("apps-new-at22"))!) as {
        version: number;
        resources: unknown[];
      };
      expect(state.version).toBe(4);
      expect(state.resources).toEqual([]);
      // The stack not in the prepared lists is left alone.
      expect(fake.blob(blobPath("apps-newer-at22"))).toBeUndefined();

      const seen = fake.requests.length;
      const r = await planStack(readManifest(out).stacks.get("apps-new-at22")!, join(root, "plans-b"), {
        binary: BINARY,
        lockTimeout: "10s",
        planStateLock: false,
        env: as(READER_SAS),
      });
      expect(r.message).toBeUndefined();
      expect(r.outcome).toBe("changes");
      expect(r.summary?.outputChanges).toBe(1);
      const reader = fake.requests.slice(seen);
      expect(reader.length).toBeGreaterThan(0);
      expect(
        reader.every((q) => q.identity === "reader" && (q.method === "GET" || q.method === "HEAD")),
      ).toBe(true);
      expect(reader.every((q) => q.status < 400 || q.status === 404)).toBe(true);
    });

    test("init-state on an existing state only reads it", async () => {
      const before = fake.blob(blobPath("apps-new-at22"));
      const seen = fake.requests.length;
      const io = captureIO(root, undefined, as(WRITER_SAS));
      expect(await pipelineMain(["init-state", "--affected", affected, "--cdktf-out", out], io)).toBe(0);
      const writes = fake.requests.slice(seen).filter((q) => q.method === "PUT");
      expect(writes).toEqual([]);
      expect(fake.blob(blobPath("apps-new-at22"))).toBe(before);
    });

    test("init-state with the reader fails, naming the stack, exit 1", async () => {
      writeFileSync(join(affected, "at22.txt"), "apps-newer-at22\n");
      const io = captureIO(root, undefined, as(READER_SAS));
      const code = await pipelineMain(
        ["init-state", "--affected", affected, "--cdktf-out", out, "--wait-for-access", "0"],
        io,
      );
      writeFileSync(join(affected, "at22.txt"), "apps-new-at22\n");
      expect(code).toBe(1);
      expect(io.stderr()).toMatch(/^--- apps-newer-at22: terraform init failed/m);
      expect(io.stdout()).toMatch(/init-state: 1 stack\(s\), 0 with state, 1 failed → exit 1/);
    });

    test("a refused (403) init is tried again until --wait-for-access runs out: grants made by apply_state take minutes", async () => {
      const seen = fake.requests.length;
      const r = await initStateBlob(readManifest(out).stacks.get("apps-newer-at22")!, {
        binary: BINARY,
        env: as(READER_SAS),
        waitForAccessMs: 1500,
        retryIntervalMs: 500,
      });
      expect(r.outcome).toBe("failed");
      expect(r.message).toMatch(/^terraform init failed \([2-9] attempts\)/);
      const refused = fake.requests.slice(seen).filter((q) => q.method === "PUT" && q.status === 403);
      expect(refused.length).toBeGreaterThanOrEqual(2);
    });

    test("plan --missing-state preview plans against an empty state, marks it preview, and apply and collect refuse it", async () => {
      const plans = join(root, "plans-preview");
      const io = captureIO(root, undefined, as(READER_SAS));
      const args = ["--stack", "apps-newer-at22", "--cdktf-out", out, "--out-dir", plans];
      const code = await planMain([...args, "--no-state-lock", "--missing-state", "preview"], io);
      expect(io.stdout()).toMatch(
        /\[plan\] apps-newer-at22: preview \(no state yet, never applied\): changes/,
      );
      expect(code).toBe(2);
      const result = JSON.parse(readFileSync(join(plans, "apps-newer-at22", "result.json"), "utf8"));
      expect(result).toMatchObject({ outcome: "changes", preview: true, hasChanges: true });
      expect(readFileSync(join(plans, "apps-newer-at22", "summary.md"), "utf8")).toMatch(
        /preview against an empty state/,
      );
      // Nothing was written to the blob store, and the stack directory uses its real backend again.
      expect(fake.blob(blobPath("apps-newer-at22"))).toBeUndefined();
      const workdir = join(out, "stacks", "apps-newer-at22");
      expect(readdirSync(workdir).filter((f) => f.includes("override"))).toEqual([]);
      expect(existsSync(join(workdir, ".terraform", "terraform.tfstate"))).toBe(false);

      const applyIO = captureIO(root, undefined, as(WRITER_SAS));
      expect(await applyMain(args, applyIO)).toBe(1);
      const applied = JSON.parse(readFileSync(join(plans, "apps-newer-at22", "apply-result.json"), "utf8"));
      expect(applied.outcome).toBe("no-plan");
      expect(applied.message).toMatch(/preview against an empty state.*never applied/);
      expect(fake.blob(blobPath("apps-newer-at22"))).toBeUndefined();

      // collect never hands a preview to an apply leg.
      const verdict = collect({
        scope: "at22",
        mode: "deploy",
        planLegs: { apps_newer_at22: { STACKS: "apps-newer-at22", WAVE: "0" } },
        legs: [
          {
            record: {
              scope: "at22",
              stacks: "apps-newer-at22",
              wave: "0",
              planArtifact: "plan_at22_x_1_1",
              resultArtifact: "result_at22_x_1_1",
              attempt: { stage: 1, job: 1 },
            },
            results: new Map([["apps-newer-at22", { ...result }]]),
            summaries: new Map(),
          },
        ],
        graph: readManifest(out).graph,
        changedInRun: new Set(),
        decisionsArtifact: "decisions_at22_1_1",
      });
      expect(verdict.verdicts.map((v) => [v.stack, v.verdict])).toEqual([["apps-newer-at22", "failed"]]);
      expect(verdict.canApply).toBe(false);
    });

    test("plan --missing-state takes only preview or fail", async () => {
      const io = captureIO(root);
      expect(
        await planMain(["--stack", "apps-new-at22", "--cdktf-out", out, "--missing-state", "create"], io),
      ).toBe(1);
      expect(io.stderr()).toMatch(/Allowed choices are preview, fail/);
    });
  },
);
