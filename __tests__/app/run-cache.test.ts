/**
 * tools/run.cjs caches a bundle per entry point in node_modules/.cache. Two checkouts that share
 * one node_modules (the base worktree of `affected` and `diff` does) must neither replace nor
 * remove each other's bundles, also when they run at the same time, and each must know its own
 * project root (else `npm run update-lock` or `npm run docs` in one writes into the other).
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../testing/run-cli";

/** node_modules for the scratch checkouts: links to the project's packages, but its own .cache. */
function nodeModulesIn(dir: string): string {
  const modules = join(dir, "node_modules");
  mkdirSync(modules, { recursive: true });
  for (const name of readdirSync(join(REPO_ROOT, "node_modules"))) {
    if (name === ".cache") continue;
    symlinkSync(join(REPO_ROOT, "node_modules", name), join(modules, name));
  }
  return modules;
}

/**
 * A minimal checkout: package.json, tools/run.cjs, cli/shared/project-root.ts, a lock file, main.ts and
 * bin/probe.ts printing `word` and the project root it finds. Its node_modules is its own
 * (`nodeModules` undefined) or a link to another checkout's, as the base worktree of `affected` has.
 */
function checkout(root: string, name: string, word: string, nodeModules?: string): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "tools"), { recursive: true });
  mkdirSync(join(dir, "bin"));
  mkdirSync(join(dir, "cli", "shared"), { recursive: true });
  copyFileSync(join(REPO_ROOT, "tools", "run.cjs"), join(dir, "tools", "run.cjs"));
  copyFileSync(
    join(REPO_ROOT, "cli", "shared", "project-root.ts"),
    join(dir, "cli", "shared", "project-root.ts"),
  );
  copyFileSync(join(REPO_ROOT, "package.json"), join(dir, "package.json"));
  writeFileSync(join(dir, "package-lock.json"), "{}\n");
  writeFileSync(join(dir, "main.ts"), "export {};\n");
  setWord(dir, word);
  if (nodeModules === undefined) nodeModulesIn(dir);
  else symlinkSync(nodeModules, join(dir, "node_modules"));
  return dir;
}

function setWord(dir: string, word: string, mtime?: Date): void {
  const file = join(dir, "bin", "probe.ts");
  writeFileSync(
    file,
    `import { PROJECT_ROOT } from "../cli/shared/project-root";\nprocess.stdout.write(\`${word} \${PROJECT_ROOT}\`);\n`,
  );
  if (mtime) utimesSync(file, mtime, mtime);
}

function run(dir: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(dir, "tools", "run.cjs"), "bin/probe.ts"], { cwd: dir });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

describe("tools/run.cjs with node_modules shared by two checkouts", () => {
  const root = mkdtempSync(join(tmpdir(), "run-cache-"));
  const a = checkout(root, "a", "alpha");
  const nodeModules = join(a, "node_modules");
  const b = checkout(root, "b", "beta", nodeModules);
  const cache = join(nodeModules, ".cache", "fleet-run");
  const said = (dir: string, word: string) => ({ code: 0, out: `${word} ${dir}`, err: "" });
  const bundles = () => readdirSync(cache).filter((f) => f.endsWith(".cjs"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("each checkout keeps its own bundle: neither replaces or removes the other's", async () => {
    // Each also finds its own project root, though b's bundle lives in a's node_modules.
    expect(await run(a)).toEqual(said(a, "alpha"));
    expect(await run(b)).toEqual(said(b, "beta"));
    expect(bundles()).toHaveLength(2);
    // Both still cached: running either again builds nothing and removes nothing.
    const before = bundles().sort();
    expect((await run(a)).out).toBe(`alpha ${a}`);
    expect(bundles().sort()).toEqual(before);
  });

  test("concurrent runs while both checkouts change their sources each print their own output", async () => {
    for (let round = 0; round < 6; round++) {
      // A source change (new mtime) makes each checkout rebuild and clean up its stale bundle.
      const t = new Date(Date.now() + (round + 1) * 1000);
      setWord(a, `alpha${round}`, t);
      setWord(b, `beta${round}`, t);
      const results = await Promise.all([run(a), run(b), run(a), run(b)]);
      expect(results).toEqual([
        said(a, `alpha${round}`),
        said(b, `beta${round}`),
        said(a, `alpha${round}`),
        said(b, `beta${round}`),
      ]);
    }
    // One bundle per checkout is left, and no build directory.
    expect(bundles()).toHaveLength(2);
    expect(readdirSync(cache).filter((f) => f.startsWith(".build-"))).toEqual([]);
  });
});
