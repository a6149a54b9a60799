/**
 * The picture of one synthesized stack: its resources and data sources placed in their resource
 * group and network (Azure) or namespace (Kubernetes), and the references between them as edges.
 * Everything is read from the Terraform JSON, so a stack kind nobody wrote a diagram for still
 * gets a truthful one.
 */

import { compareText } from "../cli/shared/sorted-json";
import type { Diagram, DiagramEdge, DiagramGroup, DiagramNode, GroupStyle, NodeStyle } from "./diagram";
import {
  type Address,
  addressKey,
  type Block,
  blockReferences,
  blocksOf,
  isPureReference,
  leafKey,
  parseReferences,
  type StackJson,
  stringAt,
} from "./terraform";
import { plural } from "./text";

export interface GraphNode {
  /** The Terraform address (`azurerm_subnet.x`, `data.azurerm_public_ip.y`, `provider.helm`). */
  readonly key: string;
  /** `outside`: a principal or scope given by id, which no block of this stack manages. */
  readonly kind: "resource" | "data" | "provider" | "outside";
  readonly type: string;
  readonly lines: readonly string[];
  /** `lifecycle.prevent_destroy` is set. */
  readonly stateful: boolean;
  /** The key of the innermost group it is drawn in, if any. */
  readonly group?: string;
}

export interface GraphGroup {
  /** `rg:<address>`, `rg-name:<name>`, `vnet:<address>`, `k8s`, `ns:<namespace>`. */
  readonly key: string;
  readonly parent?: string;
  readonly label: readonly string[];
  readonly style: GroupStyle;
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  readonly fromGroup: boolean;
  readonly toGroup: boolean;
  /** The attributes that hold the reference, or the role of a collapsed role assignment. */
  readonly labels: readonly string[];
  readonly kind: "reference" | "read" | "role" | "association";
}

export interface ResourceGraph {
  readonly nodes: readonly GraphNode[];
  readonly groups: readonly GraphGroup[];
  readonly edges: readonly GraphEdge[];
}

export interface ResourceGraphOptions {
  /**
   * Which stack manages a resource, by `<type>|<name>`: a data source read by name is labelled
   * with the stack it reads from.
   */
  readonly managedBy?: ReadonlyMap<string, string>;
}

/** Types whose blocks are drawn as groups, not nodes. */
const RESOURCE_GROUP = "azurerm_resource_group";
const VIRTUAL_NETWORK = "azurerm_virtual_network";
const ROLE_ASSIGNMENT = "azurerm_role_assignment";
const NAMESPACE_TYPES = new Set(["kubernetes_namespace", "kubernetes_namespace_v1"]);
/**
 * When a resource has no `resource_group_name`, it sits with its parent: the first of these it
 * references, else the first other `*_id` attribute that references a block of this stack.
 */
const PARENT_ATTRIBUTES = ["parent_id", "storage_account_id", "kubernetes_cluster_id", "key_vault_id"];
/** Attributes that only say where a resource lives; drawn as containment, not as an edge. */
const CONTAINMENT: Readonly<Record<string, (targetType: string) => boolean>> = {
  resource_group_name: (t) => t === RESOURCE_GROUP,
  virtual_network_name: (t) => t === VIRTUAL_NETWORK,
  namespace: (t) => NAMESPACE_TYPES.has(t),
};
const K8S_PROVIDERS = new Set(["kubernetes", "helm"]);

export function isKubernetesType(type: string): boolean {
  return K8S_PROVIDERS.has(type.split("_")[0] ?? "");
}

/** `azurerm_kubernetes_cluster_node_pool` → `kubernetes cluster node pool`; `helm_release` stays `helm release`. */
export function shortType(type: string): string {
  const stripped = type.replace(/^(azurerm|azuread|azapi|kubernetes)_/, "").replace(/_v\d+$/, "");
  return stripped.replace(/_/g, " ");
}

interface Entry {
  readonly key: string;
  readonly address: Address;
  readonly block: Block;
}

