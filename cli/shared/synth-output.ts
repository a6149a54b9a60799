/** A synthesized app on disk (`cdktf.out`): its manifest and its stacks, normalized on demand. */
import { resolve } from "node:path";
import type { Json } from "./json";
import { type FleetManifest, readManifest } from "./manifest";
import { readNormalizedStack } from "./normalize";
import { canonicalJson } from "./sorted-json";

/**
 * What `affected`, `diff` and `pipeline prepare` read of a synthesized side: its stack graph and
 * metadata, and each stack's normalized JSON. A `SynthOutput` (a directory) or a side compared
 * by input hashes (`input-affected.ts`), of which only the stacks whose inputs changed were built.
 */
export interface StackOutputs {
  readonly manifest: Pick<FleetManifest, "graph" | "metadata">;
  readonly stackIds: string[];
  has(id: string): boolean;
  stack(id: string): Json;
  canonical(id: string): string;
}

export class SynthOutput implements StackOutputs {
  readonly manifest: FleetManifest;
  /** The tree the output was synthesized from, when known; its path is masked when normalizing. */
  readonly treeRoot: string | undefined;
  private readonly cache = new Map<string, { json: Json; canonical: string }>();

  /**
   * `treeRoot`: the project directory the output was synthesized in, when known (a side this
   * tool synthesized). Not guessed for a given directory: a guess such as `/tmp` would mask
   * real values.
   */
  constructor(outDir: string, treeRoot?: string) {
    this.manifest = readManifest(outDir);
    this.treeRoot = treeRoot !== undefined ? resolve(treeRoot) : undefined;
  }

  get dir(): string {
    return this.manifest.dir;
  }

  get stackIds(): string[] {
    return [...this.manifest.stacks.keys()].sort();
  }

  has(id: string): boolean {
    return this.manifest.stacks.has(id);
  }

  /** The stack's normalized Terraform JSON. */
  stack(id: string): Json {
    return this.load(id).json;
  }

  /** The canonical string of the stack's normalized JSON: equal strings mean equal stacks. */
  canonical(id: string): string {
    return this.load(id).canonical;
  }

  private load(id: string): { json: Json; canonical: string } {
    const hit = this.cache.get(id);
    if (hit) return hit;
    const entry = this.manifest.stacks.get(id);
    if (entry === undefined) throw new Error(`stack ${id} is not in ${this.manifest.dir}/manifest.json`);
    const json = readNormalizedStack(
      entry.synthesizedStackPath,
      this.treeRoot ? { treeRoot: this.treeRoot } : {},
    );
    const loaded = { json, canonical: canonicalJson(json) };
    this.cache.set(id, loaded);
    return loaded;
  }
}
