import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fleetFixture, registryOrg } from "../../testing/fleet-fixture";
import { committedFleet } from "../../testing/fleet-synth";
import { COMMITTED_FLEET_NOTICES, REPO_ROOT, runCli, stderrNoticeFields } from "../../testing/run-cli";
import { earlierOutput, treeHash } from "../../testing/tree-hash";

interface Manifest {
  stacks: Record<string, { name: string; dependencies: string[]; synthesizedStackPath: string }>;
}

describe("npm run synth on the committed fleet", () => {
  const out = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");
  const result = runCli("bin/synth.ts", ["--output", out]);
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest;
  const ids = Object.keys(manifest.stacks);
  const fleet = committedFleet();

  test("succeeds and prints a summary", () => {
    expect(stderrNoticeFields(result.stderr)).toEqual(COMMITTED_FLEET_NOTICES);
    expect(result.status).toBe(0);
    // Counted from the fleet definition (one apps and apps-k8s stack per org environment, one
    // platform and studio pair per environment; kinds in plan order), so adding an org or environment keeps this green.
    const n = {
      platform: fleet.platforms.length,
      studio: fleet.studios.length,
      org: fleet.orgs.length,
      apps: fleet.apps.length,
      services: fleet.externalClusters.length,
    };
    const kinds = [
      "1 bootstrap",
      "1 state",
      `${n.platform} platform`,
      `${n.platform} platform-k8s`,
      ...(n.services > 0 ? [`${n.services} services`] : []),
      `${n.org} org`,
      `${n.studio} studio`,
      `${n.studio} studio-k8s`,
      `${n.apps} apps`,
      `${n.apps} apps-k8s`,
    ];
    const total = 2 + 2 * n.platform + 2 * n.studio + n.services + n.org + 2 * n.apps;
    expect(result.stdout).toContain(`synthesized ${total} stacks (${kinds.join(", ")}) for ${n.org} orgs`);
    expect(total).toBeGreaterThan(300);
    expect(result.stdout).toMatch(/in \d+\.\d s/);
  });

  test("yields exactly one apps and one apps-k8s stack per org/environment pair, one org stack per org", () => {
    const expectedApps = fleet.apps.map((a) => `apps-${a.org.code}-${a.environment.token}`).sort();
    expect(ids.filter((id) => id.startsWith("apps-") && !id.endsWith("-k8s")).sort()).toEqual(expectedApps);
    expect(ids.filter((id) => id.startsWith("apps-") && id.endsWith("-k8s")).sort()).toEqual(
      expectedApps.map((id) => `${id}-k8s`).sort(),
    );
    expect(ids.filter((id) => id.startsWith("org-")).sort()).toEqual(
      fleet.orgs.map((o) => `org-${o.code}`).sort(),
    );
    expect(ids).toHaveLength(new Set(ids).size);
  });

  test("writes one cdk.tf.json per stack", () => {
    for (const id of ids) {
      expect(statSync(join(out, manifest.stacks[id]!.synthesizedStackPath)).isFile()).toBe(true);
    }
  });

  test("records each -k8s stack's dependency on its cluster stack", () => {
    for (const id of ids.filter((i) => i.endsWith("-k8s"))) {
      expect(manifest.stacks[id]!.dependencies).toEqual([id.replace(/-k8s$/, "")]);
    }
    // Apps stacks read only their org's registry, nothing of the Platform (docs/operators.md).
    expect(manifest.stacks["apps-ttd-tt02"]!.dependencies).toEqual(["org-ttd"]);
  });

  test("adds Platform for every environment, Studio for dev, staging and prod, and the state bootstrap", () => {
    const platforms = fleet.environments.map((e) => `platform-${e.token}`);
    expect(ids.filter((id) => /^platform-[a-z0-9]+$/.test(id)).sort()).toEqual(platforms.sort());
    expect(ids.filter((id) => /^studio-[a-z0-9]+$/.test(id)).sort()).toEqual([
      "studio-dev",
      "studio-prod",
      "studio-staging",
    ]);
    expect(ids).toContain("bootstrap-state");
  });

  test("contains no absolute path of this machine", () => {
    const all = ids
      .map((id) => readFileSync(join(out, manifest.stacks[id]!.synthesizedStackPath), "utf8"))
      .join("");
    for (const path of [REPO_ROOT, out, homedir()]) expect([path, all.includes(path)]).toEqual([path, false]);
  });
});

