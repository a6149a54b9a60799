/**
 * The generator's edges: reading a synthesized output directory, synthesizing the fleet into a
 * temporary one, writing docs/ and comparing it with what would be generated.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, sep } from "node:path";
import { readManifest } from "../cli/shared/manifest";
import { PROJECT_ROOT } from "../cli/shared/project-root";
import { compareText } from "../cli/shared/sorted-json";
import { loadFleet } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { STACKS_FILE } from "../stacks/metadata";
import { synthFleet } from "../stacks/synth-fleet";
import { ARCHITECTURE_DIR, type DocFile, FLEET_FILE, SETTINGS_SCHEMA_FILE } from "./generate";
import type { DocsInput } from "./model";
import type { Manifest, StackJson } from "./terraform";

/** The docs input from a synthesized output directory (cdktf.out) and the fleet it came from. */
export function readSynthOutput(outdir: string, fleet: Fleet): DocsInput {
  const output = readManifest(outdir);
  const stacks = new Map<string, StackJson>();
  const manifestStacks: Record<string, { readonly dependencies: readonly string[] }> = {};
  for (const id of [...output.stacks.keys()].sort(compareText)) {
    const entry = output.stacks.get(id)!;
    manifestStacks[id] = { dependencies: entry.dependencies };
    stacks.set(id, JSON.parse(readFileSync(entry.synthesizedStackPath, "utf8")) as StackJson);
  }
  const manifest: Manifest = { stacks: manifestStacks };
  const metadata = output.metadata;
  if (metadata === undefined)
    throw new Error(`${join(outdir, STACKS_FILE)} is missing: synthesize again (npm run synth)`);
  const planned = [...metadata.values()].map((m) => ({
    id: m.id,
    kind: m.kind,
    environment: m.environment,
    ...(m.org !== undefined ? { org: m.org } : {}),
  }));
  return { manifest, stacks, fleet, planned };
}

/** The example fleets whose stacks stand in for kinds a fleet lacks. */
export const DOC_EXAMPLES = ["all-services"] as const;
const EXAMPLES_DIR = join(PROJECT_ROOT, "examples");

/** Docs input for the example fleets (synthesized into temporary directories, then removed). */
export function exampleInputs(): { name: string; input: DocsInput }[] {
  return DOC_EXAMPLES.map((name) => {
    const { fleet } = loadFleet(join(EXAMPLES_DIR, name));
    if (!fleet)
      throw new Error(
        `examples/${name} is not a valid fleet directory (FLEET_DIR=examples/${name} npm run synth)`,
      );
    const outdir = synthFleetToTemp(fleet);
    try {
      return { name, input: readSynthOutput(outdir, fleet) };
    } finally {
      rmSync(dirname(outdir), { recursive: true, force: true });
    }
  });
}

/** Synthesizes the whole fleet (remote-state backend, as `npm run synth`) into a new temporary directory. */
export function synthFleetToTemp(fleet: Fleet): string {
  const parent = mkdtempSync(join(tmpdir(), "fleet-docs-"));
  const outdir = join(parent, "cdktf.out");
  try {
    synthFleet(fleet, { outdir, backend: "azurerm" });
  } catch (e) {
    rmSync(parent, { recursive: true, force: true });
    throw e;
  }
  return outdir;
}

/** The files the generator owns under a docs directory: all of architecture/, fleet.md and the settings schema. */
export function ownedFiles(docsDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(docsDir, p).split(sep).join("/"));
    }
  };
  walk(join(docsDir, ARCHITECTURE_DIR));
  for (const file of [FLEET_FILE, SETTINGS_SCHEMA_FILE]) if (existsSync(join(docsDir, file))) out.push(file);
  return out.sort(compareText);
}

/** Writes the files and removes owned files that are no longer generated. */
export function writeDocs(
  docsDir: string,
  files: readonly DocFile[],
): { written: number; removed: string[] } {
  const wanted = new Set(files.map((f) => f.path));
  const removed = ownedFiles(docsDir).filter((p) => !wanted.has(p));
  for (const p of removed) rmSync(join(docsDir, p));
  for (const f of files) {
    const path = join(docsDir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  return { written: files.length, removed };
}

export interface DocsDifference {
  readonly path: string;
  readonly problem: "missing" | "not generated any more" | "differs";
}

/** How a docs directory differs from the files the generator produces. */
export function compareDocs(docsDir: string, files: readonly DocFile[]): DocsDifference[] {
  const present = new Set(ownedFiles(docsDir));
  const out: DocsDifference[] = [];
  for (const f of files) {
    if (!present.has(f.path)) out.push({ path: f.path, problem: "missing" });
    else if (readFileSync(join(docsDir, f.path), "utf8") !== f.content)
      out.push({ path: f.path, problem: "differs" });
  }
  const wanted = new Set(files.map((f) => f.path));
  for (const p of present) if (!wanted.has(p)) out.push({ path: p, problem: "not generated any more" });
  return out.sort((a, b) => compareText(a.path, b.path));
}

export const REGENERATE_HINT = "Regenerate them with `npm run docs` and commit the result.";
