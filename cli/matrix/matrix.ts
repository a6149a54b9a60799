/**
 * Azure DevOps job matrices for a set of stacks, for
 * `strategy: matrix: $[ dependencies.<job>.outputs['<step>.<variable>'] ]`.
 *
 * - Waves: stacks are grouped by dependency wave (manifest `dependencies`, also through stacks
 *   not in the set; with a rollout's `scopeOf`, only dependencies within the stack's scope); a
 *   leg holds stacks of one wave only, so the pipeline runs wave N+1's jobs after wave N's.
 * - Budget: the legs of all waves together stay within `maxJobs` (default 256, the jobs one
 *   stage may hold), so all waves fit as jobs of one stage. When there are more stacks than that,
 *   legs hold several stacks each (one shard size for all waves: the smallest that fits).
 * - Leg names: Azure DevOps accepts only `[A-Za-z0-9_]`, a leading letter and at most 100
 *   characters. A one-stack leg is named after its stack (`apps-ttd-at22` → `apps_ttd_at22`); a
 *   shard after its wave, number and first stack (`w1_s003_apps_ttd_at22`). Names that collide
 *   after cleaning (case-insensitively) get a suffix from a hash of the stack id, so the result
 *   does not depend on which other stacks are in the set.
 * - A leg's variables: `STACKS` (space-separated ids, for `npm run plan -- --stack $(STACKS)`)
 *   and `WAVE`; with a rollout (cli/pipeline/rollout.ts), also `SLOT`: the apply slot of every stack in
 *   the leg. A leg never mixes rollout groups, so each saved plan artifact is applied by one slot.
 */
import { createHash } from "node:crypto";
import { groupOf, type Rollout, rolloutGroups, slotOf } from "../pipeline/rollout";
import { loggingCommand } from "../shared/ado-logging";
import type { StackGraph } from "../shared/manifest";

export const AZURE_DEVOPS_MAX_JOBS = 256;
export const LEG_NAME_MAX = 100;
const LEG_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

export interface MatrixLeg {
  readonly STACKS: string;
  readonly WAVE: string;
  /** The apply slot (cli/pipeline/rollout.ts) of the leg's stacks; absent without a rollout. */
  readonly SLOT?: string;
  /** `2` in the second pass (deferred stacks planned after their dependencies applied). */
  readonly PASS?: string;
}

export type Legs = Record<string, MatrixLeg>;

export interface MatrixWave {
  readonly index: number;
  readonly name: string;
  readonly stacks: readonly string[];
  readonly legs: Legs;
}

export interface Matrix {
  readonly env?: string;
  readonly maxJobs: number;
  /** Stacks per leg (the last leg of a wave may hold fewer). */
  readonly shardSize: number;
  readonly stackCount: number;
  readonly legCount: number;
  readonly waves: readonly MatrixWave[];
  /** Requested stacks that are not in the manifest (removed stacks): nothing to plan. */
  readonly skipped: readonly string[];
}

export interface MatrixOptions {
  readonly graph: StackGraph;
  readonly stacks: Iterable<string>;
  readonly env?: string;
  readonly maxJobs?: number;
  /** Stacks per leg; raised (with `notices`) when it would need more than `maxJobs` legs. */
  readonly shardSize?: number;
  /**
   * Splits each wave into rollout groups (canaries, batches) and names each leg's apply slot.
   * With `scopeOf`, waves count only dependencies in the stack's own state scope: the others
   * were applied by an earlier stage, so an org's cluster (which reads its org registry in
   * `shared`) is in the same first wave as the Platform, and the canaries go first there too.
   */
  readonly rollout?: {
    readonly rollout: Rollout;
    readonly orgOf: (stack: string) => string | undefined;
    readonly scopeOf?: (stack: string) => string | undefined;
  };
}

export interface MatrixResult {
  readonly matrix: Matrix;
  readonly notices: readonly string[];
}

export function isValidLegName(name: string): boolean {
  return LEG_NAME.test(name);
}

/** `[A-Za-z0-9_]` only, starting with a letter, at most `max` characters. */
export function cleanLegName(raw: string, max = LEG_NAME_MAX): string {
  let name = raw.replace(/[^A-Za-z0-9_]/g, "_");
  if (!/^[A-Za-z]/.test(name)) name = `s_${name}`;
  return name.slice(0, max);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/**
 * Unique leg names for keys (stack ids or shard labels), in the order given. A name that more
 * than one key cleans to, or that is cut at 100 characters, gets `_<hash of the key>`.
 */
export function legNames(keys: readonly string[]): Map<string, string> {
  const cleaned = keys.map((k) => ({ key: k, name: cleanLegName(k, Number.POSITIVE_INFINITY) }));
  const count = new Map<string, number>();
  for (const c of cleaned) count.set(c.name.toLowerCase(), (count.get(c.name.toLowerCase()) ?? 0) + 1);
  const out = new Map<string, string>();
  const taken = new Set<string>();
  for (const { key, name } of cleaned) {
    let candidate = name;
    if (count.get(name.toLowerCase())! > 1 || name.length > LEG_NAME_MAX) {
      const suffix = `_${shortHash(key)}`;
      candidate = `${name.slice(0, LEG_NAME_MAX - suffix.length)}${suffix}`;
    }
    // A hash suffix that still collides (vanishingly rare) gets a counter.
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
      const suffix = `_${n}`;
      candidate = `${candidate.slice(0, LEG_NAME_MAX - suffix.length)}${suffix}`;
    }
    taken.add(candidate.toLowerCase());
    out.set(key, candidate);
  }
  return out;
}

