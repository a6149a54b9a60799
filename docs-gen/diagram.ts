/**
 * A small diagram model (nested groups, nodes, edges) with two renderings: Mermaid, for the
 * wiki, and Graphviz DOT, for the SVGs. The graph extraction never writes either syntax itself.
 */

/** How a node is drawn; the legend in docs/architecture/README.md explains each. */
export type NodeStyle =
  /** A resource this stack manages. */
  | "resource"
  /** A resource with `prevent_destroy`: state that must never be replaced by accident. */
  | "stateful"
  /** A data source: read, not managed. */
  | "data"
  /** A provider configuration (how the stack reaches an API). */
  | "provider"
  /** A stack in a stack graph. */
  | "stack"
  /** A stack of another environment that this one depends on. */
  | "external-stack"
  /** Free text. */
  | "note";

export type GroupStyle = "resource-group" | "external-group" | "network" | "cluster" | "namespace" | "row";

/** `dashed`: reads a data source; `rbac`: a role assignment, drawn as an edge from principal to scope. */
export type EdgeStyle = "solid" | "dashed" | "rbac";

export interface DiagramNode {
  readonly id: string;
  /** First line is the kind (`kubernetes cluster`), the rest are names and details. */
  readonly lines: readonly string[];
  readonly style: NodeStyle;
}

export interface DiagramGroup {
  readonly id: string;
  readonly label: readonly string[];
  readonly style: GroupStyle;
  readonly nodes: readonly string[];
  readonly groups: readonly DiagramGroup[];
}

export interface DiagramEdge {
  /** A node id, or a group id when `fromGroup` is set. */
  readonly from: string;
  readonly fromGroup?: boolean;
  /** A node id, or a group id when `toGroup` is set. */
  readonly to: string;
  readonly toGroup?: boolean;
  readonly label?: string;
  readonly style: EdgeStyle;
  /**
   * Lay the edge out as if it pointed the other way (Graphviz `dir=back`), so its head is ranked
   * before its tail; it is still drawn pointing at `to`.
   */
  readonly rankBackwards?: boolean;
}

export interface Diagram {
  readonly title: string;
  readonly direction: "LR" | "TB";
  readonly nodes: readonly DiagramNode[];
  /** Top-level groups; nodes not in any group are drawn at the top level. */
  readonly groups: readonly DiagramGroup[];
  readonly edges: readonly DiagramEdge[];
}

// ---- Mermaid

const MERMAID_CLASSES: Readonly<Record<NodeStyle, string>> = {
  resource: "fill:#ffffff,stroke:#4a5a70,color:#1b2533",
  stateful: "fill:#ffffff,stroke:#1b2533,stroke-width:3px,color:#1b2533",
  data: "fill:#f7f7f7,stroke:#7a7a7a,stroke-dasharray:5 4,color:#333333",
  provider: "fill:#eef0ff,stroke:#5560a8,color:#1b2533",
  stack: "fill:#ffffff,stroke:#4a5a70,color:#1b2533",
  "external-stack": "fill:#f7f7f7,stroke:#7a7a7a,stroke-dasharray:5 4,color:#333333",
  note: "fill:#fffbe6,stroke:#c9b458,color:#333333",
};

const MERMAID_GROUPS: Readonly<Record<GroupStyle, string>> = {
  "resource-group": "fill:#f3f7fd,stroke:#6b8fc7",
  "external-group": "fill:#ffffff,stroke:#9a9a9a,stroke-dasharray:5 4",
  network: "fill:#eef8ee,stroke:#5c9a5c",
  cluster: "fill:#f6f2ff,stroke:#8064c8",
  namespace: "fill:#fff6e6,stroke:#c99a3c",
  row: "fill:#fafafa,stroke:#c8c8c8",
};

/** Mermaid text must not contain its own syntax: quotes and angle brackets become entities. */
function mermaidText(s: string): string {
  return s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;");
}

