/**
 * `affected --base <ref>` end to end in a throwaway git repository whose `npm run synth` is a
 * small script writing a cdktf.out: the git worktree, node_modules reuse or npm ci, synthesis
 * of both sides, the comparison and the clean-up. (The real app's synth is tested elsewhere.)
 */
import { spawnSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/affected/command";
import { main as diffMain } from "../../cli/diff/command";
import { provideNodeModules } from "../../cli/synth/synth-tree";
import { captureIO, tempDir } from "./fixtures";

/**
 * Writes cdktf.out from stacks.json; the local backend path embeds the absolute tree path. It
 * needs a node_modules directory, as a real synth does (npm ci makes one through postinstall).
 */
const SYNTH_JS = `
const fs = require("fs");
const path = require("path");
if (!fs.existsSync("node_modules")) { console.error("no node_modules"); process.exit(1); }
const fleet = process.env.FLEET_DIR ? path.resolve(process.env.FLEET_DIR) : ".";
const stacks = JSON.parse(fs.readFileSync(path.join(fleet, "stacks.json"), "utf8"));
const out = path.join(process.cwd(), "cdktf.out");
fs.rmSync(out, { recursive: true, force: true });
const manifest = { version: "0.21.0", stacks: {} };
for (const [id, s] of Object.entries(stacks)) {
  fs.mkdirSync(path.join(out, "stacks", id), { recursive: true });
  const json = {
    "//": { metadata: { stackName: id, synthesizedAt: Date.now() } },
    terraform: { backend: { local: { path: path.join(process.cwd(), ".state", id + ".tfstate") } } },
    resource: s.resource,
  };
  fs.writeFileSync(path.join(out, "stacks", id, "cdk.tf.json"), JSON.stringify(json));
  manifest.stacks[id] = { name: id, constructPath: id, workingDirectory: "stacks/" + id,
    synthesizedStackPath: "stacks/" + id + "/cdk.tf.json", dependencies: s.deps || [] };
}
fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(manifest));
console.log("synthesized " + Object.keys(stacks).length + " stacks");
`;

const LOCK = JSON.stringify({
  name: "t",
  version: "1.0.0",
  lockfileVersion: 3,
  requires: true,
  packages: { "": { name: "t", version: "1.0.0" } },
});

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.email=t@example.com", "-c", "user.name=t", ...args], {
    cwd,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

function stacksJson(storageName: string): string {
  return JSON.stringify({
    "org-a": { resource: { azurerm_container_registry: { acr: { name: "aaltinnregistry01" } } } },
    "apps-a-at22": {
      deps: ["org-a"],
      resource: {
        azurerm_storage_account: { s: { name: storageName, lifecycle: { prevent_destroy: true } } },
      },
    },
    "apps-a-at22-k8s": { deps: ["apps-a-at22"], resource: {} },
    "apps-b-at22": { resource: {} },
  });
}

function repo(): string {
  const dir = tempDir("fleet-repo-");
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "t",
      version: "1.0.0",
      private: true,
      scripts: {
        synth: "node synth.js",
        postinstall: "node -e \"require('fs').mkdirSync('node_modules/.ci',{recursive:true})\"",
      },
    }),
  );
  writeFileSync(join(dir, "package-lock.json"), LOCK);
  writeFileSync(join(dir, "synth.js"), SYNTH_JS);
  writeFileSync(join(dir, ".gitignore"), "node_modules\ncdktf.out\n");
  writeFileSync(join(dir, "stacks.json"), stacksJson("aaltinnat22strg01"));
  mkdirSync(join(dir, "node_modules"));
  git(dir, "init", "-q", "-b", "main");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "base");
  return dir;
}

