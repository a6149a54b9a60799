/**
 * README "Add an organisation" and "Decommission an organisation", each followed in a FLEET_DIR
 * copy of the committed fleet: every check
 * `npm test` makes on files generated from the fleet (docs/, azure-pipelines.yml, the address
 * lock, the permissions) either still passes or names the command that regenerates its file,
 * and the README's steps run that command. So each procedure, followed literally, keeps CI green.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fleetFixture, registryOrg } from "../../testing/fleet-fixture";
import { REPO_ROOT, runCli } from "../../testing/run-cli";

const README = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

/** The text of a `### <title>` section of the README. */
function section(title: string): string {
  const start = README.indexOf(`### ${title}\n`);
  if (start < 0) throw new Error(`README has no section "### ${title}"`);
  const rest = README.slice(start + title.length + 5);
  const end = rest.search(/^#{2,3} /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The npm scripts a text runs (`npm run <name>`). */
function commandsIn(text: string): Set<string> {
  return new Set([...text.matchAll(/npm run ([a-z][a-z-]*)/g)].map((m) => m[1]!));
}

/**
 * The checks the test suite makes on generated files, as their commands make them: each passes,
 * or names the command that regenerates its file, and the procedure's `steps` run that command.
 */
function checksPassOrAreRegenerated(
  steps: ReadonlySet<string>,
  env: Record<string, string>,
  out: string,
): void {
  const checks: [string, string, string[]][] = [
    ["docs", "bin/docs.ts", ["--check", "--from", out]],
    ["pipeline", "bin/pipeline.ts", ["--check"]],
    ["update-lock", "bin/update-lock.ts", ["--check"]],
    ["permissions", "bin/permissions.ts", ["--out", out]],
  ];
  test.each(checks)(
    "npm run %s's check passes, or the README's steps regenerate what it names",
    (_n, script, args) => {
      const r = runCli(script, args, env);
      if (r.status === 0) return;
      const named = commandsIn(`${r.stdout}\n${r.stderr}`);
      // A failing check must say how to fix it, with a command ...
      expect([...named].length).toBeGreaterThan(0);
      // ... and the procedure must run it.
      const missing = [...named].filter((c) => !steps.has(c));
      expect({ script, missing, output: `${r.stdout}${r.stderr}`.slice(0, 2000) }).toEqual({
        script,
        missing: [],
        output: expect.any(String),
      });
    },
  );
}

describe('README "Add an organisation", followed in a copy of the fleet', () => {
  const steps = commandsIn(section("Add an organisation"));
  // Step 1: the new org in the registry, with an organisation number (so step 2 has nothing to add).
  const dir = fleetFixture({
    orgs: (doc) => {
      doc.orgs.abc = registryOrg(["tt02", "production"]);
    },
  });
  const env = { FLEET_DIR: dir };
  const out = join(mkdtempSync(join(tmpdir(), "readme-add-org-")), "cdktf.out");
  const allocate = runCli("bin/allocate.ts", [], env);
  const synth = runCli("bin/synth.ts", ["--output", out], env);

  test("allocate and synth succeed and build the new org's stacks", () => {
    expect([...steps]).toEqual(expect.arrayContaining(["allocate", "synth"]));
    expect([allocate.status, synth.status]).toEqual([0, 0]);
    expect(readFileSync(join(out, "manifest.json"), "utf8")).toContain('"apps-abc-tt02-k8s"');
  });

  checksPassOrAreRegenerated(steps, env, out);
});

test('README "Add an environment" names the same generators', () => {
  const org = commandsIn(section("Add an organisation"));
  const environment = commandsIn(section("Add an environment"));
  for (const c of ["allocate", "synth", "docs", "pipeline", "update-lock"]) {
    expect([c, org.has(c), environment.has(c)]).toEqual([c, true, true]);
  }
});

describe('README "Decommission an organisation", followed in a copy of the fleet', () => {
  const steps = commandsIn(section("Decommission an organisation"));
  // Steps 1, 2 and 5: dfo (tt02 only) leaves the registry, its orgnr moves to fleet.yaml, and
  // its entry carries both settings.
  const dir = fleetFixture({
    orgs: (doc) => {
      delete doc.orgs.dfo;
    },
    settings: (doc) => {
      (doc.orgs as Record<string, unknown>).dfo = { orgnr: "986252932" };
      doc.decommission = { dfo: { environments: ["tt02"], destroyStatefulResources: true } };
    },
  });
  const env = { FLEET_DIR: dir };
  const out = join(mkdtempSync(join(tmpdir(), "readme-decommission-")), "cdktf.out");
  const synth = runCli("bin/synth.ts", ["--output", out], env);

  test("synth succeeds and keeps the org's stacks, in destroy mode", () => {
    expect([...steps]).toEqual(
      expect.arrayContaining(["synth", "allocate", "docs", "pipeline", "update-lock"]),
    );
    expect(synth.status).toBe(0);
    const stacks = JSON.parse(readFileSync(join(out, "stacks.json"), "utf8")).stacks;
    expect(stacks["apps-dfo-tt02"].mode).toBe("destroy");
    expect(stacks["apps-dfo-tt02-k8s"].mode).toBe("destroy");
  });

  checksPassOrAreRegenerated(steps, env, out);
});
