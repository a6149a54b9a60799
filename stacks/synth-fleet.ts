/**
 * Synthesizes the fleet in batches, so memory stays bounded however large the fleet grows: each
 * batch is its own cdktf App, synthesized into the shared output directory and then dropped, and
 * the batches' manifests are merged into one `manifest.json` at the end.
 *
 * Stacks never reference each other's resources (they read what another stack made by name,
 * through data sources), so a stack can be built in any batch. cdktf records dependencies only
 * between stacks of one App, so the manifest's `dependencies` are written from the plan instead.
 *
 * Errors in one batch do not stop the others: every batch is synthesized and all failures are
 * reported together, as validation does for the fleet definition.
 *
 * Incremental: every stack gets an input hash (its input from the stack plan, its id and
 * backend, the code, and the input hashes of the stacks it reads from; stacks/inputs.ts),
 * recorded in stacks.json. With `cacheFrom`, a stack whose hash equals the one recorded in that
 * earlier output is not built again: its directory is hard-linked (or copied) from there and its
 * manifest entry carried over, which gives the bytes a clean synthesis gives.
 */
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { PROJECT_ROOT } from "../cli/shared/project-root";
import { stableJson } from "../cli/shared/sorted-json";
import type { Fleet } from "../fleet/model";
import { assertUniqueIds, type PlannedStack, planStacks, selectStacks } from "./app";
import { codeHash } from "./code-hash";
import type { BackendKind } from "./fleet-stack";
import { contentHash } from "./inputs";
import {
  metadataOf,
  readStackMetadata,
  renderStackMetadata,
  STACKS_FILE,
  type StackMetadata,
  writeStackMetadata,
} from "./metadata";
import { disableTokenStackTraces } from "./token-traces";

export interface SynthFleetOptions {
  readonly outdir: string;
  readonly backend?: BackendKind;
  readonly select?: readonly string[];
  /** Stacks per App; whole dependency groups are never split. @default 200 */
  readonly batchSize?: number;
  /**
   * With a selection: the output directory whose other stacks stay (their manifest and
   * stacks.json entries are carried over). `outdir` itself under `npx cdktf synth`, whose CLI
   * deletes every stack directory the manifest does not list.
   */
  readonly keepFrom?: string;
  /** An earlier output whose stacks are reused where their input hash is unchanged. */
  readonly cacheFrom?: string;
  /** Build exactly these stacks (no dependencies added); for comparing single stacks. */
  readonly only?: readonly string[];
  /** The code's hash (stacks/code-hash.ts); default: of this checkout. */
  readonly codeHash?: string;
  /** See `PlanOptions.wholeFleet` (tests only). */
  readonly wholeFleet?: boolean;
  /** Called after every batch (and once before the first). */
  readonly onProgress?: (p: SynthProgress) => void;
}

export interface SynthProgress {
  /** Stacks to write: built ones plus reused ones. */
  readonly total: number;
  /** Stacks reused from `cacheFrom`, not built. */
  readonly reused: number;
  /** Stacks built so far. */
  readonly built: number;
  /** Stacks to build. */
  readonly toBuild: number;
  /** The batch just finished (1-based; 0 before the first) and how many there are. */
  readonly batch: number;
  readonly batches: number;
  /** First and last stack id of the batch just finished. */
  readonly first?: string;
  readonly last?: string;
}

export interface SynthFleetResult {
  readonly planned: readonly PlannedStack[];
  /** Ids of the stacks reused from `cacheFrom`. */
  readonly reused: readonly string[];
  /** Input hash of every stack written, by id (with `only`, stacks whose dependencies were not written hash them as unknown). */
  readonly inputHashes: ReadonlyMap<string, string>;
}

/** A selection that matches no stack: nothing is written. */
export class NoStacksSelectedError extends Error {
  constructor(globs: readonly string[], all: readonly PlannedStack[]) {
    const examples = new Map<string, string>();
    for (const p of all) if (!examples.has(p.kind)) examples.set(p.kind, p.id);
    super(
      `the selection ${globs.map((g) => `'${g}'`).join(", ")} matches no stack of the fleet; nothing was synthesized. ` +
        `Globs match stack ids, one per kind for example: ${[...examples].map(([k, id]) => `${id} (${k})`).join(", ")}; ` +
        `e.g. 'apps-<org>-*' for an org's clusters`,
    );
    this.name = "NoStacksSelectedError";
  }
}

