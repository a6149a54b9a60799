/**
 * Synthesizing the app at another git revision, for `affected` and `diff`.
 *
 * The base is checked out in a temporary `git worktree` (the checkout itself is never touched).
 * Its `node_modules` is a symlink to the checkout's when `package-lock.json` is byte-identical,
 * else `npm ci` installs its own. Then `npm run --silent synth` runs there, with the same
 * environment: `FLEET_DIR` is inherited, so an absolute `FLEET_DIR` makes both sides read the
 * same fleet directory (a code-only comparison) and a relative one is read inside each tree.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { isJsonObject, parseJson } from "../shared/json";
import { run, tail } from "../shared/process";
import { SynthOutput } from "../shared/synth-output";

export type Log = (line: string) => void;

export interface Worktree {
  /** The checked-out project directory (the worktree root plus the project's path in the repo). */
  readonly projectDir: string;
  remove(): Promise<void>;
}

async function git(args: readonly string[], cwd: string): Promise<string> {
  const r = await run("git", args, { cwd });
  if (r.code !== 0) {
    throw new Error(`git ${args.join(" ")} failed (exit ${r.code}): ${r.spawnError ?? tail(r.stderr, 5)}`);
  }
  return r.stdout.trim();
}

/** Checks `ref` out in a temporary worktree. */
export async function addWorktree(ref: string, cwd: string, log: Log): Promise<Worktree> {
  let commit: string;
  try {
    commit = await git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], cwd);
  } catch {
    throw new Error(
      `git cannot resolve "${ref}" to a commit. In a pipeline the checkout is often shallow: ` +
        "fetch the base first (e.g. `git fetch --depth=1 origin main`) or check out with fetchDepth: 0.",
    );
  }
  const prefix = await git(["rev-parse", "--show-prefix"], cwd);
  const dir = mkdtempSync(join(tmpdir(), "fleet-base-"));
  log(`checking out ${ref} (${commit.slice(0, 12)}) in ${dir}`);
  await git(["worktree", "add", "--detach", "--force", dir, commit], cwd);
  return {
    projectDir: join(dir, prefix),
    remove: async () => {
      const r = await run("git", ["worktree", "remove", "--force", dir], { cwd });
      if (r.code !== 0) {
        rmSync(dir, { recursive: true, force: true });
        await run("git", ["worktree", "prune"], { cwd });
      }
    },
  };
}

/**
 * Gives `projectDir` a `node_modules`: a symlink to `reuseFrom/node_modules` when both trees
 * have the same `package-lock.json`, else a fresh `npm ci`.
 */
export async function provideNodeModules(
  projectDir: string,
  reuseFrom: string,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const mine = join(projectDir, "package-lock.json");
  const theirs = join(reuseFrom, "package-lock.json");
  const theirModules = join(reuseFrom, "node_modules");
  if (existsSync(join(projectDir, "node_modules"))) return;
  if (
    existsSync(mine) &&
    existsSync(theirs) &&
    existsSync(theirModules) &&
    readFileSync(mine).equals(readFileSync(theirs))
  ) {
    symlinkSync(resolve(theirModules), join(projectDir, "node_modules"), "dir");
    log("package-lock.json unchanged: reusing node_modules");
    return;
  }
  log("package-lock.json differs: npm ci in the base worktree");
  const r = await run("npm", ["ci", "--no-audit", "--no-fund"], { cwd: projectDir, env, onOutput: log });
  if (r.code !== 0) throw new Error(`npm ci in ${projectDir} failed (exit ${r.code})`);
}

/** The output directory cdktf.json names (`output`), default `cdktf.out`. */
export function outputDirOf(projectDir: string): string {
  const file = join(projectDir, "cdktf.json");
  if (existsSync(file)) {
    const config = parseJson(readFileSync(file, "utf8"), file);
    if (isJsonObject(config) && typeof config.output === "string") return resolve(projectDir, config.output);
  }
  return join(projectDir, "cdktf.out");
}

/** Runs `npm run --silent synth` in `projectDir` (its output goes to `log`) and returns the output directory. */
export async function synthesize(
  projectDir: string,
  log: Log,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  log(`npm run synth in ${projectDir}`);
  const r = await run("npm", ["run", "--silent", "synth"], { cwd: projectDir, env, onOutput: log });
  if (r.code !== 0) {
    throw new Error(`npm run synth in ${projectDir} failed (exit ${r.code}):\n${tail(r.output)}`);
  }
  const out = outputDirOf(projectDir);
  if (!existsSync(join(out, "manifest.json"))) {
    throw new Error(`npm run synth in ${projectDir} succeeded but wrote no ${out}/manifest.json`);
  }
  return out;
}

export interface BaseSynthesis {
  readonly outDir: string;
  readonly treeRoot: string;
  /** Removes the worktree (a no-op when it was kept). */
  cleanup(): Promise<void>;
}

/** Synthesizes `ref` in a temporary worktree of the repository `cwd` is in. */
export async function synthesizeRef(
  ref: string,
  cwd: string,
  log: Log,
  options: { keepWorktree?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<BaseSynthesis> {
  const worktree = await addWorktree(ref, cwd, log);
  const cleanup = async () => {
    if (options.keepWorktree) log(`kept the base worktree at ${worktree.projectDir}`);
    else await worktree.remove();
  };
  try {
    await provideNodeModules(worktree.projectDir, cwd, log, options.env);
    const outDir = await synthesize(worktree.projectDir, log, options.env);
    return { outDir, treeRoot: worktree.projectDir, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

/** `ref` synthesized in full in a temporary worktree, as an output to compare with. */
export async function synthesizedRef(
  ref: string,
  cwd: string,
  log: Log,
  env: NodeJS.ProcessEnv,
): Promise<{ output: SynthOutput; cleanup(): Promise<void> }> {
  const b = await synthesizeRef(ref, cwd, log, { env });
  return { output: new SynthOutput(b.outDir, b.treeRoot), cleanup: b.cleanup };
}
