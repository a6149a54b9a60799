/**
 * Stack metadata, once: synth writes `stacks.json` next to cdktf's `manifest.json` with, for
 * every stack, its kind, state scope, org, environment and the stacks it reads from (and so
 * depends on). Everything downstream (affected, diff, matrix, the pipeline, docs, the address
 * lock) reads this file instead of parsing stack ids or planning the fleet again.
 *
 * ```json
 * { "version": 1,
 *   "stacks": { "apps-ttd-at22": { "kind": "apps", "scope": "at22", "environment": "at22", "org": "ttd",
 *                                  "dependsOn": ["org-ttd"], "reads": [{ "stack": "org-ttd", "what": "..." }],
 *                                  "inputHash": "<sha256 of its inputs, code and dependencies' hashes>" } } }
 * ```
 *
 * A decommissioned stack (fleet.yaml `decommission`) also has `"mode": "destroy"` (the plan
 * command runs `terraform plan -destroy` for it) and `"destroyStateful"` (whether its stateful
 * resources lost `prevent_destroy`).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { compareText, stableJson } from "../cli/shared/sorted-json";
import type { PlannedStack } from "./app";

/** The metadata file's name inside the synthesized output directory. */
export const STACKS_FILE = "stacks.json";
export const STACKS_FILE_VERSION = 1;

/** Every kind of stack, in the order they are applied and documented. */
export const STACK_KINDS = [
  "bootstrap",
  "state",
  "org",
  "apps",
  "apps-k8s",
  "platform",
  "platform-k8s",
  "studio",
  "studio-k8s",
  "services",
] as const;

export type StackKind = (typeof STACK_KINDS)[number];

/** What stacks.json records of a planned stack (the fields are documented on `PlannedStack`). */
export type StackMetadata = Pick<
  PlannedStack,
  "id" | "kind" | "scope" | "environment" | "org" | "dependsOn" | "reads" | "mode" | "destroyStateful"
> & {
  /**
   * The hash of everything the stack's output is made from (stacks/synth-fleet.ts
   * `inputHashes`): equal hashes mean equal output. Absent in outputs written before it existed.
   */
  readonly inputHash?: string;
};

export function metadataOf(p: PlannedStack, inputHash?: string): StackMetadata {
  return {
    ...(inputHash !== undefined ? { inputHash } : {}),
    id: p.id,
    kind: p.kind,
    scope: p.scope,
    environment: p.environment,
    ...(p.org !== undefined ? { org: p.org } : {}),
    // Only decommissioned stacks carry these (fleet.yaml `decommission`).
    ...(p.mode !== undefined ? { mode: p.mode, destroyStateful: p.destroyStateful === true } : {}),
    // Sorted, as the manifest lists them.
    dependsOn: [...p.dependsOn].sort(),
    reads: [...p.reads],
  };
}

/** Writes `<outdir>/stacks.json` (keys sorted, so equal metadata gives equal bytes). */
export function writeStackMetadata(outdir: string, entries: Iterable<StackMetadata>): void {
  writeFileSync(join(outdir, STACKS_FILE), renderStackMetadata(entries));
}

/** The text of stacks.json for these entries. */
export function renderStackMetadata(entries: Iterable<StackMetadata>): string {
  const stacks: Record<string, unknown> = {};
  for (const e of [...entries].sort((a, b) => compareText(a.id, b.id))) {
    const { id, ...rest } = e;
    stacks[id] = rest;
  }
  return `${stableJson({ version: STACKS_FILE_VERSION, stacks })}\n`;
}

/**
 * The metadata in `<outdir>/stacks.json`, by stack id; undefined when the output has none (it
 * was synthesized before the file existed). Throws with the path on a malformed file.
 */
export function readStackMetadata(outdir: string): Map<string, StackMetadata> | undefined {
  const file = join(outdir, STACKS_FILE);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message}); synthesize again (npm run synth)`);
  }
  const stacks = (json as { stacks?: unknown } | null)?.stacks;
  if (typeof stacks !== "object" || stacks === null || Array.isArray(stacks)) {
    throw new Error(`${file}: no "stacks" object; synthesize again (npm run synth)`);
  }
  const out = new Map<string, StackMetadata>();
  for (const [id, raw] of Object.entries(stacks as Record<string, unknown>)) {
    const e = raw as Partial<StackMetadata> | null;
    const ok =
      e !== null &&
      typeof e === "object" &&
      (STACK_KINDS as readonly unknown[]).includes(e.kind) &&
      typeof e.scope === "string" &&
      typeof e.environment === "string" &&
      Array.isArray(e.dependsOn) &&
      e.dependsOn.every((d) => typeof d === "string") &&
      (e.mode === undefined || e.mode === "destroy");
    if (!ok) {
      throw new Error(
        `${file}: stack ${id} needs a known kind (${STACK_KINDS.join(", ")}), scope, environment and dependsOn (and mode "destroy" or none); synthesize again (npm run synth)`,
      );
    }
    const { inputHash, ...rest } = e as StackMetadata;
    out.set(id, {
      ...rest,
      ...(typeof inputHash === "string" ? { inputHash } : {}),
      id,
      reads: Array.isArray(e.reads) ? e.reads : [],
    });
  }
  return out;
}
