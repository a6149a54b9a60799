/** Small synthesized outputs (`cdktf.out` trees) for the fleet CLI tests. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CommandIO } from "../../cli/shared/command";
import type { JsonObject } from "../../cli/shared/json";

export interface FixtureStack {
  readonly id: string;
  /** Ids of the stacks it depends on (written as construct paths, like cdktf does). */
  readonly deps?: readonly string[];
  readonly json: JsonObject;
  /** Its stacks.json entry (kind, scope, org); stacks without one are not listed there. */
  readonly meta?: {
    readonly kind: string;
    readonly scope: string;
    readonly org?: string;
    /** A decommissioned stack: `destroy` (with `destroyStateful`). */
    readonly mode?: "destroy";
    readonly destroyStateful?: boolean;
  };
}

/**
 * The stacks.json entries of the fixture stacks the tests use (written as synth writes them):
 * the kind and state scope are stated here, never derived from the id.
 */
const FIXTURE_META: Readonly<Record<string, NonNullable<FixtureStack["meta"]>>> = {
  "bootstrap-state": { kind: "bootstrap", scope: "bootstrap" },
  "org-ttd": { kind: "org", scope: "shared", org: "ttd" },
  "org-brg": { kind: "org", scope: "shared", org: "brg" },
  "org-skd": { kind: "org", scope: "shared", org: "skd" },
  "org-new": { kind: "org", scope: "shared", org: "new" },
  "apps-ttd-at22": { kind: "apps", scope: "at22", org: "ttd" },
  "apps-ttd-at22-k8s": { kind: "apps-k8s", scope: "at22", org: "ttd" },
  "apps-brg-at22": { kind: "apps", scope: "at22", org: "brg" },
  "apps-brg-at22-k8s": { kind: "apps-k8s", scope: "at22", org: "brg" },
  "apps-skd-at22": { kind: "apps", scope: "at22", org: "skd" },
  "apps-new-at22": { kind: "apps", scope: "at22", org: "new" },
  "apps-new-at22-k8s": { kind: "apps-k8s", scope: "at22", org: "new" },
  "apps-gone-at22": { kind: "apps", scope: "at22", org: "gone" },
  "apps-ttd-prod": { kind: "apps", scope: "prod", org: "ttd" },
  "apps-ttd-prod-k8s": { kind: "apps-k8s", scope: "prod", org: "ttd" },
  "platform-at22": { kind: "platform", scope: "at22" },
  "platform-at22-k8s": { kind: "platform-k8s", scope: "at22" },
  "studio-dev": { kind: "studio", scope: "dev" },
};

const created: string[] = [];

// Registered by every test file that imports this module: its temporary directories go after it.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = "fleet-cli-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Writes `<root>/<name>/manifest.json` and `stacks/<id>/cdk.tf.json`; returns the output directory. */
export function writeOut(root: string, name: string, stacks: readonly FixtureStack[]): string {
  const out = join(root, name);
  mkdirSync(join(out, "stacks"), { recursive: true });
  const manifest: JsonObject = { version: "0.21.0", stacks: {} };
  for (const s of stacks) {
    const dir = join(out, "stacks", s.id);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify(s.json, null, 2));
    (manifest.stacks as JsonObject)[s.id] = {
      name: s.id,
      constructPath: `app/${s.id}`,
      workingDirectory: `stacks/${s.id}`,
      synthesizedStackPath: `stacks/${s.id}/cdk.tf.json`,
      stackMetadataPath: `stacks/${s.id}/metadata.json`,
      annotations: [],
      dependencies: (s.deps ?? []).map((d) => `app/${d}`),
    };
  }
  writeFileSync(join(out, "manifest.json"), JSON.stringify(manifest, null, 2));
  const meta: JsonObject = {};
  for (const s of stacks) {
    const m = s.meta ?? FIXTURE_META[s.id];
    if (m === undefined) continue;
    meta[s.id] = {
      ...m,
      environment: m.scope,
      dependsOn: [...(s.deps ?? [])],
      reads: (s.deps ?? []).map((d) => ({ stack: d, what: "fixture" })),
    };
  }
  if (Object.keys(meta).length > 0) {
    writeFileSync(join(out, "stacks.json"), JSON.stringify({ version: 1, stacks: meta }, null, 2));
  }
  return out;
}

/** A stack's Terraform JSON with cdktf's metadata comments, as `cdktf synth` writes it. */
export function stackJson(
  id: string,
  resources: Record<string, Record<string, JsonObject>>,
  extra: JsonObject = {},
): JsonObject {
  const resource: JsonObject = {};
  for (const [type, byName] of Object.entries(resources)) {
    const named: JsonObject = {};
    for (const [name, body] of Object.entries(byName)) {
      named[name] = { "//": { metadata: { path: `${id}/${name}`, uniqueId: name } }, ...body };
    }
    resource[type] = named;
  }
  return {
    "//": { metadata: { backend: "azurerm", stackName: id, version: "0.21.0" }, outputs: {} },
    terraform: {
      backend: { azurerm: { container_name: "tfstate", key: `${id}.tfstate`, use_azuread_auth: true } },
      required_providers: { azurerm: { source: "azurerm", version: "4.47.0" } },
    },
    provider: { azurerm: [{ features: [{}] }] },
    resource,
    ...extra,
  };
}

/**
 * The environment for tests that run the real terraform binary on provider-free stacks: an
 * empty CLI configuration, no plugin cache or data directory from the caller, no version check.
 */
export function isolatedTerraformEnv(): NodeJS.ProcessEnv {
  const config = join(tempDir(), "terraformrc");
  writeFileSync(config, "");
  const env: NodeJS.ProcessEnv = { ...process.env, TF_CLI_CONFIG_FILE: config, CHECKPOINT_DISABLE: "1" };
  delete env.TF_PLUGIN_CACHE_DIR;
  delete env.TF_DATA_DIR;
  return env;
}

export interface CapturedIO extends CommandIO {
  readonly stdout: () => string;
  readonly stderr: () => string;
}

export function captureIO(cwd: string, stdin?: string, env: NodeJS.ProcessEnv = process.env): CapturedIO {
  let out = "";
  let err = "";
  return {
    cwd,
    env,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    readStdin: async () => stdin,
    stdout: () => out,
    stderr: () => err,
  };
}