export class FleetSynthError extends Error {
  constructor(readonly failures: readonly string[]) {
    super(failures.join("\n\n"));
    this.name = "FleetSynthError";
  }
}

interface ManifestJson {
  version: string;
  stacks: Record<string, unknown>;
}

export function synthFleet(fleet: Fleet, options: SynthFleetOptions): SynthFleetResult {
  disableTokenStackTraces();
  const all = planStacks(fleet, { wholeFleet: options.wholeFleet === true });
  assertUniqueIds(all);
  const select = options.select ?? [];
  const only = options.only !== undefined ? new Set(options.only) : undefined;
  const planned = only !== undefined ? all.filter((p) => only.has(p.id)) : selectStacks(all, select);
  if (select.length > 0 && planned.length === 0) throw new NoStacksSelectedError(select, all);
  const backend = options.backend ?? "azurerm";
  // A selection holds what its stacks depend on, so their hashes are complete.
  const hashes = inputHashes(planned, backend, options.codeHash ?? codeHash(PROJECT_ROOT));
  // Read before the batches overwrite the manifest (keepFrom may be outdir itself).
  const kept = select.length > 0 && options.keepFrom !== undefined ? keptOutput(options.keepFrom) : undefined;
  const cache = options.cacheFrom !== undefined ? keptOutput(options.cacheFrom) : undefined;
  const reusable = (p: PlannedStack): boolean => {
    const entry = cache?.manifest?.stacks[p.id] as { workingDirectory?: unknown } | undefined;
    return (
      cache?.metadata?.get(p.id)?.inputHash === hashes.get(p.id) &&
      typeof entry?.workingDirectory === "string" &&
      existsSync(join(options.cacheFrom!, entry.workingDirectory))
    );
  };
  const reused = planned.filter(reusable);
  const reusedIds = new Set(reused.map((p) => p.id));
  const toBuild = planned.filter((p) => !reusedIds.has(p.id));
  const batches = chunk(toBuild, options.batchSize ?? 200);
  const merged: ManifestJson = {
    version: cache?.manifest?.version ?? "",
    stacks: { ...kept?.manifest?.stacks },
  };
  for (const p of reused) {
    const entry = cache!.manifest!.stacks[p.id] as { workingDirectory: string };
    linkTree(join(options.cacheFrom!, entry.workingDirectory), join(options.outdir, entry.workingDirectory));
    merged.stacks[p.id] = structuredClone(entry);
  }
  const failures: string[] = [];
  let built = 0;
  const progress = (batch: number, done?: readonly PlannedStack[]) =>
    options.onProgress?.({
      total: planned.length,
      reused: reused.length,
      built,
      toBuild: toBuild.length,
      batch,
      batches: batches.length,
      ...(done !== undefined && done.length > 0
        ? { first: done[0]!.id, last: done[done.length - 1]!.id }
        : {}),
    });
  progress(0);
  for (const [index, batch] of batches.entries()) {
    try {
      const app = new App({ outdir: options.outdir, stackTraces: false });
      for (const p of batch) {
        const stack = p.build(app, backend);
        if (stack.stateScope !== p.scope) {
          throw new Error(
            `stack ${p.id} keeps its state in scope ${stack.stateScope}, but was planned in ${p.scope}`,
          );
        }
      }
      app.synth();
      const manifest = JSON.parse(
        readFileSync(join(options.outdir, "manifest.json"), "utf8"),
      ) as ManifestJson;
      merged.version = manifest.version;
      Object.assign(merged.stacks, manifest.stacks);
    } catch (e) {
      failures.push(e instanceof Error ? e.message : String(e));
    }
    built += batch.length;
    progress(index + 1, batch);
  }
  if (failures.length > 0) throw new FleetSynthError(failures);
  for (const p of planned) {
    const entry = merged.stacks[p.id] as { dependencies: string[] };
    entry.dependencies = [...p.dependsOn];
  }
  writeFileSync(join(options.outdir, "manifest.json"), stableJson(merged));
  // Metadata: fresh for the stacks built now; the kept stacks' entries as they were (or from
  // the plan, for an output written before stacks.json existed).
  const meta = new Map<string, StackMetadata>();
  const plannedById = new Map(all.map((p) => [p.id, p]));
  for (const id of Object.keys(merged.stacks)) {
    const old = kept?.metadata?.get(id);
    const p = plannedById.get(id);
    if (old !== undefined) meta.set(id, old);
    else if (p !== undefined) meta.set(id, metadataOf(p));
  }
  for (const p of planned) meta.set(p.id, metadataOf(p, hashes.get(p.id)));
  writeStackMetadata(options.outdir, meta.values());
  return { planned, reused: reused.map((p) => p.id), inputHashes: hashes };
}

