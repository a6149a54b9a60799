/**
 * Issue 13's acceptance: a fleet directory with many different mistakes across all four files
 * reports every one of them in one run, each with file, line, org or environment, field, value
 * and a fix; following a fix (where it is mechanical) makes that problem go away; synth exits 1
 * and leaves cdktf.out/ byte-identical.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { loadFleet } from "../../fleet/load";
import { type FleetProblem, formatProblem } from "../../fleet/problems";
import { fleetFixture, registryOrg } from "../../testing/fleet-fixture";
import { runCli } from "../../testing/run-cli";
import { earlierOutput, treeHash } from "../../testing/tree-hash";

type Doc = Record<string, any>;

function editFile(dir: string, file: string, fn: (doc: Doc) => void): void {
  const path = join(dir, file);
  const json = file.endsWith(".json");
  const doc = (json ? JSON.parse(readFileSync(path, "utf8")) : parse(readFileSync(path, "utf8"))) as Doc;
  fn(doc);
  writeFileSync(path, json ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc));
}

function copyOf(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), "fleet-fix-"));
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** What the fix text says to write (the first match of `re`), so the test follows the fix itself. */
function fromFix(p: FleetProblem, re: RegExp): string {
  const m = re.exec(p.fix);
  if (!m) throw new Error(`fix does not say what to write: ${p.fix}`);
  return m[1]!;
}

interface Mistake {
  readonly what: string;
  readonly file: string;
  readonly apply: (dir: string) => void;
  readonly expect: Partial<Omit<FleetProblem, "message">> & { message: RegExp };
  /** Follow the fix in a copy; absent where the fix is a decision (which environment, which GUID). */
  readonly follow?: (dir: string, p: FleetProblem) => void;
}

const ORGS = "altinn-orgs.json";
const ENVS = "environments.json";
const SETTINGS = "fleet.yaml";
const PLAN = "address-plan.yaml";

