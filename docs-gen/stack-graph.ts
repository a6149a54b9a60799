/**
 * The stacks of one environment and the order they are applied in (manifest dependencies).
 * An environment with a few orgs gets one row per org; one with many gets one node per kind of
 * per-org stack (`apps-{org}-prod × 53`), with edge labels wherever not every org's stack has
 * the dependency, so collapsing never hides an exception.
 */

import { compareText } from "../cli/shared/sorted-json";
import type { Diagram, DiagramEdge, DiagramGroup, DiagramNode } from "./diagram";
import { IdMap } from "./resource-graph";

export interface StackInfo {
  readonly id: string;
  readonly kind: string;
  /** Environment token, or `shared` for stacks that serve every environment. */
  readonly environment: string;
  readonly dependencies: readonly string[];
  /** The org the stack belongs to (stacks.json). */
  readonly org?: string;
}

export interface EnvironmentDiagramOptions {
  /** More orgs than this and per-org stacks are drawn as one node per kind. @default 8 */
  readonly maxRows?: number;
}

/** `apps-ttd-prod-k8s` → `apps-{org}-prod-k8s`. */
export function familyOf(id: string, org: string): string {
  const [kind, ...rest] = id.split("-");
  const tail = `-${rest.join("-")}-`.replace(`-${org}-`, "-{org}-");
  return `${kind}${tail.slice(0, -1)}`;
}

export function environmentDiagram(
  environment: string,
  all: readonly StackInfo[],
  options: EnvironmentDiagramOptions = {},
): Diagram {
  const maxRows = options.maxRows ?? 8;
  const byId = new Map(all.map((s) => [s.id, s]));
  const here = all.filter((s) => s.environment === environment);
  const hereIds = new Set(here.map((s) => s.id));
  const external = [...new Set(here.flatMap((s) => s.dependencies))]
    .filter((id) => !hereIds.has(id))
    .sort()
    .map((id) => byId.get(id) ?? { id, kind: "?", environment: "?", dependencies: [] });
  const shown = [...here, ...external];
  const orgOf = new Map(shown.map((s) => [s.id, s.org]));
  const orgs = [
    ...new Set(here.map((s) => orgOf.get(s.id)).filter((o): o is string => o !== undefined)),
  ].sort();
  const ids = new IdMap("s_");
  const rowIds = new IdMap("row_");
  const title =
    environment === "shared"
      ? "Stacks that serve every environment (state scope shared): arrows point in apply order"
      : `Stacks of environment ${environment}: arrows point in apply order`;

  const edgesOf = (mapId: (id: string) => string) => {
    const counts = new Map<string, number>();
    for (const s of here) {
      for (const dep of s.dependencies) {
        const k = `${mapId(dep)}\0${mapId(s.id)}`;
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
    }
    return counts;
  };

  if (orgs.length <= maxRows) {
    const nodes: DiagramNode[] = shown.map((s) => ({
      id: ids.of(s.id),
      lines: hereIds.has(s.id) ? [s.id, s.kind] : [s.id, `${s.kind}, ${s.environment}`],
      style: hereIds.has(s.id) ? "stack" : "external-stack",
    }));
    const groups: DiagramGroup[] = orgs.map((org) => ({
      id: rowIds.of(org),
      label: [`org ${org}`],
      style: "row",
      // Stacks of other environments first: they are applied first.
      nodes: [...external, ...here].filter((s) => orgOf.get(s.id) === org).map((s) => ids.of(s.id)),
      groups: [],
    }));
    const edges: DiagramEdge[] = [...edgesOf((id) => id).keys()].sort().map((k) => {
      const [from, to] = k.split("\0") as [string, string];
      return { from: ids.of(from), to: ids.of(to), style: "solid" };
    });
    return { title, direction: "LR", nodes, groups, edges };
  }

  // Many orgs: one node per family of per-org stacks.
  const familyKey = (id: string) => {
    const org = orgOf.get(id);
    return org ? familyOf(id, org) : id;
  };
  const members = new Map<string, StackInfo[]>();
  for (const s of shown) members.set(familyKey(s.id), [...(members.get(familyKey(s.id)) ?? []), s]);
  const nodes: DiagramNode[] = [...members.keys()].sort().map((key) => {
    const list = members.get(key)!;
    const first = list[0]!;
    const isHere = hereIds.has(first.id);
    const where = isHere ? first.kind : `${first.kind}, ${first.environment}`;
    const lines =
      key === first.id && list.length === 1
        ? [key, where]
        : [key, `${where}: ${list.length} stacks, one per org`];
    return { id: ids.of(key), lines, style: isHere ? "stack" : "external-stack" };
  });
  const edges: DiagramEdge[] = [];
  for (const [k, count] of [...edgesOf(familyKey).entries()].sort(([a], [b]) => compareText(a, b))) {
    const [from, to] = k.split("\0") as [string, string];
    const size = members.get(to)?.length ?? 0;
    edges.push({
      from: ids.of(from),
      to: ids.of(to),
      style: "solid",
      ...(count < size ? { label: `${count} of ${size}` } : {}),
    });
  }
  nodes.push({ id: ids.of("orgs note"), lines: [`${orgs.length} orgs`, ...wrap(orgs, 12)], style: "note" });
  return { title, direction: "LR", nodes, groups: [], edges };
}

function wrap(words: readonly string[], perLine: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i += perLine) out.push(words.slice(i, i + perLine).join(" "));
  return out;
}
