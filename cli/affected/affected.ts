/**
 * Which stacks a change affects: the stacks whose normalized Terraform JSON differs between a
 * base and a head synthesis (added, removed or changed), plus every stack that depends on one
 * of them, directly or transitively. Listed in dependency order.
 */
import { inScope, StackGraph } from "../shared/manifest";
import type { StackOutputs } from "../shared/synth-output";

export interface AffectedResult {
  /** Stacks present in head whose JSON differs from base, including new ones (see `added`). */
  readonly changed: readonly string[];
  /** The new stacks (a subset of `changed`). */
  readonly added: readonly string[];
  /** Stacks in base only. Nothing plans them: their resources stay until destroyed deliberately. */
  readonly removed: readonly string[];
  /** Unchanged stacks that depend on a changed, added or removed one (transitively). */
  readonly dependents: readonly string[];
  /** changed ∪ removed ∪ dependents, in dependency order (by wave, then id). */
  readonly all: readonly string[];
}

export interface AffectedOptions {
  /** Keep only the stacks of this state scope (stacks.json; `shared` = org registries and services-* stacks). */
  readonly env?: string;
}

export function compareOutputs(
  base: StackOutputs,
  head: StackOutputs,
  options: AffectedOptions = {},
): AffectedResult {
  const added: string[] = [];
  const changed: string[] = [];
  for (const id of head.stackIds) {
    if (!base.has(id)) {
      added.push(id);
      changed.push(id);
    } else if (base.canonical(id) !== head.canonical(id) || modeOf(base, id) !== modeOf(head, id)) {
      // A stack decommissioned (stacks.json "mode": "destroy") is planned again even when its
      // configuration stayed the same.
      changed.push(id);
    }
  }
  const removed = base.stackIds.filter((id) => !head.has(id));

  const headGraph = head.manifest.graph;
  const dependents = headGraph.transitiveDependents(changed);
  // A removed stack's former dependents still in head: their remote-state reads changed too.
  for (const id of base.manifest.graph.transitiveDependents(removed)) {
    if (head.has(id)) dependents.add(id);
  }
  for (const id of [...changed, ...removed]) dependents.delete(id);

  const order = orderAcross(head, base, removed);
  const env = options.env;
  const sorted = (ids: Iterable<string>) => inScope(order(ids), env, head.manifest, base.manifest);
  return {
    changed: sorted(changed),
    added: sorted(added),
    removed: sorted(removed),
    dependents: sorted(dependents),
    all: sorted([...changed, ...removed, ...dependents]),
  };
}

/** The stack's plan mode in an output: `destroy` for a decommissioned stack. */
export function modeOf(output: StackOutputs, id: string): string | undefined {
  return output.manifest.metadata?.get(id)?.mode;
}

/**
 * Dependency order over head's stacks and the removed ones: head's edges for head stacks,
 * base's edges (to stacks that still exist or are removed too) for removed stacks.
 */
function orderAcross(head: StackOutputs, base: StackOutputs, removed: readonly string[]) {
  const deps = new Map<string, readonly string[]>();
  for (const id of head.stackIds) deps.set(id, head.manifest.graph.dependenciesOf(id));
  const removedSet = new Set(removed);
  for (const id of removed) {
    deps.set(
      id,
      base.manifest.graph.dependenciesOf(id).filter((d) => head.has(d) || removedSet.has(d)),
    );
  }
  const graph = new StackGraph(deps);
  return (ids: Iterable<string>) => graph.order(ids);
}