const mistakes: Mistake[] = [
  {
    what: "org code with an underscore",
    file: ORGS,
    apply: (d) => editFile(d, ORGS, (o) => (o.orgs.n_av = registryOrg(["tt02"], "889640782"))),
    expect: {
      org: "n_av",
      field: "orgs.n_av",
      value: "n_av",
      message: /only letters and digits.*underscore/,
    },
    follow: (d, p) =>
      editFile(d, ORGS, (o) => {
        o.orgs[fromFix(p, /e\.g\. (\w+)\)/)] = o.orgs.n_av;
        delete o.orgs.n_av;
      }),
  },
  {
    what: "org code with a dot",
    file: ORGS,
    apply: (d) => editFile(d, ORGS, (o) => (o.orgs["s.kd2"] = registryOrg(["tt02"], "974761076"))),
    expect: { org: "s.kd2", field: "orgs.s.kd2", message: /only letters and digits.*a dot/ },
    follow: (d, p) =>
      editFile(d, ORGS, (o) => {
        o.orgs[fromFix(p, /e\.g\. (\w+)\)/)] = o.orgs["s.kd2"];
        delete o.orgs["s.kd2"];
      }),
  },
  {
    what: "org code with capitals (derived storage account name)",
    file: ORGS,
    apply: () => undefined, // added before allocation, below
    expect: {
      org: "Abc",
      environment: "tt02",
      field: "derived name storageAccount",
      message: /lowercase.*capital letters of the org code break the derived .*dnsZone/,
    },
    follow: (d, p) =>
      editFile(d, ORGS, (o) => {
        o.orgs[fromFix(p, /in lower case \((\w+)\)/)] = o.orgs.Abc;
        delete o.orgs.Abc;
      }),
  },
  {
    what: "org lists an environment the fleet does not define",
    file: ORGS,
    apply: (d) => editFile(d, ORGS, (o) => o.orgs.brg.environments.push("at99")),
    expect: {
      org: "brg",
      environment: "at99",
      field: "orgs.brg.environments[2]",
      message: /does not define/,
    },
    follow: (d) => editFile(d, ORGS, (o) => o.orgs.brg.environments.pop()),
  },
  {
    what: "hostname with a trailing dot",
    file: ENVS,
    apply: (d) => editFile(d, ENVS, (e) => (e.environments[1].hostname = "at23.altinn.cloud.")),
    expect: { environment: "at23", field: "hostname", value: "at23.altinn.cloud.", message: /trailing dot/ },
    follow: (d, p) => editFile(d, ENVS, (e) => (e.environments[1].hostname = fromFix(p, /write "([^"]+)"/))),
  },
  {
    what: "environment type outside the schema",
    file: ENVS,
    apply: (d) => editFile(d, ENVS, (e) => (e.environments[2].type = "staging")),
    expect: {
      environment: "at24",
      field: "type",
      value: "staging",
      message: /must be one of "test", "production"/,
    },
    follow: (d) => editFile(d, ENVS, (e) => (e.environments[2].type = "test")),
  },
  {
    what: "VM size without the version's underscore",
    file: SETTINGS,
    apply: (d) =>
      editFile(d, SETTINGS, (s) => (s.environmentClasses.test.nodePools.user.vmSize = "Standard_E8sv5")),
    expect: {
      field: "environmentClasses.test.nodePools.user.vmSize",
      value: "Standard_E8sv5",
      message: /not an Azure VM size/,
    },
    follow: (d, p) =>
      editFile(
        d,
        SETTINGS,
        (s) =>
          (s.environmentClasses.test.nodePools.user.vmSize = fromFix(p, /use (Standard_\w+) \(the nearest/)),
      ),
  },
  {
    what: "VM size of a version that does not exist",
    file: SETTINGS,
    apply: (d) =>
      editFile(
        d,
        SETTINGS,
        (s) => (s.orgs.skd.environments.production.nodePools.user.vmSize = "Standard_E8s_v9"),
      ),
    expect: {
      org: "skd",
      environment: "production",
      field: "orgs.skd.environments.production.nodePools.user.vmSize",
      value: "Standard_E8s_v9",
      message: /no series E<vCPUs>s_v9/,
    },
    follow: (d, p) =>
      editFile(
        d,
        SETTINGS,
        (s) =>
          (s.orgs.skd.environments.production.nodePools.user.vmSize = fromFix(
            p,
            /use (Standard_\w+) \(the nearest/,
          )),
      ),
  },
  {
    what: "override keyed by the name token prod",
    file: SETTINGS,
    apply: (d) =>
      editFile(d, SETTINGS, (s) => (s.orgs.ttd.environments = { prod: { ingress: { replicas: 3 } } })),
    expect: {
      org: "ttd",
      field: "orgs.ttd.environments.prod",
      value: "prod",
      message: /only the name token of production/,
    },
    follow: (d, p) =>
      editFile(d, SETTINGS, (s) => {
        s.orgs.ttd.environments = { [fromFix(p, /key must be `(\w+)`/)]: s.orgs.ttd.environments.prod };
      }),
  },
  {
    what: "minCount greater than maxCount",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.environmentClasses.test.nodePools.system.minCount = 9)),
    expect: {
      field: "environmentClasses.test.nodePools.system.minCount",
      value: 9,
      message: /greater than maxCount/,
    },
    follow: (d) =>
      editFile(d, SETTINGS, (s) => {
        const pool = s.environmentClasses.test.nodePools.system;
        pool.minCount = pool.maxCount; // "make minCount at most maxCount"
      }),
  },
  {
    what: "a value outside its enum (registry SKU)",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.registry.sku = "Ultra")),
    expect: {
      field: "registry.sku",
      value: "Ultra",
      message: /must be one of "Basic", "Standard", "Premium"/,
    },
    follow: (d, p) => editFile(d, SETTINGS, (s) => (s.registry.sku = /"(\w+)"/.exec(p.message)![1])),
  },
  {
    what: "a misspelt key in an environment override",
    file: SETTINGS,
    apply: (d) =>
      editFile(d, SETTINGS, (s) => (s.environments.tt02 = { nodepools: { user: { maxCount: 8 } } })),
    expect: { field: "environments.tt02.nodepools", message: /not known here/ },
    follow: (d) => editFile(d, SETTINGS, (s) => delete s.environments.tt02.nodepools), // "remove it"
  },
  {
    what: "settings for an org that is not in the registry",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.orgs.nosuchorg = { all: {} })),
    expect: { org: "nosuchorg", field: "orgs.nosuchorg", message: /not in altinn-orgs.json/ },
    follow: (d) => editFile(d, SETTINGS, (s) => delete s.orgs.nosuchorg),
  },
  {
    what: "an orgnr that contradicts the registry",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.orgs.brg = { orgnr: "123456789" })),
    expect: { org: "brg", field: "orgs.brg.orgnr", value: "123456789", message: /contradicts the registry/ },
    follow: (d) => editFile(d, SETTINGS, (s) => delete s.orgs.brg),
  },
  {
    what: "pipeline identities naming no role set",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.state.principals.at22.roles = "environmnet")),
    expect: {
      environment: "at22",
      field: "state.principals.at22.roles",
      value: "environmnet",
      message: /no role set/,
    },
    follow: (d, p) =>
      editFile(d, SETTINGS, (s) => (s.state.principals.at22.roles = fromFix(p, /use one of (\w+)/))),
  },
  {
    what: "a subscription id that is not a GUID",
    file: SETTINGS,
    apply: (d) => editFile(d, SETTINGS, (s) => (s.subscriptions.at23 = "e1ec2747-6698-4d94-b79c")),
    expect: { field: "subscriptions.at23", value: "e1ec2747-6698-4d94-b79c", message: /not a GUID/ },
    follow: (d, p) =>
      editFile(d, SETTINGS, (s) => (s.subscriptions.at23 = fromFix(p, /such as ([0-9a-f-]{36})/))),
  },
  {
    what: "two clusters given the same block",
    file: PLAN,
    apply: (d) => editFile(d, PLAN, (a) => (a.allocations["apps-brg-tt02"] = a.allocations["apps-brg-prod"])),
    expect: { field: "allocations.apps-brg-tt02", message: /overlap/ },
    follow: (d) => editFile(d, PLAN, (a) => (a.allocations["apps-brg-tt02"] = "10.1.4.0/22")), // "restore the entry"
  },
  {
    what: "a block not aligned to its size",
    file: PLAN,
    apply: (d) => editFile(d, PLAN, (a) => (a.allocations["apps-buf-tt02"] = "10.1.13.0/22")),
    expect: { field: "allocations.apps-buf-tt02", value: "10.1.13.0/22", message: /not aligned/ },
    follow: (d) => editFile(d, PLAN, (a) => (a.allocations["apps-buf-tt02"] = "10.1.12.0/22")),
  },
];

