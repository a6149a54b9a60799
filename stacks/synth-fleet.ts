/**
 * Synthesizes the fleet in batches, so memory stays bounded however large the fleet grows: each
 * batch is its own cdktf App, synthesized into the shared output directory and then dropped, and
 * the batches' manifests are merged into one `manifest.json` at the end. A batch holds whole
 * dependency groups (an org with its environments, a cluster with its `-k8s` stack), because
 * cdktf records dependencies only between stacks of one App.
 *
 * Errors in one batch do not stop the others: every batch is synthesized and all failures are
 * reported together, as validation does for the fleet definition.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import type { Fleet } from "../fleet/model";
import { assertUniqueIds, type PlannedStack, planStacks, selectStacks } from "./app";
import type { BackendKind, FleetStack } from "./fleet-stack";
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
  const batches = packBatches(dependencyGroups(planned), options.batchSize ?? 200);
  const merged: ManifestJson = { version: "", stacks: {} };
  const failures: string[] = [];
  for (const batch of batches) {
    try {
      const app = new App({ outdir: options.outdir, stackTraces: false });
      const built = new Map<string, FleetStack>();
      for (const p of batch) {
        const stack = p.build(app, options.backend ?? "azurerm");
        for (const dep of p.dependsOn) stack.addDependency(built.get(dep)!);
        built.set(p.id, stack);
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
  writeFileSync(join(options.outdir, "manifest.json"), stableJson(merged));
  return { planned };
}

/** Stacks connected by dependencies, each group in plan order; groups in order of first stack. */
export function dependencyGroups(planned: readonly PlannedStack[]): PlannedStack[][] {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root)!;
    // Path compression keeps this linear over the whole fleet.
    let node = id;
    while (parent.get(node) !== root) {
      const next = parent.get(node)!;
      parent.set(node, root);
      node = next;
    }
    return root;
  };
  for (const p of planned) parent.set(p.id, p.id);
  for (const p of planned) {
    for (const dep of p.dependsOn) {
      if (parent.has(dep)) parent.set(find(p.id), find(dep));
    }
  }
  const groups = new Map<string, PlannedStack[]>();
  for (const p of planned) {
    const root = find(p.id);
    const group = groups.get(root);
    if (group) group.push(p);
    else groups.set(root, [p]);
  }
  return [...groups.values()];
}

/** Packs groups into batches of about `size` stacks, never splitting a group. */
export function packBatches(groups: readonly PlannedStack[][], size: number): PlannedStack[][] {
  const batches: PlannedStack[][] = [];
  let current: PlannedStack[] = [];
  for (const group of groups) {
    if (current.length > 0 && current.length + group.length > size) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length > 0) batches.push(current);
  return batches;
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
