/**
 * What the docs are generated from: the synthesized output (manifest and each stack's JSON) and
 * the fleet model. Nothing else, so the same input always gives the same bytes.
 */

import { compareText } from "../cli/shared/sorted-json";
import type { Fleet } from "../fleet/model";
import { STACK_KINDS } from "../stacks/metadata";
import type { StackInfo } from "./stack-graph";
import type { Manifest, StackJson } from "./terraform";

export interface PlannedStackInfo {
  readonly id: string;
  readonly kind: string;
  readonly environment: string;
  readonly org?: string;
}

export interface DocsInput {
  readonly manifest: Manifest;
  /** Each stack's `cdk.tf.json`, by stack id. */
  readonly stacks: ReadonlyMap<string, StackJson>;
  readonly fleet: Fleet;
  /**
   * Kind and environment of each stack, from the output's stacks.json (stacks/metadata.ts);
   * every stack of the manifest must be listed.
   */
  readonly planned?: readonly PlannedStackInfo[];
  /**
   * Example fleets (examples/<name>/) whose stacks stand in for kinds the fleet itself does not
   * have (e.g. `services`), so every kind has its picture.
   */
  readonly examples?: readonly { readonly name: string; readonly input: DocsInput }[];
}

export interface DocsStack extends StackInfo {
  readonly json: StackJson;
}

/** The order kinds are documented in; kinds not listed follow, alphabetically. */
export const KIND_ORDER: readonly string[] = STACK_KINDS;

export function compareKinds(a: string, b: string): number {
  const ia = KIND_ORDER.indexOf(a);
  const ib = KIND_ORDER.indexOf(b);
  if (ia >= 0 && ib >= 0) return ia - ib;
  if (ia >= 0 || ib >= 0) return ia >= 0 ? -1 : 1;
  return compareText(a, b);
}

/** Every stack of the manifest with its kind, environment and JSON, sorted by id. */
export function docsStacks(input: DocsInput): DocsStack[] {
  const planned = new Map((input.planned ?? []).map((p) => [p.id, p]));
  return Object.keys(input.manifest.stacks)
    .sort(compareText)
    .map((id) => {
      const json = input.stacks.get(id);
      if (!json) throw new Error(`manifest lists stack ${id}, but its cdk.tf.json was not given`);
      const p = planned.get(id);
      if (!p)
        throw new Error(`manifest lists stack ${id}, but stacks.json has no kind and environment for it`);
      return {
        id,
        kind: p.kind,
        environment: p.environment,
        ...(p.org !== undefined ? { org: p.org } : {}),
        dependencies: [...(input.manifest.stacks[id]?.dependencies ?? [])].sort(compareText),
        json,
      };
    });
}

/**
 * Environments (state scopes) in apply order: the bootstrap, the state containers, the shared stacks, the fleet's
 * environments, Studio's, then any others alphabetically.
 */
export function environmentOrder(fleet: Fleet, stacks: readonly StackInfo[]): string[] {
  const known = [
    ...new Set([
      "bootstrap",
      "state",
      "shared",
      ...fleet.environments.map((e) => e.token),
      ...(fleet.studios ?? []).map((s) => s.environment.token),
    ]),
  ];
  const present = new Set(stacks.map((s) => s.environment));
  return [
    ...known.filter((e) => present.has(e)),
    ...[...present].filter((e) => !known.includes(e)).sort(compareText),
  ];
}