export function toMermaid(d: Diagram): string {
  const out: string[] = [];
  // `graph` rather than `flowchart`: the same renderer, and older Mermaid builds (Azure DevOps)
  // know only `graph`.
  out.push(`graph ${d.direction}`);
  out.push(`  %% ${d.title}`);
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  const placed = new Set<string>();
  const node = (id: string, indent: string) => {
    const n = byId.get(id);
    if (!n) throw new Error(`diagram "${d.title}": group refers to unknown node ${id}`);
    placed.add(id);
    out.push(`${indent}${id}["${n.lines.map(mermaidText).join("<br/>")}"]:::${classOf(n.style)}`);
  };
  const groupStyles: string[] = [];
  const group = (g: DiagramGroup, indent: string) => {
    // No `direction` inside: groups follow the diagram's, as in the Graphviz rendering.
    out.push(`${indent}subgraph ${g.id}["${g.label.map(mermaidText).join("<br/>")}"]`);
    for (const child of g.groups) group(child, `${indent}  `);
    for (const id of g.nodes) node(id, `${indent}  `);
    out.push(`${indent}end`);
    groupStyles.push(`style ${g.id} ${MERMAID_GROUPS[g.style]}`);
  };
  for (const g of d.groups) group(g, "  ");
  for (const n of d.nodes) if (!placed.has(n.id)) node(n.id, "  ");
  const rbac: number[] = [];
  for (const [i, e] of d.edges.entries()) {
    const arrow = e.style === "dashed" ? "-.->" : e.style === "rbac" ? "==>" : "-->";
    const label = e.label ? `|"${mermaidText(e.label)}"|` : "";
    out.push(`  ${e.from} ${arrow}${label} ${e.to}`);
    if (e.style === "rbac") rbac.push(i);
  }
  if (rbac.length > 0) out.push(`  linkStyle ${rbac.join(",")} stroke:#b35c1e,color:#b35c1e`);
  const used = [...new Set(d.nodes.map((n) => n.style))].sort();
  for (const s of used) out.push(`  classDef ${classOf(s)} ${MERMAID_CLASSES[s]}`);
  for (const s of groupStyles) out.push(`  ${s}`);
  return `${out.join("\n")}\n`;
}

function classOf(s: NodeStyle): string {
  return s.replace(/-/g, "_");
}

// ---- Graphviz DOT

interface DotNodeLook {
  readonly shape: string;
  readonly style: string;
  readonly color: string;
  readonly fill: string;
  readonly penwidth: number;
}

const DOT_NODES: Readonly<Record<NodeStyle, DotNodeLook>> = {
  resource: { shape: "box", style: "rounded,filled", color: "#4a5a70", fill: "#ffffff", penwidth: 1 },
  stateful: { shape: "box", style: "rounded,filled", color: "#1b2533", fill: "#ffffff", penwidth: 2.5 },
  data: { shape: "box", style: "rounded,dashed,filled", color: "#7a7a7a", fill: "#f7f7f7", penwidth: 1.2 },
  provider: { shape: "component", style: "filled", color: "#5560a8", fill: "#eef0ff", penwidth: 1 },
  stack: { shape: "box", style: "rounded,filled", color: "#4a5a70", fill: "#ffffff", penwidth: 1.2 },
  "external-stack": {
    shape: "box",
    style: "rounded,dashed,filled",
    color: "#7a7a7a",
    fill: "#f7f7f7",
    penwidth: 1.2,
  },
  note: { shape: "note", style: "filled", color: "#c9b458", fill: "#fffbe6", penwidth: 1 },
};

const DOT_GROUPS: Readonly<Record<GroupStyle, { style: string; color: string; fill: string }>> = {
  "resource-group": { style: "rounded,filled", color: "#6b8fc7", fill: "#f3f7fd" },
  "external-group": { style: "rounded,dashed", color: "#9a9a9a", fill: "#ffffff" },
  network: { style: "rounded,filled", color: "#5c9a5c", fill: "#eef8ee" },
  cluster: { style: "rounded,filled", color: "#8064c8", fill: "#f6f2ff" },
  namespace: { style: "rounded,filled", color: "#c99a3c", fill: "#fff6e6" },
  row: { style: "rounded,filled", color: "#c8c8c8", fill: "#fafafa" },
};

// Verdana: Graphviz knows its metrics, and where it is missing the usual fallback (DejaVu Sans) is
// as wide, so labels never overflow their boxes; narrower fallbacks only leave a little room.
export const FONT = "Verdana";

