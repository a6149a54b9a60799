/**
 * All generated docs as files (path relative to docs/ → content): a pure function of the
 * synthesized output and the fleet model. `docs/architecture/` holds one diagram per stack kind
 * and one per environment, each as Mermaid (for the Azure DevOps wiki) and SVG (Graphviz, for
 * everything else), and a README that embeds the Mermaid; `docs/fleet.md` the fleet at a glance;
 * `docs/fleet-settings.schema.json` the JSON Schema of fleet.yaml, from fleet/schemas/fleet-settings.ts.
 */
import { compareText } from "../cli/shared/sorted-json";
import { fleetSettingsSchemaJson } from "../fleet/schemas/fleet-settings";
import { type Diagram, toDot, toMermaid } from "./diagram";
import { fleetSummary } from "./fleet-summary";
import { compareKinds, type DocsInput, type DocsStack, docsStacks, environmentOrder } from "./model";
import { resourceDiagram, resourceGraph } from "./resource-graph";
import { environmentDiagram } from "./stack-graph";
import { type SvgRenderer, svgRenderer } from "./svg";
import { blocksOf, countBlocks, stringAt } from "./terraform";

export const ARCHITECTURE_DIR = "architecture";
export const FLEET_FILE = "fleet.md";
/** The JSON Schema of fleet.yaml that editors read (`# yaml-language-server: $schema=` in fleet.yaml). */
export const SETTINGS_SCHEMA_FILE = "fleet-settings.schema.json";

export interface DocFile {
  /** Relative to docs/, with forward slashes. */
  readonly path: string;
  readonly content: string;
}

interface Picture {
  readonly name: string;
  readonly heading: string;
  readonly intro: string;
  readonly diagram: Diagram;
}

/** The stack that stands for its kind: the most complete one (most blocks), then the most typical. */
export function representativeStacks(stacks: readonly DocsStack[]): Map<string, DocsStack> {
  const stacksPerOrg = new Map<string, number>();
  for (const s of stacks) {
    const org = s.org;
    if (org) stacksPerOrg.set(org, (stacksPerOrg.get(org) ?? 0) + 1);
  }
  const out = new Map<string, DocsStack>();
  for (const kind of [...new Set(stacks.map((s) => s.kind))].sort(compareKinds)) {
    const ofKind = stacks.filter((s) => s.kind === kind);
    const perEnv = new Map<string, number>();
    for (const s of ofKind) perEnv.set(s.environment, (perEnv.get(s.environment) ?? 0) + 1);
    const score = (s: DocsStack): number[] => {
      const c = countBlocks(s.json);
      const org = s.org;
      return [
        c.resources + c.dataSources,
        org ? (stacksPerOrg.get(org) ?? 0) : 0,
        perEnv.get(s.environment) ?? 0,
      ];
    };
    const best = [...ofKind].sort((a, b) => {
      const sa = score(a);
      const sb = score(b);
      for (let i = 0; i < sa.length; i++) if (sa[i] !== sb[i]) return sb[i]! - sa[i]!;
      return compareText(a.id, b.id);
    })[0]!;
    out.set(kind, best);
  }
  return out;
}

/** Who manages a named resource, for labelling data sources: `<type>|<name>` → stack id. */
export function managedByIndex(stacks: readonly DocsStack[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const s of stacks) {
    for (const b of blocksOf(s.json)) {
      if (b.address.mode !== "resource") continue;
      const name = stringAt(b.block, "name");
      if (!name || name.includes("${")) continue;
      const key = `${b.address.type}|${name}`;
      if (!out.has(key)) out.set(key, s.id);
    }
  }
  return out;
}

