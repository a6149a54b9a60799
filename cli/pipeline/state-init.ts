/**
 * `npm run pipeline -- init-state`: creates the state blob of every stack a deploy run is about
 * to plan, when it does not exist yet, so the plan identities (Storage Blob Data Reader) can
 * plan never-applied stacks.
 *
 * Why a separate step: `terraform init` with the azurerm backend calls the backend's `StateMgr`,
 * which, when the state blob does not exist, takes a lease on it (creating the blob) and writes
 * an empty state; `-lock=false` does not change that (hashicorp/terraform v1.12.2
 * internal/command/init.go, internal/backend/remote-state/azure/backend_state.go `StateMgr` and
 * client.go `Lock`; the same code in v1.11.4). A reader cannot, so the pipeline runs this, with
 * the `state` scope's apply identity (Storage Blob Data Contributor without delete on every
 * `tfstate-<scope>` container, granted by `state-scopes`), after `apply_state` and before every
 * other plan stage.
 *
 * How: the real `terraform init` in a temporary directory holding only the stack's backend
 * block, with the identity the environment gives (the ARM_* variables of the AzureCLI@2 task).
 * No providers and no resources, so nothing is downloaded; an existing blob is only read.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isJsonObject, type Json, parseJson, prop } from "../shared/json";
import type { FleetManifest, ManifestStack } from "../shared/manifest";
import { run, tail } from "../shared/process";
import { tfEnv } from "../terraform/terraform";

export type InitStateOutcome = "ready" | "skipped" | "failed";

export interface InitStateResult {
  readonly stack: string;
  readonly outcome: InitStateOutcome;
  readonly durationMs: number;
  readonly message?: string;
}

/** The stack's `terraform.backend` block: its type and configuration, or undefined without one. */
export function backendOf(stack: ManifestStack): { type: string; config: Json } | undefined {
  const json = parseJson(readFileSync(stack.synthesizedStackPath, "utf8"), stack.synthesizedStackPath);
  const backend = prop(prop(json, "terraform"), "backend");
  if (!isJsonObject(backend)) return undefined;
  const [type, config] = Object.entries(backend)[0] ?? [];
  return type === undefined || config === undefined ? undefined : { type, config };
}

/**
 * The stacks of a prepared run (`pipeline prepare --out <dir>`): every scope that `run.json`
 * names, from its `<scope>.txt`, in that order, without repeats.
 */
export function preparedStacks(affectedDir: string): string[] {
  const dir = resolve(affectedDir);
  const runFile = join(dir, "run.json");
  if (!existsSync(runFile)) {
    throw new Error(`no ${runFile}: pass the directory pipeline prepare wrote (the affected artifact)`);
  }
  const scopes = prop(parseJson(readFileSync(runFile, "utf8"), runFile), "scopes");
  if (!isJsonObject(scopes)) throw new Error(`${runFile} has no scopes`);
  const out: string[] = [];
  for (const scope of Object.keys(scopes)) {
    const file = join(dir, `${scope}.txt`);
    if (!existsSync(file)) throw new Error(`no ${file}: run.json names scope ${scope}`);
    for (const id of readFileSync(file, "utf8").split(/\s+/))
      if (id !== "" && !out.includes(id)) out.push(id);
  }
  return out;
}

export interface InitStateOptions {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * How long to keep trying while the blob service refuses the identity (403): role assignments
   * made by `apply_state` in the same run can take minutes to take effect (Learn: "Troubleshoot
   * Azure RBAC", role assignment changes), and a new scope's grant is exactly that.
   * @default 0 (no retry)
   */
  readonly waitForAccessMs?: number;
  /** Pause between attempts. @default 30 s */
  readonly retryIntervalMs?: number;
}

/** The blob service's answer to an identity whose role does not (yet) allow the request. */
const NOT_AUTHORIZED = /AuthorizationPermissionMismatch|AuthorizationFailure/;

/** Creates one stack's state blob when missing: `terraform init` on its backend block alone. */
export async function initStateBlob(
  stack: ManifestStack,
  options: InitStateOptions,
): Promise<InitStateResult> {
  const started = Date.now();
  const done = (outcome: InitStateOutcome, message?: string): InitStateResult => ({
    stack: stack.id,
    outcome,
    durationMs: Date.now() - started,
    ...(message !== undefined ? { message } : {}),
  });
  let backend: ReturnType<typeof backendOf>;
  try {
    backend = backendOf(stack);
  } catch (e) {
    return done("failed", e instanceof Error ? e.message : String(e));
  }
  if (backend === undefined) return done("skipped", "no backend block: the state is local");
  if (backend.type !== "azurerm") return done("skipped", `${backend.type} backend: nothing to create`);
  const dir = mkdtempSync(join(tmpdir(), "fleet-init-state-"));
  try {
    writeFileSync(
      join(dir, "backend.tf.json"),
      `${JSON.stringify({ terraform: { backend: { azurerm: backend.config } } }, null, 2)}\n`,
    );
    // Its own data directory, whatever TF_DATA_DIR the agent sets: inits run side by side.
    const env = { ...tfEnv({ env: options.env }), TF_DATA_DIR: join(dir, ".terraform") };
    const deadline = Date.now() + (options.waitForAccessMs ?? 0);
    for (let attempt = 1; ; attempt++) {
      const r = await run(options.binary, ["init", "-input=false", "-no-color"], { cwd: dir, env });
      if (r.spawnError !== undefined) return done("failed", `cannot run ${options.binary}: ${r.spawnError}`);
      if (r.code === 0) return done("ready");
      const interval = options.retryIntervalMs ?? 30_000;
      if (!NOT_AUTHORIZED.test(r.output) || Date.now() + interval > deadline) {
        const tries = attempt > 1 ? ` (${attempt} attempts)` : "";
        return done("failed", `terraform init failed${tries}\n${tail(r.output, 15)}`);
      }
      await new Promise((wake) => setTimeout(wake, interval));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `initStateBlob` for every stack, at most `parallelism` at once; results in the given order. */
export async function initStateBlobs(
  manifest: FleetManifest,
  stacks: readonly string[],
  options: InitStateOptions & { parallelism: number; onDone?: (r: InitStateResult) => void },
): Promise<InitStateResult[]> {
  const unknown = stacks.filter((s) => !manifest.stacks.has(s));
  if (unknown.length > 0) {
    throw new Error(`not in ${manifest.dir}/manifest.json: ${unknown.join(", ")} (synthesize first)`);
  }
  const results = new Array<InitStateResult>(stacks.length);
  let next = 0;
  const worker = async () => {
    while (next < stacks.length) {
      const i = next++;
      results[i] = await initStateBlob(manifest.stacks.get(stacks[i]!)!, options);
      options.onDone?.(results[i]!);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(options.parallelism, stacks.length)) }, worker),
  );
  return results;
}