function dotString(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function html(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** A node label: the kind small and grey, the names below it in the normal size. */
function dotNodeLabel(n: DiagramNode): string {
  if (n.style === "note" || n.style === "stack" || n.style === "external-stack") {
    const [first, ...rest] = n.lines;
    const head = `<b>${html(first ?? "")}</b>`;
    return `<${[head, ...rest.map((l) => `<font point-size="9" color="#555555">${html(l)}</font>`)].join("<br/>")}>`;
  }
  const [kind, ...rest] = n.lines;
  const parts = [`<font point-size="8.5" color="#5a6675">${html(kind ?? "")}</font>`];
  for (const [i, l] of rest.entries()) {
    parts.push(i === 0 ? html(l) : `<font point-size="8.5" color="#5a6675">${html(l)}</font>`);
  }
  return `<${parts.join("<br/>")}>`;
}

function dotGroupLabel(g: DiagramGroup): string {
  const [first, ...rest] = g.label;
  const parts = [`<b>${html(first ?? "")}</b>`, ...rest.map((l) => `<font point-size="9">${html(l)}</font>`)];
  return `<${parts.join("<br/>")}>`;
}

export function toDot(d: Diagram): string {
  const out: string[] = [];
  out.push("digraph G {");
  out.push(
    `  graph [rankdir=${d.direction}, compound=true, fontname=${dotString(FONT)}, fontsize=11, ` +
      `nodesep=0.25, ranksep=0.45, pad=0.2, labelloc=t, labeljust=l, ` +
      `label=${dotString(d.title)}];`,
  );
  out.push(`  node [fontname=${dotString(FONT)}, fontsize=10, margin="0.12,0.05", height=0.3];`);
  out.push(
    `  edge [fontname=${dotString(FONT)}, fontsize=8, color="#6a7585", fontcolor="#4a5563", arrowsize=0.6];`,
  );
  const byId = new Map(d.nodes.map((n) => [n.id, n]));
  const placed = new Set<string>();
  // Graphviz needs a node inside a cluster to point an edge at it (`lhead`).
  const anchorOf = new Map<string, string>();
  const firstNode = (g: DiagramGroup): string | undefined =>
    g.nodes[0] ?? g.groups.map(firstNode).find((x) => x !== undefined);
  const node = (id: string, indent: string) => {
    const n = byId.get(id);
    if (!n) throw new Error(`diagram "${d.title}": group refers to unknown node ${id}`);
    placed.add(id);
    const look = DOT_NODES[n.style];
    out.push(
      `${indent}${id} [label=${dotNodeLabel(n)}, shape=${look.shape}, style=${dotString(look.style)}, ` +
        `color=${dotString(look.color)}, fillcolor=${dotString(look.fill)}, penwidth=${look.penwidth}];`,
    );
  };
  const group = (g: DiagramGroup, indent: string) => {
    const anchor = firstNode(g);
    if (anchor) anchorOf.set(g.id, anchor);
    const look = DOT_GROUPS[g.style];
    out.push(`${indent}subgraph cluster_${g.id} {`);
    out.push(
      `${indent}  graph [label=${dotGroupLabel(g)}, style=${dotString(look.style)}, ` +
        `color=${dotString(look.color)}, fillcolor=${dotString(look.fill)}, fontsize=10, margin=10];`,
    );
    for (const child of g.groups) group(child, `${indent}  `);
    for (const id of g.nodes) node(id, `${indent}  `);
    out.push(`${indent}}`);
  };
  for (const g of d.groups) group(g, "  ");
  for (const n of d.nodes) if (!placed.has(n.id)) node(n.id, "  ");
  for (const e of d.edges) {
    const attrs: string[] = [];
    let from = e.from;
    let to = e.to;
    if (e.fromGroup) {
      const anchor = anchorOf.get(e.from);
      if (!anchor) continue;
      from = anchor;
      attrs.push(`ltail=cluster_${e.from}`);
    }
    if (e.toGroup) {
      const anchor = anchorOf.get(e.to);
      if (!anchor) continue;
      to = anchor;
      attrs.push(`lhead=cluster_${e.to}`);
    }
    if (e.label) attrs.push(`label=${dotString(e.label)}`);
    if (e.style === "dashed") attrs.push("style=dashed");
    if (e.style === "rbac") attrs.push(`color="#b35c1e", fontcolor="#b35c1e", penwidth=1.6`);
    if (e.rankBackwards) {
      attrs.push("dir=back");
      [from, to] = [to, from];
      for (const [i, a] of attrs.entries()) {
        attrs[i] = a
          .replace(/^lhead=/, "\0")
          .replace(/^ltail=/, "lhead=")
          .replace(/^\0/, "ltail=");
      }
    }
    out.push(`  ${from} -> ${to}${attrs.length > 0 ? ` [${attrs.join(", ")}]` : ""};`);
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}