export function resourceGraph(stack: StackJson, options: ResourceGraphOptions = {}): ResourceGraph {
  const entries: Entry[] = blocksOf(stack).map(({ address, block }) => ({
    key: addressKey(address),
    address,
    block,
  }));
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const isType = (key: string, type: string) => byKey.get(key)?.address.type === type;

  // ---- Groups: resource groups, their virtual networks, the cluster's namespaces
  const groups = new Map<string, GraphGroup>();
  const addGroup = (g: GraphGroup) => {
    if (!groups.has(g.key)) groups.set(g.key, g);
    return g.key;
  };
  for (const e of entries) {
    if (e.address.mode === "resource" && e.address.type === RESOURCE_GROUP) {
      addGroup({ key: `rg:${e.key}`, label: ["resource group", nameOf(e, byKey)], style: "resource-group" });
    }
  }
  const rgByName = new Map<string, string>();
  for (const e of entries) {
    if (e.address.mode === "resource" && e.address.type === RESOURCE_GROUP) {
      const name = stringAt(e.block, "name");
      if (name && !isPureReference(name)) rgByName.set(name, `rg:${e.key}`);
    }
  }

  /** The resource group a block names, managed here or elsewhere. */
  const resourceGroupOf = (e: Entry): string | undefined => {
    const value = stringAt(e.block, "resource_group_name");
    if (value === undefined) return undefined;
    const ref = singleReference(value);
    if (ref && isType(addressKey(ref.target), RESOURCE_GROUP) && ref.target.mode === "resource") {
      return `rg:${addressKey(ref.target)}`;
    }
    if (ref) return undefined;
    const managed = rgByName.get(value);
    if (managed) return managed;
    const owner = options.managedBy?.get(`${RESOURCE_GROUP}|${value}`);
    return addGroup({
      key: `rg-name:${value}`,
      label: ["resource group", owner ? `${value} (${owner})` : `${value} (not in this stack)`],
      style: "external-group",
    });
  };

  for (const e of entries) {
    if (e.address.mode === "resource" && e.address.type === VIRTUAL_NETWORK) {
      const space = stringList(e.block.address_space);
      const parent = resourceGroupOf(e);
      addGroup({
        key: `vnet:${e.key}`,
        ...(parent ? { parent } : {}),
        label: ["virtual network", nameOf(e, byKey), ...(space.length > 0 ? [space.join(", ")] : [])],
        style: "network",
      });
    }
  }

  /** Resource groups and virtual networks are drawn as the boxes around their contents. */
  const groupKeyOfBlock = (e: Entry): string | undefined => {
    if (e.address.mode !== "resource") return undefined;
    if (e.address.type === RESOURCE_GROUP) return `rg:${e.key}`;
    if (e.address.type === VIRTUAL_NETWORK) return `vnet:${e.key}`;
    return undefined;
  };

  // ---- Collapsed blocks: role assignments and associations become edges
  const edges: GraphEdge[] = [];
  const collapsed = new Set<string>();
  /** Principals and scopes given as literal ids: drawn once each, as things this stack does not manage. */
  const outsiders = new Map<string, readonly string[]>();
  const outside = (value: string, lines: readonly string[]): string => {
    const key = `outside:${value}`;
    if (!outsiders.has(key)) outsiders.set(key, lines);
    return key;
  };
  const literal = (e: Entry, attribute: string) => {
    const value = stringAt(e.block, attribute);
    return value !== undefined && !value.includes("${") ? { value } : undefined;
  };
  const targetIn = (e: Entry, attribute: string) => {
    const value = stringAt(e.block, attribute);
    const ref = value === undefined ? undefined : singleReference(value);
    return ref && byKey.has(addressKey(ref.target)) ? ref : undefined;
  };
  for (const e of entries) {
    if (e.address.mode !== "resource") continue;
    if (e.address.type === ROLE_ASSIGNMENT) {
      const principal = targetIn(e, "principal_id") ?? literal(e, "principal_id");
      const scope = targetIn(e, "scope") ?? literal(e, "scope");
      if (!principal || !scope) continue;
      const role = stringAt(e.block, "role_definition_name") ?? "role";
      const via = "target" in principal ? (principal.attribute.split(/[.[]/)[0] ?? "") : "";
      const label = ["principal_id", "object_id", "id", "client_id", ""].includes(via)
        ? role
        : `${role} (${via.replace(/_/g, " ")})`;
      collapsed.add(e.key);
      const principalKey =
        "target" in principal
          ? addressKey(principal.target)
          : outside(principal.value, [
              `${stringAt(e.block, "principal_type") ?? "principal"} (not in this stack)`,
              principal.value,
            ]);
      const scopeKey =
        "target" in scope
          ? addressKey(scope.target)
          : outside(scope.value, ["scope (not in this stack)", scope.value]);
      const scopeEntry = byKey.get(scopeKey);
      const scopeGroup = scopeEntry ? groupKeyOfBlock(scopeEntry) : undefined;
      edges.push({
        ...edgeBetween(principalKey, scopeGroup ?? scopeKey, [label], "role"),
        toGroup: scopeGroup !== undefined,
      });
    } else if (e.address.type.endsWith("_association")) {
      const targets = [
        ...new Set(
          blockReferences(e.block)
            .map((r) => addressKey(r.target))
            .filter((k) => byKey.has(k)),
        ),
      ];
      if (targets.length !== 2) continue;
      // The side named first in the type is the subject: subnet_network_security_group → subnet to NSG.
      const pos = (k: string) =>
        e.address.type.indexOf(shortType(byKey.get(k)!.address.type).replace(/ /g, "_"));
      const [from, to] = [...targets].sort((a, b) => rank(pos(a)) - rank(pos(b)) || compareText(a, b));
      collapsed.add(e.key);
      edges.push(edgeBetween(from!, to!, ["association"], "association"));
    }
  }

  // ---- Placement of every remaining block
  const groupBlocks = new Map<string, string>();
  for (const e of entries) {
    const g = groupKeyOfBlock(e);
    if (g) groupBlocks.set(e.key, g);
  }
  const rgOfGroup = (g: string | undefined): string | undefined => {
    let cur = g;
    while (cur?.startsWith("vnet:")) cur = groups.get(cur)?.parent;
    return cur;
  };

  const kubeClusterName = clusterBehindProviders(stack, byKey);
  const namespaceGroup = (e: Entry): string => {
    addGroup({
      key: "k8s",
      label: ["in-cluster", kubeClusterName ? `Kubernetes API of ${kubeClusterName}` : "Kubernetes API"],
      style: "cluster",
    });
    const ns = namespaceOf(e, byKey);
    return addGroup({
      key: `ns:${ns ?? ""}`,
      parent: "k8s",
      label: ns === undefined ? ["cluster-scoped"] : ["namespace", ns],
      style: "namespace",
    });
  };

  const placement = new Map<string, string | undefined>();
  const placeOf = (e: Entry, seen: Set<string> = new Set()): string | undefined => {
    if (placement.has(e.key)) return placement.get(e.key);
    if (seen.has(e.key)) return undefined;
    seen.add(e.key);
    let place: string | undefined;
    if (groupBlocks.has(e.key)) {
      place = groups.get(groupBlocks.get(e.key)!)?.parent;
    } else if (isKubernetesType(e.address.type)) {
      place = namespaceGroup(e);
    } else {
      const vnet = targetIn(e, "virtual_network_name");
      if (vnet && groupBlocks.get(addressKey(vnet.target))?.startsWith("vnet:")) {
        place = groupBlocks.get(addressKey(vnet.target));
      } else if (stringAt(e.block, "resource_group_name") !== undefined) {
        place = resourceGroupOf(e);
      } else {
        const idAttributes = Object.keys(e.block)
          .filter((k) => k.endsWith("_id") && !PARENT_ATTRIBUTES.includes(k))
          .sort(compareText);
        const parentRef = [...PARENT_ATTRIBUTES, ...idAttributes]
          .map((a) => targetIn(e, a))
          .find((r) => r !== undefined);
        const parent = parentRef ? byKey.get(addressKey(parentRef.target)) : undefined;
        if (parent) {
          place = groupBlocks.get(parent.key)?.startsWith("rg:")
            ? groupBlocks.get(parent.key)
            : rgOfGroup(placeOf(parent, seen));
        }
      }
    }
    placement.set(e.key, place);
    return place;
  };

  const nodes: GraphNode[] = [];
  for (const e of entries) {
    const group = placeOf(e);
    if (groupBlocks.has(e.key) || collapsed.has(e.key)) continue;
    const stateful = flagSet(e.block.lifecycle, "prevent_destroy");
    nodes.push({
      key: e.key,
      kind: e.address.mode,
      type: e.address.type,
      lines: linesOf(e, byKey, options),
      stateful,
      ...(group ? { group } : {}),
    });
  }

  // ---- References between blocks
  const groupOfNode = new Map(nodes.map((n) => [n.key, n.group]));
  const within = (nodeKey: string, groupKey: string): boolean => {
    let cur = groupOfNode.get(nodeKey) ?? groups.get(nodeKey)?.parent;
    while (cur) {
      if (cur === groupKey) return true;
      cur = groups.get(cur)?.parent;
    }
    return false;
  };
  for (const e of entries) {
    if (collapsed.has(e.key)) continue;
    const fromGroup = groupBlocks.get(e.key);
    const from = fromGroup ?? e.key;
    for (const r of blockReferences(e.block)) {
      const targetKey = addressKey(r.target);
      const target = byKey.get(targetKey);
      if (!target || targetKey === e.key || collapsed.has(targetKey)) continue;
      const key = leafKey(r.path);
      const targetGroup = groupBlocks.get(targetKey);
      if (CONTAINMENT[key]?.(target.address.type)) {
        const container = targetGroup ?? groupOfNode.get(targetKey);
        if (container && within(from, container)) continue;
        if (NAMESPACE_TYPES.has(target.address.type)) continue;
      }
      const to = targetGroup ?? targetKey;
      const kind = target.address.mode === "data" ? "read" : "reference";
      edges.push({
        ...edgeBetween(from, to, [key], kind),
        fromGroup: fromGroup !== undefined,
        toGroup: targetGroup !== undefined,
      });
    }
  }

  for (const [key, lines] of outsiders) {
    nodes.push({ key, kind: "outside", type: "", lines, stateful: false });
  }

  // ---- Providers that reach an API through something in this stack (the -k8s stacks' clusters)
  for (const type of Object.keys(stack.provider ?? {}).sort()) {
    const configs = stack.provider?.[type] ?? [];
    for (const [i, config] of configs.entries()) {
      const alias = stringAt(config, "alias");
      const refs = blockReferences(config).filter((r) => byKey.has(addressKey(r.target)));
      if (refs.length === 0) continue;
      const key = `provider.${type}${alias ? `.${alias}` : configs.length > 1 ? `.${i}` : ""}`;
      nodes.push({
        key,
        kind: "provider",
        type,
        lines: ["provider", alias ? `${type} (${alias})` : type],
        stateful: false,
      });
      for (const r of refs) {
        const targetKey = addressKey(r.target);
        const targetGroup = groupBlocks.get(targetKey);
        edges.push({
          ...edgeBetween(key, targetGroup ?? targetKey, [leafKey(r.path)], "read"),
          toGroup: targetGroup !== undefined,
        });
      }
      if (K8S_PROVIDERS.has(type) && groups.has("k8s")) {
        edges.push({ ...edgeBetween(key, "k8s", ["deploys"], "reference"), toGroup: true });
      }
    }
  }

  // Data sources that take no arguments (the client config, the subscription) are read by many
  // resources for ids such as tenant_id: said in their label instead of drawn as edges across
  // the picture.
  const ambient = new Set(
    entries
      .filter((e) => e.address.mode === "data" && Object.keys(e.block).every((k) => k === "//"))
      .map((e) => e.key),
  );
  for (const [i, n] of nodes.entries()) {
    if (!ambient.has(n.key)) continue;
    const readers = edges.filter((e) => e.to === n.key && !e.toGroup);
    if (readers.length === 0) continue;
    const attributes = [...new Set(readers.flatMap((e) => e.labels))].sort(compareText);
    const sources = new Set(readers.map((e) => e.from)).size;
    nodes[i] = {
      ...n,
      lines: [
        n.lines[0]!,
        `read at plan time for the ${attributes.join(", ")} of ${plural(sources, "block")}`,
      ],
    };
  }
  for (let i = edges.length - 1; i >= 0; i--) if (ambient.has(edges[i]!.to)) edges.splice(i, 1);

  // A resource group or network that is an edge's end (a role's scope, say) is also drawn as a
  // node inside its own box: an arrow to a box from something inside it would point nowhere.
  const blockOfGroup = new Map([...groupBlocks].map(([block, group]) => [group, block]));
  const asNode = (groupKey: string): string => {
    const blockKey = blockOfGroup.get(groupKey)!;
    if (!nodes.some((n) => n.key === blockKey)) {
      const e = byKey.get(blockKey)!;
      nodes.push({
        key: blockKey,
        kind: "resource",
        type: e.address.type,
        lines: [shortType(e.address.type), nameOf(e, byKey)],
        stateful: flagSet(e.block.lifecycle, "prevent_destroy"),
        group: groupKey,
      });
    }
    return blockKey;
  };
  const resolved = edges.map((e) => {
    const fromBlock = e.fromGroup && blockOfGroup.has(e.from);
    const toBlock = e.toGroup && blockOfGroup.has(e.to);
    return {
      ...e,
      from: fromBlock ? asNode(e.from) : e.from,
      to: toBlock ? asNode(e.to) : e.to,
      fromGroup: e.fromGroup && !fromBlock,
      toGroup: e.toGroup && !toBlock,
    };
  });

  return {
    nodes: nodes.sort((a, b) => compareText(a.key, b.key)),
    groups: [...groups.values()].sort((a, b) => compareText(a.key, b.key)),
    edges: mergeEdges(resolved),
  };
}

function rank(pos: number): number {
  return pos < 0 ? Number.MAX_SAFE_INTEGER : pos;
}

function edgeBetween(from: string, to: string, labels: string[], kind: GraphEdge["kind"]): GraphEdge {
  return { from, to, fromGroup: false, toGroup: false, labels, kind };
}

/** One edge per pair and kind, with the attribute names of all references joined. */
function mergeEdges(edges: readonly GraphEdge[]): GraphEdge[] {
  const byPair = new Map<string, GraphEdge>();
  for (const e of edges) {
    const k = `${e.from}\0${e.to}\0${e.kind}`;
    const prev = byPair.get(k);
    byPair.set(
      k,
      prev
        ? { ...prev, labels: [...new Set([...prev.labels, ...e.labels])].sort() }
        : { ...e, labels: [...e.labels] },
    );
  }
  return [...byPair.values()].sort(
    (a, b) => compareText(a.from, b.from) || compareText(a.to, b.to) || compareText(a.kind, b.kind),
  );
}

/** The one reference a string consists of (`"${azurerm_resource_group.x.name}"`), if that is all it is. */
function singleReference(value: string) {
  if (!isPureReference(value)) return undefined;
  const refs = parseReferences(value);
  return refs.length === 1 ? refs[0] : undefined;
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

function flagSet(v: unknown, key: string): boolean {
  if (Array.isArray(v)) return v.some((x) => flagSet(x, key));
  return v !== null && typeof v === "object" && (v as Record<string, unknown>)[key] === true;
}

/** The name a block has in Azure or Kubernetes, resolving a reference to another block's name. */
function nameOf(e: Entry, byKey: ReadonlyMap<string, Entry>, depth = 0): string {
  for (const path of ["name", "metadata.name"]) {
    const v = stringAt(e.block, path);
    if (v === undefined) continue;
    if (!v.includes("${")) return v;
    const ref = singleReference(v);
    const target = ref ? byKey.get(addressKey(ref.target)) : undefined;
    if (target && depth < 3) return nameOf(target, byKey, depth + 1);
  }
  // No name of its own: the construct's id is the most readable thing left.
  const path = stringAt(e.block, "//.metadata.path");
  if (path) return path.split("/").slice(1).join("/");
  return e.address.name.replace(/_[0-9A-F]{8}$/, "");
}

function linesOf(e: Entry, byKey: ReadonlyMap<string, Entry>, options: ResourceGraphOptions): string[] {
  const kind = shortType(e.address.type);
  if (e.address.mode === "data") {
    const name = stringAt(e.block, "name");
    if (name === undefined) return [`${kind} (data source)`, "read at plan time"];
    const from = options.managedBy?.get(`${e.address.type}|${name}`);
    return [`${kind} (data source)`, name, from ? `read by name from ${from}` : "read by name"];
  }
  const name = nameOf(e, byKey);
  const lines = [kind];
  const zone = stringAt(e.block, "zone_name");
  const zoneRef = zone === undefined ? undefined : singleReference(zone);
  const zoneEntry = zoneRef ? byKey.get(addressKey(zoneRef.target)) : undefined;
  if (zoneEntry) {
    // DNS records: the full name is what matters, not `@` or `*`.
    const zoneName = nameOf(zoneEntry, byKey);
    lines.push(name === "@" ? zoneName : `${name}.${zoneName}`);
  } else {
    lines.push(name);
  }
  const prefixes = stringList(e.block.address_prefixes);
  if (prefixes.length > 0) lines.push(prefixes.join(", "));
  const chart = stringAt(e.block, "chart");
  if (chart && e.address.type === "helm_release") {
    const version = stringAt(e.block, "version");
    lines.push(`chart ${chart}${version ? ` ${version}` : ""}`);
  }
  return lines;
}

/** The namespace a Kubernetes block lives in; undefined for cluster-scoped ones. */
function namespaceOf(e: Entry, byKey: ReadonlyMap<string, Entry>): string | undefined {
  if (NAMESPACE_TYPES.has(e.address.type)) return nameOf(e, byKey);
  const value = stringAt(e.block, "metadata.namespace") ?? stringAt(e.block, "namespace");
  if (value === undefined) return undefined;
  const ref = singleReference(value);
  if (!ref) return value;
  const target = byKey.get(addressKey(ref.target));
  return target ? nameOf(target, byKey) : value;
}

/** The name of the cluster the kubernetes/helm providers connect to, if they read it from a block here. */
function clusterBehindProviders(stack: StackJson, byKey: ReadonlyMap<string, Entry>): string | undefined {
  for (const type of [...K8S_PROVIDERS].sort()) {
    for (const config of stack.provider?.[type] ?? []) {
      for (const r of blockReferences(config)) {
        const target = byKey.get(addressKey(r.target));
        if (target) return nameOf(target, byKey);
      }
    }
  }
  return undefined;
}

// ---- To a diagram

/** Ids both Mermaid and Graphviz accept, unique per diagram. */
export class IdMap {
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>();

  constructor(private readonly prefix: string) {}

  of(key: string): string {
    const known = this.ids.get(key);
    if (known) return known;
    const readable = key
      .replace(/_[0-9A-F]{8}(?=$|\.)/g, "")
      .replace(/(^|[.:])(azurerm|kubernetes)_/g, "$1")
      .replace(/[^A-Za-z0-9]+/g, "_");
    const base = `${this.prefix}${readable}`;
    let id = base;
    for (let i = 2; this.used.has(id); i++) id = `${base}_${i}`;
    this.used.add(id);
    this.ids.set(key, id);
    return id;
  }
}

export function resourceDiagram(graph: ResourceGraph, title: string): Diagram {
  const nodeIds = new IdMap("n_");
  const groupIds = new IdMap("g_");
  const nodes: DiagramNode[] = graph.nodes.map((n) => ({
    id: nodeIds.of(n.key),
    lines: n.lines,
    style: styleOf(n),
  }));
  const children = new Map<string | undefined, GraphGroup[]>();
  for (const g of graph.groups) children.set(g.parent, [...(children.get(g.parent) ?? []), g]);
  const build = (g: GraphGroup): DiagramGroup => ({
    id: groupIds.of(g.key),
    label: g.label,
    style: g.style,
    nodes: graph.nodes.filter((n) => n.group === g.key).map((n) => nodeIds.of(n.key)),
    groups: (children.get(g.key) ?? []).map(build),
  });
  const edges: DiagramEdge[] = graph.edges.map((e) => ({
    from: e.fromGroup ? groupIds.of(e.from) : nodeIds.of(e.from),
    to: e.toGroup ? groupIds.of(e.to) : nodeIds.of(e.to),
    ...(e.fromGroup ? { fromGroup: true } : {}),
    ...(e.toGroup ? { toGroup: true } : {}),
    ...(e.labels.length > 0 ? { label: e.labels.join(", ") } : {}),
    style: e.kind === "role" ? "rbac" : e.kind === "read" ? "dashed" : "solid",
    // Laid out against the arrow: a subnet's security group sits beside the subnet rather than
    // pushing it left of the network's other subnets, and what a provider connects through
    // comes before the provider, so the picture reads cluster → provider → what it deploys.
    ...(e.kind === "association" || (e.from.startsWith("provider.") && !e.toGroup)
      ? { rankBackwards: true }
      : {}),
  }));
  return { title, direction: "LR", nodes, groups: (children.get(undefined) ?? []).map(build), edges };
}

function styleOf(n: GraphNode): NodeStyle {
  if (n.kind === "data" || n.kind === "outside") return "data";
  if (n.kind === "provider") return "provider";
  return n.stateful ? "stateful" : "resource";
}
