/**
 * The prebuilt command line of the pipeline's legs (`npm run bundle`, tools/bundle.cjs): one file
 * that runs `plan`, `apply` and `pipeline <sub>` from a directory without node_modules, and that
 * carries neither cdktf nor a provider package. With a terraform binary, it also plans a
 * provider-free stack for real.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, parse } from "node:path";
import { terraformBinary } from "../../cli/terraform/terraform";
import { tempDir, writeOut } from "../cli/fixtures";

// tools/bundle.cjs is plain CommonJS (it runs before anything is built).
const { bundleFleetCli } = require("../../tools/bundle.cjs") as {
  bundleFleetCli: (outDir: string) => { file: string; modules: string[] };
};

/** Whether a node_modules directory is visible from `dir` or any directory above it. */
function nodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, "node_modules"))) return true;
    if (d === parse(d).root) return false;
  }
}

describe("the prebuilt command line", () => {
  let built: { file: string; modules: string[] };
  let bare: string;
  const node = (args: string[], cwd = bare, env: NodeJS.ProcessEnv = {}) => {
    const { NODE_PATH: _ignored, ...rest } = process.env;
    return spawnSync(process.execPath, [join(bare, "fleet.cjs"), ...args], {
      cwd,
      env: { ...rest, ...env },
      encoding: "utf8",
    });
  };

  beforeAll(() => {
    built = bundleFleetCli(join(tempDir("fleet-bundle-"), "fleet-cli"));
    bare = tempDir("fleet-leg-");
    copyFileSync(built.file, join(bare, "fleet.cjs"));
  });

  test("holds the leg commands, and no cdktf, provider or constructs package", () => {
    expect(built.modules).toContain("cli/terraform/terraform.ts");
    expect(built.modules).toContain("cli/pipeline/pipeline-collect.ts");
    expect(built.modules.filter((m) => /node_modules\/(cdktf|@cdktf|constructs)\//.test(m))).toEqual([]);
    expect(readFileSync(built.file).length).toBeLessThan(2 * 1024 * 1024);
  });

  test.each([
    [["plan", "--help"], /^Usage: plan \[options\]/],
    [["apply", "--help"], /^Usage: apply \[options\]/],
    [["pipeline", "collect", "--help"], /^Usage: pipeline collect \[options\]/],
    [["pipeline", "init-state", "--help"], /^Usage: pipeline init-state \[options\]/],
    [["pipeline", "check-environments", "--help"], /^Usage: pipeline check-environments \[options\]/],
  ])("runs %j from a directory without node_modules", (args, usage) => {
    expect(nodeModulesAbove(bare)).toBe(false);
    const r = node(args);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(usage);
  });

  test("an unknown command is an error with the usage", () => {
    const r = node(["synth"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: unknown command synth\nusage: fleet <command>/);
  });

  const withTerraform =
    spawnSync(terraformBinary(), ["version"], { stdio: "ignore" }).status === 0 ? test : test.skip;
  withTerraform("plans a provider-free stack with the real terraform binary (exit 2: changes)", () => {
    const root = tempDir("fleet-bundle-plan-");
    const out = writeOut(root, "cdktf.out", [
      {
        id: "org-ttd",
        json: {
          terraform: { backend: { local: { path: join(root, "org-ttd.tfstate") } } },
          resource: { terraform_data: { registry: { input: "r1" } } },
        },
      },
    ]);
    const config = join(root, "terraformrc");
    writeFileSync(config, "");
    const r = node(
      ["plan", "--stack", "org-ttd", "--cdktf-out", out, "--out-dir", join(root, "plans")],
      root,
      {
        TF_CLI_CONFIG_FILE: config,
        CHECKPOINT_DISABLE: "1",
      },
    );
    expect(r.stdout).toMatch(/^\[plan\] org-ttd: changes \+1 ~0 -0/m);
    expect(r.status).toBe(2);
  });
});
