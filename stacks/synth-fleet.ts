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
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { stableJson } from "../cli/sorted-json";
import type { Fleet } from "../fleet/model";
import { assertUniqueIds, type PlannedStack, planStacks, selectStacks } from "./app";
import type { BackendKind } from "./fleet-stack";
import { metadataOf, readStackMetadata, type StackMetadata, writeStackMetadata } from "./metadata";
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
}

export interface SynthFleetResult {
  readonly planned: readonly PlannedStack[];
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
  const all = planStacks(fleet);
  assertUniqueIds(all);
  const select = options.select ?? [];
  const planned = selectStacks(all, select);
  if (select.length > 0 && planned.length === 0) throw new NoStacksSelectedError(select, all);
  // Read before the batches overwrite the manifest (keepFrom may be outdir itself).
  const kept = select.length > 0 && options.keepFrom !== undefined ? keptOutput(options.keepFrom) : undefined;
  const batches = chunk(planned, options.batchSize ?? 200);
  const merged: ManifestJson = { version: "", stacks: { ...kept?.manifest?.stacks } };
  const failures: string[] = [];
  for (const batch of batches) {
    try {
      const app = new App({ outdir: options.outdir, stackTraces: false });
      for (const p of batch) {
        const stack = p.build(app, options.backend ?? "azurerm");
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
  for (const p of planned) meta.set(p.id, metadataOf(p));
  writeStackMetadata(options.outdir, meta.values());
  return { planned };
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