/** The diagrams, without rendering: one per stack kind, one per environment. */
export function pictures(input: DocsInput): { stacks: Picture[]; environments: Picture[] } {
  const stacks = docsStacks(input);
  const managedBy = managedByIndex(stacks);
  const kinds: Picture[] = [];
  for (const [kind, stack] of representativeStacks(stacks)) {
    const count = stacks.filter((s) => s.kind === kind).length;
    const c = countBlocks(stack.json);
    const graph = resourceGraph(stack.json, { managedBy });
    kinds.push({
      name: `stack-${kind}`,
      heading: `Stack kind \`${kind}\``,
      intro:
        `${count === 1 ? "The only stack of this kind" : `One of ${count} stacks of this kind`}: ` +
        `\`${stack.id}\` (${c.resources} resources, ${c.dataSources} data sources).` +
        (stack.dependencies.length > 0
          ? ` Applied after ${stack.dependencies.map((d) => `\`${d}\``).join(", ")}.`
          : ""),
      diagram: resourceDiagram(graph, `Stack kind ${kind}, shown for ${stack.id}`),
    });
  }
  // Kinds the fleet does not have are shown from an example fleet.
  for (const example of input.examples ?? []) {
    const exampleStacks = docsStacks(example.input);
    const exampleManagedBy = managedByIndex(exampleStacks);
    for (const [kind, stack] of representativeStacks(exampleStacks)) {
      if (kinds.some((k) => k.name === `stack-${kind}`)) continue;
      const c = countBlocks(stack.json);
      kinds.push({
        name: `stack-${kind}`,
        heading: `Stack kind \`${kind}\``,
        intro:
          `The fleet has no stack of this kind; shown for \`${stack.id}\` of the example fleet ` +
          `\`examples/${example.name}/\` (${c.resources} resources, ${c.dataSources} data sources).`,
        diagram: resourceDiagram(
          resourceGraph(stack.json, { managedBy: exampleManagedBy }),
          `Stack kind ${kind}, shown for ${stack.id}`,
        ),
      });
    }
  }
  const environments: Picture[] = [];
  for (const env of environmentOrder(input.fleet, stacks)) {
    const here = stacks.filter((s) => s.environment === env);
    environments.push({
      name: `environment-${env}`,
      heading: `Environment \`${env}\``,
      intro: `${here.length} stacks. Dashed: stacks of another environment this one depends on.`,
      diagram: environmentDiagram(env, stacks),
    });
  }
  return { stacks: kinds, environments };
}

export async function generateDocs(input: DocsInput, renderer?: SvgRenderer): Promise<DocFile[]> {
  const render = renderer ?? (await svgRenderer());
  const { stacks, environments } = pictures(input);
  const files: DocFile[] = [];
  for (const p of [...stacks, ...environments]) {
    files.push({ path: `${ARCHITECTURE_DIR}/${p.name}.mmd`, content: toMermaid(p.diagram) });
    files.push({ path: `${ARCHITECTURE_DIR}/${p.name}.svg`, content: render(toDot(p.diagram)) });
  }
  files.push({ path: `${ARCHITECTURE_DIR}/README.md`, content: architectureReadme(stacks, environments) });
  files.push({ path: FLEET_FILE, content: fleetSummary(input) });
  files.push({ path: SETTINGS_SCHEMA_FILE, content: fleetSettingsSchemaJson() });
  return files.sort((a, b) => compareText(a.path, b.path));
}

function architectureReadme(stacks: readonly Picture[], environments: readonly Picture[]): string {
  const out: string[] = [];
  out.push("# Architecture diagrams");
  out.push("");
  out.push(
    "Generated by `npm run docs` from the synthesized stacks and the fleet definition; do not edit " +
      "by hand. A test fails when these files differ from what the code generates. Each diagram is " +
      "here twice: as Mermaid, in the `::: mermaid` blocks below (the fence Azure DevOps wikis and " +
      "repositories render) and in the `.mmd` file of the same name, and as an SVG rendered by Graphviz. " +
      "The fleet in numbers: [../fleet.md](../fleet.md).",
  );
  out.push("");
  out.push(
    "Each stack kind is shown for one of its stacks: the one with the most resources, then the org " +
      "with the most stacks, then the environment with the most stacks of that kind.",
  );
  out.push("");
  out.push("How to read the stack diagrams:");
  out.push("");
  out.push("- Boxes inside boxes: resource group → virtual network; in-cluster → namespace.");
  out.push("- A bold border: a resource with `prevent_destroy` (state that must never be replaced).");
  out.push(
    "- A dashed box: a data source, read by name (with the stack that manages it, where that is in the fleet).",
  );
  out.push("- Arrows: one resource references another; the label names the attribute.");
  out.push(
    "- Thick orange arrows: role assignments, from the principal to the scope, labelled with the role.",
  );
  out.push("");
  const toc = (p: Picture) => `[${p.heading.replace(/`/g, "")}](#${anchor(p.heading)})`;
  out.push(`Stack kinds: ${stacks.map(toc).join(", ")}.`);
  out.push("");
  out.push(`Environments: ${environments.map(toc).join(", ")}.`);
  out.push("");
  const section = (p: Picture) => {
    out.push(`## ${p.heading}`);
    out.push("");
    out.push(p.intro);
    out.push("");
    // Azure DevOps renders Mermaid between `::: mermaid` and `:::` (not in ``` fences).
    out.push("::: mermaid");
    out.push(toMermaid(p.diagram).trimEnd());
    out.push(":::");
    out.push("");
    out.push(`SVG: [${p.name}.svg](${p.name}.svg)`);
    out.push("");
  };
  for (const p of stacks) section(p);
  for (const p of environments) section(p);
  return `${out.join("\n").trimEnd()}\n`;
}

function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, "")
    .replace(/ /g, "-");
}