/** The smallest uniform shard size whose legs over all waves fit in `maxJobs`. */
export function fittingShardSize(waveSizes: readonly number[], maxJobs: number, atLeast = 1): number {
  const legs = (s: number) => waveSizes.reduce((n, w) => n + Math.ceil(w / s), 0);
  let lo = Math.max(1, atLeast);
  let hi = Math.max(lo, ...waveSizes);
  if (legs(lo) <= maxJobs) return lo;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (legs(mid) <= maxJobs) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export function buildMatrix(options: MatrixOptions): MatrixResult {
  const maxJobs = options.maxJobs ?? AZURE_DEVOPS_MAX_JOBS;
  const notices: string[] = [];
  const requested = [...new Set(options.stacks)];
  const skipped = requested.filter((s) => !options.graph.has(s)).sort();
  const stacks = requested.filter((s) => options.graph.has(s));
  const scopeOf = options.rollout?.scopeOf;
  const waves =
    scopeOf !== undefined
      ? options.graph.wavesIgnoring(stacks, (s, d) => scopeOf(d) !== undefined && scopeOf(d) !== scopeOf(s))
      : options.graph.waves(stacks);
  if (waves.length > maxJobs) {
    throw new Error(`${waves.length} dependency waves need at least as many jobs; --max-jobs is ${maxJobs}`);
  }
  // Each wave's stacks by rollout group (one group without a rollout); a shard holds one group.
  const groupsOf = (ids: readonly string[]): string[][] => {
    if (options.rollout === undefined) return [[...ids]];
    const { rollout, orgOf } = options.rollout;
    const parts: string[][] = rolloutGroups(rollout).map(() => []);
    for (const id of ids) parts[groupOf(rollout, orgOf(id))]!.push(id);
    return parts.filter((p) => p.length > 0);
  };
  const parts = waves.map((ids) => groupsOf(ids));
  const sizes = parts.flatMap((p) => p.map((g) => g.length));
  let shardSize = options.shardSize ?? 1;
  const fitting = fittingShardSize(sizes, maxJobs, shardSize);
  if (fitting !== shardSize) {
    if (options.shardSize !== undefined) {
      notices.push(
        `shard size ${options.shardSize} needs more than ${maxJobs} legs: using ${fitting} stacks per leg`,
      );
    }
    shardSize = fitting;
  }

  const built = waves.map((ids, index) => {
    const shards: string[][] = [];
    for (const group of parts[index]!) {
      for (let i = 0; i < group.length; i += shardSize) shards.push(group.slice(i, i + shardSize));
    }
    return { index, ids, shards };
  });
  // Names over all waves at once: unique across the whole matrix, not only within a wave.
  const keys = built.flatMap((w) =>
    w.shards.map((shard, i) =>
      shard.length === 1 && shardSize === 1
        ? shard[0]!
        : `w${w.index}_s${String(i + 1).padStart(3, "0")}_${shard[0]}`,
    ),
  );
  const names = legNames(keys);
  let k = 0;
  const result: MatrixWave[] = built.map((w) => {
    const legs: Legs = {};
    for (const shard of w.shards) {
      const slot =
        options.rollout !== undefined
          ? { SLOT: String(slotOf(options.rollout.rollout, w.index, options.rollout.orgOf(shard[0]!))) }
          : {};
      legs[names.get(keys[k++]!)!] = { STACKS: shard.join(" "), WAVE: String(w.index), ...slot };
    }
    return { index: w.index, name: `wave${w.index}`, stacks: w.ids, legs };
  });
  return {
    matrix: {
      ...(options.env !== undefined ? { env: options.env } : {}),
      maxJobs,
      shardSize,
      stackCount: stacks.length,
      legCount: keys.length,
      waves: result,
      skipped,
    },
    notices,
  };
}

/** All legs of a matrix in one object (for a pipeline that does not run wave by wave). */
export function allLegs(matrix: Matrix): Legs {
  return Object.assign({}, ...matrix.waves.map((w) => w.legs)) as Legs;
}

/**
 * Azure DevOps logging commands that publish a matrix as output variables of the step:
 * `<name>` (all legs, or wave `wave`'s), `<name>_wave<i>` for every wave (and `{}` for empty
 * slots up to `waveSlots`), and `<name>_waves` (the wave count).
 */
export function adoOutputCommands(
  matrix: Matrix,
  name: string,
  options: { wave?: number; waveSlots?: number } = {},
): string[] {
  const set = (variable: string, value: string) =>
    loggingCommand("task.setvariable", { variable, isOutput: "true" }, value);
  const main = options.wave !== undefined ? (matrix.waves[options.wave]?.legs ?? {}) : allLegs(matrix);
  const lines = [set(name, JSON.stringify(main))];
  const slots = Math.max(matrix.waves.length, options.waveSlots ?? 0);
  for (let i = 0; i < slots; i++)
    lines.push(set(`${name}_wave${i}`, JSON.stringify(matrix.waves[i]?.legs ?? {})));
  lines.push(set(`${name}_waves`, String(matrix.waves.length)));
  return lines;
}
