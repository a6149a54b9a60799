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
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import type { Fleet } from "../fleet/model";
import { assertUniqueIds, type PlannedStack, planStacks, selectStacks } from "./app";
import type { BackendKind } from "./fleet-stack";
import { disableTokenStackTraces } from "./token-traces";

export interface SynthFleetOptions {
  readonly outdir: string;
  readonly backend?: BackendKind;
  readonly select?: readonly string[];
  /** Stacks per App; whole dependency groups are never split. @default 200 */
  readonly batchSize?: number;
}

export interface SynthFleetResult {
  readonly planned: readonly PlannedStack[];
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
  const planned = selectStacks(all, options.select ?? []);
  const batches = chunk(planned, options.batchSize ?? 200);
  const merged: ManifestJson = { version: "", stacks: {} };
  const failures: string[] = [];
  for (const batch of batches) {
    try {
      const app = new App({ outdir: options.outdir, stackTraces: false });
      for (const p of batch) p.build(app, options.backend ?? "azurerm");
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
  return { planned };
}

/** Consecutive batches of at most `size` stacks, in plan order. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** JSON with keys sorted at every level and two-space indent, as cdktf writes its manifest. */
function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v !== null && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      );
    }
    return v;
  };
  return JSON.stringify(sort(value), null, 2);
}
