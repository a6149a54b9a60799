/**
 * What one matrix leg publishes (`npm run pipeline -- leg`), and the provider versions every
 * leg mirrors (`npm run pipeline -- providers`).
 *
 * A plan leg publishes two artifacts: the saved plans (`plan_<scope>_<id>_<attempt>`: tfplan,
 * plan.json, the lock file, logs; secret, because plans hold resolved values) and a small
 * results artifact (`result_<scope>_<id>_<attempt>`: `leg.json` and each stack's `result.json`
 * and `summary.md`) that the stage's `collect` job reads without downloading any plan. `<id>`
 * is a hash of the leg's stack list (leg names are not visible to steps); `<attempt>` is the
 * stage and job attempt, because an artifact name can be published once per run and a failed
 * job may be re-run. Legs of the second pass (deferred stacks planned after their dependencies
 * applied) name theirs `<kind>_p2_<scope>_...` (see `legArtifacts`).
 */
import { createHash } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { isJsonObject, type Json, parseJson, prop } from "../shared/json";
import type { FleetManifest } from "../shared/manifest";

export interface LegAttempt {
  readonly stage: number;
  readonly job: number;
}

/** `leg.json` in a plan leg's results artifact. */
export interface LegRecord {
  readonly scope: string;
  /** The leg's `STACKS`, exactly as the matrix gave it. */
  readonly stacks: string;
  readonly wave: string;
  /** The apply slot (cli/pipeline/rollout.ts) the matrix gave the leg, when it gave one. */
  readonly slot?: string;
  /** 1, or 2 in the second pass. */
  readonly pass?: number;
  readonly planArtifact: string;
  readonly resultArtifact: string;
  readonly attempt: LegAttempt;
}

export function legId(stacks: string): string {
  return createHash("sha256").update(stacks).digest("hex").slice(0, 16);
}

/**
 * The artifact names of a leg. The second pass (`FLEET_PASS=2`, stages plan2_/apply2_) names
 * its artifacts `<kind>_p2_<scope>_...`: its legs often hold exactly the stacks a first-pass leg
 * held (a new cluster's -k8s stack alone), and an artifact name can be published once per run.
 */
export function legArtifacts(scope: string, stacks: string, attempt: LegAttempt, pass = 1) {
  const suffix = `${pass === 2 ? "p2_" : ""}${scope}_${legId(stacks)}_${attempt.stage}_${attempt.job}`;
  return { plan: `plan_${suffix}`, result: `result_${suffix}`, applied: `applied_${suffix}` };
}

/** The pass of a leg: the job's `FLEET_PASS`, or the second-pass matrix's `PASS` (1 when unset). */
export function passFrom(env: NodeJS.ProcessEnv): number {
  return env.FLEET_PASS === "2" || env.PASS === "2" ? 2 : 1;
}

function attemptFrom(env: NodeJS.ProcessEnv): LegAttempt {
  const n = (v: string | undefined) => {
    const x = Number(v);
    return Number.isInteger(x) && x > 0 ? x : 1;
  };
  return { stage: n(env.SYSTEM_STAGEATTEMPT), job: n(env.SYSTEM_JOBATTEMPT) };
}

export interface StageLegOptions {
  readonly phase: "plan" | "apply";
  readonly scope: string;
  /** `npm run plan`/`apply`'s `--out-dir`. */
  readonly outDir: string;
  /** A fresh directory for the artifacts to publish. */
  readonly staging: string;
  /** The matrix leg's variables and the attempt numbers (`STACKS`, `WAVE`, `SLOT`, `PASS`, `SYSTEM_*ATTEMPT`). */
  readonly env: NodeJS.ProcessEnv;
}

export interface StagedLeg {
  readonly variables: Readonly<Record<string, string>>;
  readonly stacks: readonly string[];
}

const PLAN_RESULT_FILES = ["result.json", "summary.md"];
const APPLY_FILES = ["apply-result.json", "apply.log"];

/**
 * Copies a leg's small result files into `staging` and names its artifacts. Returns the
 * variables the publish steps use (`PLAN_ARTIFACT`, `RESULT_ARTIFACT` or `APPLY_ARTIFACT`).
 */
