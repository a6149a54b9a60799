/**
 * The committed docs (docs/architecture/, docs/fleet.md) must be exactly what the current code
 * generates. The fleet is synthesized once for this file, in-process, into a temporary directory.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type DocFile, generateDocs, pictures } from "../../docs-gen/generate";
import { exampleInputs, ownedFiles, REGENERATE_HINT, readSynthOutput, writeDocs } from "../../docs-gen/io";
import { type DocsInput, docsStacks, environmentOrder } from "../../docs-gen/model";
import type { StackJson } from "../../docs-gen/terraform";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";

const DOCS = join(__dirname, "..", "..", "docs");

let outdir: string;
let input: DocsInput;
let files: DocFile[];
let regenerated: string;

beforeAll(async () => {
  const fleet = committedFleet();
  outdir = sharedFleetOutput();
  input = { ...readSynthOutput(outdir, fleet), examples: exampleInputs() };
  files = await generateDocs(input);
  regenerated = mkdtempSync(join(tmpdir(), "docs-regenerated-"));
  writeDocs(regenerated, files);
});

afterAll(() => {
  if (regenerated) rmSync(regenerated, { recursive: true, force: true });
});

test("the committed docs are what `npm run docs` generates now", () => {
  const committed = ownedFiles(DOCS);
  const fresh = ownedFiles(regenerated);
  const problems = [
    ...fresh.filter((p) => !committed.includes(p)).map((p) => `docs/${p}: missing`),
    ...committed.filter((p) => !fresh.includes(p)).map((p) => `docs/${p}: no longer generated`),
    ...fresh
      .filter((p) => committed.includes(p))
      .filter((p) => readFileSync(join(DOCS, p), "utf8") !== readFileSync(join(regenerated, p), "utf8"))
      .map((p) => `docs/${p}: differs from what the code generates`),
  ];
  if (problems.length > 0) {
    throw new Error(`The generated docs are out of date:\n  ${problems.join("\n  ")}\n${REGENERATE_HINT}`);
  }
});

test("the same input gives byte-identical files", async () => {
  expect(await generateDocs(input)).toEqual(files);
});

test("every stack kind has a diagram and every environment a stack graph, as Mermaid and SVG", () => {
  const paths = files.map((f) => f.path);
  const stacks = docsStacks(input);
  const kinds = [...new Set(stacks.map((s) => s.kind))];
  expect(kinds).toEqual(expect.arrayContaining(["org", "apps", "apps-k8s"]));
  for (const kind of kinds) {
    expect(paths).toEqual(
      expect.arrayContaining([`architecture/stack-${kind}.mmd`, `architecture/stack-${kind}.svg`]),
    );
  }
  const envs = environmentOrder(committedFleet(), stacks);
  expect(envs).toEqual(
    expect.arrayContaining(["shared", ...committedFleet().environments.map((e) => e.token)]),
  );
  for (const env of envs) {
    expect(paths).toEqual(
      expect.arrayContaining([`architecture/environment-${env}.mmd`, `architecture/environment-${env}.svg`]),
    );
  }
  const readme = files.find((f) => f.path === "architecture/README.md")!.content;
  const mmd = files.filter((f) => f.path.endsWith(".mmd"));
  expect(readme.match(/^::: mermaid\n/gm)).toHaveLength(mmd.length);
  for (const f of mmd) expect(readme).toContain(f.content.trimEnd());
});

test("a stack kind nobody drew a diagram for gets the generic one", () => {
  const extra: StackJson = {
    resource: {
      azurerm_resource_group: { rg: { name: "search-rg" } },
      azurerm_search_service: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a Terraform interpolation, not a template literal
        search: { name: "altinn-search", resource_group_name: "${azurerm_resource_group.rg.name}" },
      },
    },
  };
  const withExtra: DocsInput = {
    ...input,
    manifest: { stacks: { ...input.manifest.stacks, "services-search": { dependencies: [] } } },
    stacks: new Map([...input.stacks, ["services-search", extra]]),
    // Its kind comes from stacks.json, as synth writes it.
    planned: [...(input.planned ?? []), { id: "services-search", kind: "services", environment: "shared" }],
  };
  const picture = pictures(withExtra).stacks.find((p) => p.name === "stack-services");
  expect(picture?.diagram.groups[0]).toMatchObject({ label: ["resource group", "search-rg"] });
  expect(picture?.diagram.nodes.map((n) => n.lines)).toEqual([["search service", "altinn-search"]]);
});

describe("docs/fleet.md", () => {
  const fleetMd = () => files.find((f) => f.path === "fleet.md")!.content;

  test("counts stacks and resources per environment", () => {
    const section = fleetMd().split("## Stacks and resources per environment")[1]!.split("\n## ")[0]!;
    const rows = section
      .split("\n")
      .filter((l) => l.startsWith("| "))
      .map((l) => l.slice(2, -2).split(" | "));
    const header = rows[0]!;
    const prod = Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[0] === "`prod`")![i]!]));
    // One apps and one apps-k8s stack per org running in production (counted from the fleet).
    const inProd = String(committedFleet().apps.filter((a) => a.environment.token === "prod").length);
    expect(Number(inProd)).toBeGreaterThan(40);
    expect(prod).toMatchObject({ apps: inProd, "apps-k8s": inProd });
    const kinds = header.slice(1, header.indexOf("stacks"));
    expect(kinds.reduce((n, k) => n + Number(prod[k]), 0)).toBe(Number(prod.stacks));
  });

  test("shows an org's larger node pool apart from its environment's usual size", () => {
    expect(fleetMd()).toContain("workpool (user): Standard_D8s_v5, 3–20 nodes | 1 | skd-prod-aks |");
  });

  test("lists each cluster's address block with its subnets in address order", () => {
    expect(fleetMd()).toContain(
      "| `10.1.8.0/22` | apps-buf-prod | altinnapps-buf-prod-vnet | syspool `10.1.8.0/24`, workpool `10.1.9.0/24`, endpoints `10.1.10.0/24`, postgres `10.1.11.0/25` |",
    );
  });
});