/** The fleet with every mistake; Abc gets its block first, as `npm run allocate` would. */
function fleetWithMistakes(): string {
  const dir = fleetFixture({
    orgs: (d) => (d.orgs.Abc = registryOrg(["tt02"], "974760673")),
    allocate: true,
  });
  for (const m of mistakes) m.apply(dir);
  return dir;
}

const matches = (p: FleetProblem, m: Mistake) =>
  p.severity === "error" &&
  p.file === m.file &&
  m.expect.message.test(p.message) &&
  Object.entries(m.expect).every(
    ([k, v]) => k === "message" || JSON.stringify((p as unknown as Doc)[k]) === JSON.stringify(v),
  );

describe("a fleet with many mistakes across all four files", () => {
  const dir = fleetWithMistakes();
  const { problems, fleet } = loadFleet(dir);
  const errors = problems.filter((p) => p.severity === "error");

  test("has at least fifteen different mistakes, in all four files", () => {
    expect(mistakes.length).toBeGreaterThanOrEqual(15);
    expect(new Set(mistakes.map((m) => m.file))).toEqual(new Set([ORGS, ENVS, SETTINGS, PLAN]));
  });

  test.each(mistakes.map((m) => [m.what, m] as const))(
    "reports %s once, with line, field, value and a fix",
    (_what, m) => {
      const hits = errors.filter((p) => matches(p, m));
      expect([m.what, hits.length, hits.length === 0 ? errors.map(formatProblem) : []]).toEqual([
        m.what,
        1,
        [],
      ]);
      const p = hits[0]!;
      expect(p.line).toEqual(expect.any(Number));
      expect(p.fix.length).toBeGreaterThan(5);
      // No stack traces or dumps of whole objects in the message.
      expect(p.message).not.toMatch(/\bat .*\.ts:\d+|\{"/);
    },
  );

  test("reports nothing else: every error is one of the mistakes (one root cause, one error)", () => {
    const unexplained = errors.filter((p) => !mistakes.some((m) => matches(p, m)));
    expect(unexplained.map(formatProblem)).toEqual([]);
    expect(fleet).toBeUndefined();
  });

  test.each(mistakes.filter((m) => m.follow).map((m) => [m.what, m] as const))(
    "following the fix for %s makes it go away",
    (_what, m) => {
      const copy = copyOf(dir);
      m.follow!(copy, errors.find((p) => matches(p, m))!);
      const after = loadFleet(copy).problems.filter((p) => matches(p, m));
      expect(after.map(formatProblem)).toEqual([]);
    },
  );

  test("npm run synth exits 1, prints every error in one run and leaves cdktf.out/ byte-identical", () => {
    const out = earlierOutput();
    const before = treeHash(out);
    const result = runCli("bin/synth.ts", ["--output", out], { FLEET_DIR: dir });
    expect(result.status).toBe(1);
    for (const p of errors) expect(result.stderr).toContain(formatProblem(p));
    expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(treeHash(out)).toBe(before);
  });
});