export function stageLeg(o: StageLegOptions): StagedLeg {
  const stacksText = o.env.STACKS ?? "";
  const stacks = stacksText.split(/\s+/).filter((s) => s !== "");
  if (o.phase === "plan" && stacks.length === 0)
    throw new Error("STACKS is empty: run this step in a matrix leg");
  const attempt = attemptFrom(o.env);
  if (o.phase === "plan") {
    const pass = passFrom(o.env);
    const names = legArtifacts(o.scope, stacksText, attempt, pass);
    const dir = join(o.staging, "result");
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const s of stacks) copyStackFiles(join(o.outDir, s), join(dir, s), PLAN_RESULT_FILES);
    const record: LegRecord = {
      scope: o.scope,
      stacks: stacksText,
      wave: o.env.WAVE ?? "0",
      ...(o.env.SLOT !== undefined && o.env.SLOT !== "" ? { slot: o.env.SLOT } : {}),
      pass,
      planArtifact: names.plan,
      resultArtifact: names.result,
      attempt,
    };
    writeFileSync(join(dir, "leg.json"), `${JSON.stringify(record, null, 2)}\n`);
    const variables: Record<string, string> = { RESULT_ARTIFACT: names.result };
    // No plans directory means npm run plan never ran: the results alone tell collect so.
    if (existsSync(o.outDir)) variables.PLAN_ARTIFACT = names.plan;
    return { variables, stacks };
  }
  const artifact = o.env.ARTIFACT ?? "";
  if (artifact === "") throw new Error("ARTIFACT is empty: run this step in an apply matrix leg");
  const applied = `applied_${artifact.replace(/^plan_/, "")}_${attempt.stage}_${attempt.job}`;
  const dir = join(o.staging, "applied");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const applyStacks = existsSync(o.outDir)
    ? readdirStacks(o.outDir).filter((s) => existsSync(join(o.outDir, s, "apply-result.json")))
    : [];
  for (const s of applyStacks) copyStackFiles(join(o.outDir, s), join(dir, s), APPLY_FILES);
  const summary = join(o.outDir, "apply-summary.md");
  if (existsSync(summary)) copyFileSync(summary, join(dir, "apply-summary.md"));
  return { variables: { APPLY_ARTIFACT: applied }, stacks: applyStacks };
}

function readdirStacks(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

function copyStackFiles(from: string, to: string, files: readonly string[]): void {
  if (!existsSync(from)) return;
  mkdirSync(to, { recursive: true });
  for (const f of files) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(to, f));
}

/** One provider requirement as Terraform JSON writes it. */
interface Requirement {
  readonly source: string;
  readonly version: string;
}

export interface ProviderRequirements {
  /** Provider local name → the versions the stacks pin, sorted. */
  readonly versions: Readonly<Record<string, { source: string; versions: string[] }>>;
  /**
   * `terraform.required_providers` blocks to mirror: one per version of the provider with the
   * most versions (a required_providers block names each provider once).
   */
  readonly modules: readonly Record<string, Requirement>[];
}

/** Every provider version any stack of the manifest requires (`terraform.required_providers`). */
export function providerRequirements(manifest: FleetManifest): ProviderRequirements {
  const found = new Map<string, { source: string; versions: Set<string> }>();
  for (const stack of manifest.stacks.values()) {
    const json: Json = parseJson(
      readFileSync(stack.synthesizedStackPath, "utf8"),
      stack.synthesizedStackPath,
    );
    const required = prop(prop(json, "terraform"), "required_providers");
    if (!isJsonObject(required)) continue;
    for (const [name, req] of Object.entries(required)) {
      const source = prop(req, "source");
      const version = prop(req, "version");
      if (typeof source !== "string" || typeof version !== "string") {
        throw new Error(`${stack.id}: provider ${name} needs a source and an exact version to be mirrored`);
      }
      const key = `${name}\u0000${source}`;
      const entry = found.get(key) ?? { source, versions: new Set<string>() };
      entry.versions.add(version);
      found.set(key, entry);
    }
  }
  const versions: Record<string, { source: string; versions: string[] }> = {};
  for (const [key, e] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
    const name = key.split("\u0000")[0]!;
    if (versions[name] !== undefined) {
      throw new Error(`provider ${name} comes from two sources (${versions[name].source}, ${e.source})`);
    }
    versions[name] = { source: e.source, versions: [...e.versions].sort() };
  }
  const count = Math.max(0, ...Object.values(versions).map((v) => v.versions.length));
  const modules: Record<string, Requirement>[] = [];
  for (let i = 0; i < count; i++) {
    const block: Record<string, Requirement> = {};
    for (const [name, v] of Object.entries(versions)) {
      block[name] = { source: v.source, version: v.versions[Math.min(i, v.versions.length - 1)]! };
    }
    modules.push(block);
  }
  return { versions, modules };
}

/**
 * Writes `<out>/versions.json` (the cache key) and `<out>/<i>/providers.tf.json` for
 * `terraform providers mirror`.
 */
export function writeProviderModules(requirements: ProviderRequirements, out: string): string[] {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "versions.json"), `${JSON.stringify(requirements.versions, null, 2)}\n`);
  return requirements.modules.map((block, i) => {
    const dir = join(out, String(i));
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "providers.tf.json"),
      `${JSON.stringify({ terraform: { required_providers: block } }, null, 2)}\n`,
    );
    return dir;
  });
}