/**
 * Every stack's input hash: its input (stacks/inputs.ts), id, backend and the code, and the
 * input hashes of the stacks it reads from. `planned` lists dependencies first.
 */
export function inputHashes(
  planned: readonly PlannedStack[],
  backend: BackendKind,
  code: string,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of planned) {
    const deps = p.dependsOn.map((d) => `${d}=${out.get(d) ?? "?"}`).sort();
    out.set(
      p.id,
      contentHash({
        code,
        backend,
        id: p.id,
        kind: p.kind,
        scope: p.scope,
        // Destroy mode (fleet.yaml `decommission`) changes the output (prevent_destroy), so it counts.
        mode: p.mode ?? null,
        destroyStateful: p.destroyStateful ?? null,
        input: ownInputHash(p),
        deps,
      }),
    );
  }
  return out;
}

/** The hash of what the stack itself is built from (its input), without code or dependencies. */
export function ownInputHash(p: PlannedStack): string {
  return contentHash(p.input);
}

/**
 * Hard-links the files of `from` into `to` (copies where links are not possible). Entries
 * starting with a dot are not synthesis output but what `terraform init` leaves in a stack's
 * directory (`.terraform/`, `.terraform.lock.hcl`): left behind, as a clean synthesis has none.
 */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.name.startsWith(".")) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

/**
 * The plan, when `outdir` already holds exactly what a full synthesis of `fleet` would write:
 * every stack of the plan and no other, each with its input hash recorded and unchanged and its
 * directory present, the manifest's dependencies as planned, and stacks.json as it would be
 * written. Else undefined. `npm run synth` then leaves the output as it is.
 */
export function currentOutput(
  fleet: Fleet,
  outdir: string,
  backend: BackendKind,
  code = codeHash(PROJECT_ROOT),
): PlannedStack[] | undefined {
  const all = planStacks(fleet);
  assertUniqueIds(all);
  const existing = keptOutput(outdir);
  if (existing.manifest === undefined || existing.metadata === undefined) return undefined;
  if (Object.keys(existing.manifest.stacks).length !== all.length) return undefined;
  const hashes = inputHashes(all, backend, code);
  for (const p of all) {
    const entry = existing.manifest.stacks[p.id] as
      | { workingDirectory?: unknown; dependencies?: unknown }
      | undefined;
    if (entry === undefined || existing.metadata.get(p.id)?.inputHash !== hashes.get(p.id)) return undefined;
    if (JSON.stringify(entry.dependencies) !== JSON.stringify(p.dependsOn)) return undefined;
    if (typeof entry.workingDirectory !== "string" || !existsSync(join(outdir, entry.workingDirectory))) {
      return undefined;
    }
  }
  const metadata = renderStackMetadata(all.map((p) => metadataOf(p, hashes.get(p.id))));
  return readFileSync(join(outdir, STACKS_FILE), "utf8") === metadata ? all : undefined;
}

/** The manifest and metadata of an existing output, when there is one. */
function keptOutput(dir: string): { manifest?: ManifestJson; metadata?: Map<string, StackMetadata> } {
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) return {};
  let manifest: ManifestJson | undefined;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8")) as ManifestJson;
  } catch {
    return {};
  }
  let metadata: Map<string, StackMetadata> | undefined;
  try {
    metadata = readStackMetadata(dir);
  } catch {
    metadata = undefined;
  }
  return { manifest, ...(metadata !== undefined ? { metadata } : {}) };
}

/** Consecutive batches of at most `size` stacks, in plan order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
