/**
 * cdktf's `manifest.json` and the dependency graph of the stacks it lists.
 *
 * The manifest is `{version, stacks: {<id>: {name, constructPath, workingDirectory,
 * synthesizedStackPath, dependencies: [<construct path>...]}}}`; dependencies name construct
 * paths, not stack ids, so they are mapped back through `constructPath`. The graph gives
 * dependency waves (wave 0 depends on nothing; a stack's wave is one more than its deepest
 * dependency) and transitive dependents, both in O(stacks + edges).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readStackMetadata, STACKS_FILE, type StackMetadata } from "../../stacks/metadata";
import { isJsonObject, type Json, parseJson, prop } from "./json";

export interface ManifestStack {
  /** The stack id (`node.id` of the stack: cdktf's stack name). */
  readonly id: string;
  readonly constructPath: string;
  /** Absolute path of the directory Terraform runs in (`<out>/stacks/<id>`). */
  readonly workingDirectory: string;
  /** Absolute path of the stack's `cdk.tf.json`. */
  readonly synthesizedStackPath: string;
  /** Ids of the stacks this one depends on (sorted). */
  readonly dependencies: readonly string[];
}

export interface FleetManifest {
  /** Absolute path of the synthesized output directory (`cdktf.out`). */
  readonly dir: string;
  readonly version: string;
  readonly stacks: ReadonlyMap<string, ManifestStack>;
  readonly graph: StackGraph;
  /** Kind, scope, org and environment of every stack (stacks.json); absent in an output older than the file. */
  readonly metadata?: ReadonlyMap<string, StackMetadata>;
}

/** A stack's metadata; throws naming the file when the output has none for it. */
export function metadataOf(manifest: FleetManifest, id: string): StackMetadata {
  const m = manifest.metadata?.get(id);
  if (m === undefined) {
    throw new Error(
      `${join(manifest.dir, STACKS_FILE)} has no entry for stack ${id}: synthesize again (npm run synth)`,
    );
  }
  return m;
}

/**
 * The given stacks whose state scope is `scope` (order kept; all of them when `scope` is
 * undefined), by the metadata of the first output that knows the stack (head, then base for a
 * removed stack). A stack no output has metadata for is left out: only an output synthesized
 * before stacks.json existed lacks it.
 */
export function inScope(
  ids: Iterable<string>,
  scope: string | undefined,
  ...outputs: readonly Pick<FleetManifest, "metadata">[]
): string[] {
  const all = [...ids];
  if (scope === undefined) return all;
  return all.filter((id) => {
    for (const o of outputs) {
      const m = o.metadata?.get(id);
      if (m !== undefined) return m.scope === scope;
    }
    return false;
  });
}

/** Reads `<outDir>/manifest.json`; throws with the path and the problem when it is unusable. */
export function readManifest(outDir: string): FleetManifest {
  const dir = resolve(outDir);
  const file = join(dir, "manifest.json");
  if (!existsSync(file)) {
    throw new Error(
      `no manifest at ${file}: synthesize first (npm run synth) or pass the right output directory`,
    );
  }
  const manifest = parseManifest(parseJson(readFileSync(file, "utf8"), file), dir);
  const metadata = readStackMetadata(dir);
  return metadata === undefined ? manifest : { ...manifest, metadata };
}

export function parseManifest(json: Json, dir: string): FleetManifest {
  const stacksJson = prop(json, "stacks");
  if (!isJsonObject(stacksJson)) {
    throw new Error(`${join(dir, "manifest.json")}: no "stacks" object`);
  }
  const byPath = new Map<string, string>();
  const raw: {
    id: string;
    constructPath: string;
    workingDirectory: string;
    stackPath: string;
    deps: string[];
  }[] = [];
  for (const [id, entry] of Object.entries(stacksJson)) {
    const constructPath = stringProp(entry, "constructPath") ?? id;
    const workingDirectory = stringProp(entry, "workingDirectory") ?? `stacks/${id}`;
    const stackPath = stringProp(entry, "synthesizedStackPath") ?? `${workingDirectory}/cdk.tf.json`;
    const depsJson = prop(entry, "dependencies") ?? [];
    if (!Array.isArray(depsJson) || depsJson.some((d) => typeof d !== "string")) {
      throw new Error(`manifest stack ${id}: "dependencies" must be a list of construct paths`);
    }
    byPath.set(constructPath, id);
    raw.push({ id, constructPath, workingDirectory, stackPath, deps: depsJson as string[] });
  }
  const stacks = new Map<string, ManifestStack>();
  const deps = new Map<string, readonly string[]>();
  for (const r of raw) {
    const ids = r.deps.map((path) => {
      const target = byPath.get(path) ?? (stacksJson[path] !== undefined ? path : undefined);
      if (target === undefined) {
        throw new Error(`manifest stack ${r.id} depends on "${path}", which is no stack in the manifest`);
      }
      return target;
    });
    const sorted = [...new Set(ids)].sort();
    deps.set(r.id, sorted);
    stacks.set(r.id, {
      id: r.id,
      constructPath: r.constructPath,
      workingDirectory: resolve(dir, r.workingDirectory),
      synthesizedStackPath: resolve(dir, r.stackPath),
      dependencies: sorted,
    });
  }
  const version = prop(json, "version");
  return { dir, version: typeof version === "string" ? version : "", stacks, graph: new StackGraph(deps) };
}