describe("affected --base <ref>", () => {
  it("synthesizes the ref in a worktree, reusing node_modules, and lists what changed", async () => {
    const dir = repo();
    writeFileSync(join(dir, "stacks.json"), stacksJson("aaltinnat22strg02"));
    const io = captureIO(dir, undefined, { ...process.env, FLEET_DIR: undefined });
    expect(await main(["--base", "main"], io)).toBe(0);
    expect(io.stdout()).toBe("apps-a-at22\napps-a-at22-k8s\n");
    expect(io.stderr()).toContain("package-lock.json unchanged: reusing node_modules");
    // Not this project's code: no comparison by stack inputs, and the reason is named.
    expect(io.stderr()).toContain("comparing full syntheses: the checkout's code cannot be hashed");
    // The worktree is gone again.
    expect(git(dir, "worktree", "list").trim().split("\n")).toHaveLength(1);
  });

  it("finds nothing when only the tree path and cdktf metadata differ", async () => {
    const dir = repo();
    const io = captureIO(dir);
    expect(await main(["--base", "HEAD"], io)).toBe(0);
    expect(io.stdout()).toBe("");
  });

  it("hands FLEET_DIR to both syntheses: an absolute one makes both read the same fleet", async () => {
    const dir = repo();
    writeFileSync(join(dir, "stacks.json"), stacksJson("aaltinnat22strg02"));
    const fleet = tempDir();
    writeFileSync(join(fleet, "stacks.json"), stacksJson("shared"));
    const same = captureIO(dir, undefined, { ...process.env, FLEET_DIR: fleet });
    expect(await main(["--base", "main"], same)).toBe(0);
    expect(same.stdout()).toBe("");
    // A relative FLEET_DIR is read inside each tree: the change in stacks.json shows.
    const own = captureIO(dir, undefined, { ...process.env, FLEET_DIR: "." });
    expect(await main(["--base", "main"], own)).toBe(0);
    expect(own.stdout()).toBe("apps-a-at22\napps-a-at22-k8s\n");
  });

  it("runs npm ci for the base when package-lock.json differs", async () => {
    const dir = repo();
    writeFileSync(join(dir, "package-lock.json"), LOCK.replace('"requires":true', '"requires":false'));
    const io = captureIO(dir);
    expect(await main(["--base", "main", "--save-base-out", "base.out"], io)).toBe(0);
    expect(io.stderr()).toContain("package-lock.json differs: npm ci in the base worktree");
    expect(existsSync(join(dir, "base.out", "manifest.json"))).toBe(true);
  });

  it("feeds diff the same way, with its exit code for risks", async () => {
    const dir = repo();
    writeFileSync(join(dir, "stacks.json"), stacksJson("aaltinnat22strg02"));
    const io = captureIO(dir);
    expect(await diffMain(["--base", "main"], io)).toBe(2);
    expect(io.stdout()).toContain('name "aaltinnat22strg01" → "aaltinnat22strg02"');
  });

  it("fails with exit 1 and a hint for a ref git does not know", async () => {
    const dir = repo();
    const io = captureIO(dir);
    expect(await main(["--base", "origin/nope"], io)).toBe(1);
    expect(io.stderr()).toContain('cannot resolve "origin/nope"');
    expect(io.stderr()).toContain("fetchDepth");
  });

  it("fails with exit 1 when the base does not synthesize, and cleans up", async () => {
    const dir = repo();
    writeFileSync(join(dir, "synth.js"), "process.exit(3)");
    git(dir, "commit", "-q", "-am", "broken synth");
    writeFileSync(join(dir, "synth.js"), SYNTH_JS);
    const io = captureIO(dir);
    expect(await main(["--base", "HEAD"], io)).toBe(1);
    expect(io.stderr()).toMatch(/npm run synth in \S+ failed \(exit 3\)/);
    expect(git(dir, "worktree", "list").trim().split("\n")).toHaveLength(1);
  });
});

describe("provideNodeModules", () => {
  it("links the checkout's node_modules when the lock files are identical", async () => {
    const from = tempDir();
    const to = tempDir();
    for (const d of [from, to]) writeFileSync(join(d, "package-lock.json"), LOCK);
    mkdirSync(join(from, "node_modules"));
    await provideNodeModules(to, from, () => {});
    expect(lstatSync(join(to, "node_modules")).isSymbolicLink()).toBe(true);
  });
});