describe("npm run synth on a fleet with mistakes", () => {
  // Ten different mistakes across the four files; all must be reported in one run.
  const dir = fleetFixture({
    orgs: (d) => {
      d.orgs.abcdefghij = registryOrg(["tt02"]); // 1: storage account name too long
      d.orgs.Abc = registryOrg(["tt02"]); // 2: capitals in the org code
      d.orgs.brg!.environments.push("at99"); // 3: unknown environment
      d.orgs.nyorg = registryOrg(["tt02"], ""); // 4: no orgnr anywhere
    },
    settings: (s) => {
      const test = s.environmentClasses!.test as Record<string, any>;
      test.nodePools.user.minCount = 9; // 5: min > max
      test.maintenance.nodeOs.durationHours = 2; // 6: window too short
      test.nodePools.system.name = "Sys_Pool"; // 7: bad node pool name
      (s.orgs as Record<string, unknown>).nosuchorg = { all: {} }; // 8: override for an unknown org
      (s.environments as Record<string, unknown>).at99 = {}; // 9: override for an unknown environment
    },
    addressPlan: (d) => {
      d.allocations["apps-brg-tt02"] = d.allocations["apps-brg-prod"]!;
    }, // 10: overlap
    allocate: true,
  });
  const out = earlierOutput();
  const before = treeHash(out);
  const result = runCli("bin/synth.ts", ["--output", out], { FLEET_DIR: dir });

  test("exits non-zero", () => {
    expect(result.status).toBe(1);
  });

  test("reports all ten problems in one run, one line each", () => {
    const lines = result.stderr.split("\n").filter((l) => l.trim().startsWith("error:"));
    const expected = [
      /abcdefghij.*storageAccount/,
      /org Abc.*storageAccount/,
      /org brg, environment at99/,
      /org nyorg.*no organisation number/,
      /nodePools\.user\.minCount.*greater than maxCount/,
      /maintenance\.nodeOs\.durationHours/,
      /nodePools\.system\.name/,
      /orgs\.nosuchorg/,
      /environments\.at99.*does not define/,
      /address-plan\.yaml:\d+.*overlap/,
    ];
    const missing = expected.filter((re) => !lines.some((l) => re.test(l)));
    expect([missing.map((r) => r.source), result.stderr]).toEqual([[], result.stderr]);
    expect(result.stderr).toMatch(/has \d+ problems; nothing was synthesized/);
  });

  test("each message names the file, the field, the value and a fix", () => {
    const lines = result.stderr.split("\n").filter((l) => l.trim().startsWith("error:"));
    for (const l of lines) expect(l).toMatch(/^ *error: [\w.-]+\.(json|yaml)(:\d+)?.*: .+ Fix: .+/);
  });

  test("leaves the existing output byte-identical", () => {
    expect(treeHash(out)).toBe(before);
  });
});

describe("npm run synth -- --stacks <glob>", () => {
  test("synthesizes exactly the selected stacks and what they depend on", () => {
    const out = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");
    const result = runCli("bin/synth.ts", ["--output", out, "--stacks", "apps-brg-*"]);
    expect(result.status).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")) as Manifest;
    expect(Object.keys(manifest.stacks).sort()).toEqual([
      "apps-brg-prod",
      "apps-brg-prod-k8s",
      "apps-brg-tt02",
      "apps-brg-tt02-k8s",
      "org-brg",
    ]);
    expect(readdirSync(join(out, "stacks")).sort()).toEqual(Object.keys(manifest.stacks).sort());
  });

  test("leaves the other stacks' output untouched", () => {
    const full = join(mkdtempSync(join(tmpdir(), "synth-")), "cdktf.out");
    expect(runCli("bin/synth.ts", ["--output", full]).status).toBe(0);
    const before = treeHash(full);
    const result = runCli("bin/synth.ts", ["--output", full, "--stacks", "apps-ttd-tt02-k8s"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/synthesized 3 selected stacks/);
    // Nothing changed in the definition, so the whole tree is byte-identical.
    expect(treeHash(full)).toBe(before);
  });
});

describe("npm run allocate", () => {
  test("gives a new org's cluster a block, as the npm script runs it", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.abc = registryOrg(["tt02"]);
      },
    });
    const result = runCli("bin/allocate.ts", [], { FLEET_DIR: dir });
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toMatch(/apps-abc-tt02\s+10\.\d+\.\d+\.0\/22/);
    expect(readFileSync(join(dir, "address-plan.yaml"), "utf8")).toMatch(
      /apps-abc-tt02: 10\.\d+\.\d+\.0\/22/,
    );
  });
});

describe("every command's entry point", () => {
  const scripts = (
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }
  ).scripts;
  const entries = Object.entries(scripts)
    .map(([name, command]) => [name, /^node tools\/run\.cjs (\S+)$/.exec(command)?.[1]] as const)
    .filter((e): e is readonly [string, string] => e[1] !== undefined);

  test("covers the commands users rely on", () => {
    expect(entries.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        "synth",
        "allocate",
        "affected",
        "diff",
        "matrix",
        "plan",
        "apply",
        "policy",
        "docs",
      ]),
    );
  });

  test.each(entries)("npm run %s starts and prints its usage", (_name, entry) => {
    const result = runCli(entry, ["--help"]);
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(result.stdout).toMatch(/Usage:/);
  });
});