function stringProp(value: Json, key: string): string | undefined {
  const v = prop(value, key);
  return typeof v === "string" ? v : undefined;
}

/** A directed acyclic graph of stacks: an edge from a stack to each stack it depends on. */
export class StackGraph {
  private readonly deps: ReadonlyMap<string, readonly string[]>;
  private readonly rdeps = new Map<string, string[]>();
  private readonly level = new Map<string, number>();

  /** Throws when a dependency names an unknown stack or when the dependencies form a cycle. */
  constructor(dependencies: ReadonlyMap<string, readonly string[]>) {
    this.deps = dependencies;
    for (const id of dependencies.keys()) this.rdeps.set(id, []);
    for (const [id, ds] of dependencies) {
      for (const d of ds) {
        const r = this.rdeps.get(d);
        if (r === undefined) throw new Error(`stack ${id} depends on unknown stack ${d}`);
        r.push(id);
      }
    }
    this.computeLevels();
  }

  /** Kahn's algorithm; a stack's level is one more than its deepest dependency's. */
  private computeLevels(): void {
    const pending = new Map<string, number>();
    const queue: string[] = [];
    for (const [id, ds] of this.deps) {
      pending.set(id, ds.length);
      if (ds.length === 0) {
        queue.push(id);
        this.level.set(id, 0);
      }
    }
    for (let i = 0; i < queue.length; i++) {
      const id = queue[i]!;
      const next = this.level.get(id)! + 1;
      for (const dependent of this.rdeps.get(id) ?? []) {
        this.level.set(dependent, Math.max(this.level.get(dependent) ?? 0, next));
        const left = pending.get(dependent)! - 1;
        pending.set(dependent, left);
        if (left === 0) queue.push(dependent);
      }
    }
    if (queue.length !== this.deps.size) {
      const stuck = [...pending].filter(([, n]) => n > 0).map(([id]) => id);
      throw new Error(`stack dependencies form a cycle among: ${stuck.sort().join(", ")}`);
    }
  }

  get ids(): string[] {
    return [...this.deps.keys()];
  }

  has(id: string): boolean {
    return this.deps.has(id);
  }

  dependenciesOf(id: string): readonly string[] {
    return this.deps.get(id) ?? [];
  }

  dependentsOf(id: string): readonly string[] {
    return this.rdeps.get(id) ?? [];
  }

  /** The wave a stack is in over the whole graph (0 = depends on nothing). */
  levelOf(id: string): number {
    const l = this.level.get(id);
    if (l === undefined) throw new Error(`unknown stack ${id}`);
    return l;
  }

  /**
   * The given stacks grouped into waves that can run one after the other: every stack comes
   * after all of its dependencies, also those reached only through stacks not in `subset`.
   * Empty waves are dropped; stacks are sorted by id within a wave.
   */
  waves(subset: Iterable<string> = this.deps.keys()): string[][] {
    const byLevel = new Map<number, string[]>();
    for (const id of new Set(subset)) {
      const l = this.levelOf(id);
      const list = byLevel.get(l) ?? [];
      list.push(id);
      byLevel.set(l, list);
    }
    return [...byLevel.keys()].sort((a, b) => a - b).map((l) => byLevel.get(l)!.sort());
  }

  /**
   * Like `waves`, but a dependency for which `ignore(stack, dependency)` holds does not count:
   * the levels of a pipeline scope, whose dependencies in other scopes were applied by an
   * earlier stage. Dependencies that count are followed also through stacks not in `subset`.
   */
  wavesIgnoring(
    subset: Iterable<string>,
    ignore: (stack: string, dependency: string) => boolean,
  ): string[][] {
    const memo = new Map<string, number>();
    const level = (id: string): number => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      let l = 0;
      for (const d of this.dependenciesOf(id)) if (!ignore(id, d)) l = Math.max(l, level(d) + 1);
      memo.set(id, l);
      return l;
    };
    const byLevel = new Map<number, string[]>();
    for (const id of new Set(subset)) {
      if (!this.deps.has(id)) throw new Error(`unknown stack ${id}`);
      const l = level(id);
      byLevel.set(l, [...(byLevel.get(l) ?? []), id]);
    }
    return [...byLevel.keys()].sort((a, b) => a - b).map((l) => byLevel.get(l)!.sort());
  }

  /** The given stacks in dependency order (by wave, then id). */
  order(subset: Iterable<string>): string[] {
    return this.waves(subset).flat();
  }

  /** Every stack `id` depends on, directly or through others, nearest first. */
  transitiveDependencies(id: string): string[] {
    const seen = new Set<string>();
    const queue = [...this.dependenciesOf(id)];
    for (let i = 0; i < queue.length; i++) {
      const d = queue[i]!;
      if (seen.has(d)) continue;
      seen.add(d);
      queue.push(...this.dependenciesOf(d));
    }
    return [...seen];
  }

  /** Every stack that depends on one of `seeds`, directly or through others (seeds excluded). */
  transitiveDependents(seeds: Iterable<string>): Set<string> {
    const seedSet = new Set([...seeds].filter((s) => this.deps.has(s)));
    const seen = new Set<string>(seedSet);
    const queue = [...seedSet];
    const out = new Set<string>();
    for (let i = 0; i < queue.length; i++) {
      for (const d of this.rdeps.get(queue[i]!) ?? []) {
        if (seen.has(d)) continue;
        seen.add(d);
        out.add(d);
        queue.push(d);
      }
    }
    return out;
  }
}
