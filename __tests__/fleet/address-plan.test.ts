import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ADDRESS_PLAN_HEADER,
  type AddressPlanSettings,
  AddressPoolExhaustedError,
  APPS_SUBNETS,
  allocate,
  CLUSTER_SUBNETS,
  checkAddressPlan,
  loadAddressPlan,
  parseAddressPlan,
  poolUsage,
  renderAddressPlan,
  SERVICE_SUBNETS,
  type SubnetSpec,
  smallestBlockPrefixFor,
  subnetCidr,
  subnetLayout,
  validateAddressPlan,
  validateAddressPlanSettings,
} from "../../fleet/address-plan";
import { type AllocateOutput, main, runAllocate } from "../../fleet/address-plan-cli";
import { type FleetProblem, FleetValidationError } from "../../fleet/problems";

const settings: AddressPlanSettings = {
  pool: "10.0.0.0/9",
  blockPrefixLength: 22,
  reserved: [{ cidr: "10.0.0.0/16", reason: "hub network" }],
  podCidr: "10.240.0.0/16",
  serviceCidr: "10.250.0.0/24",
  dnsServiceIp: "10.250.0.10",
};

const errors = (problems: readonly FleetProblem[]) => problems.filter((p) => p.severity === "error");
const notices = (problems: readonly FleetProblem[]) => problems.filter((p) => p.severity === "notice");
const plan = (entries: Record<string, string>) => new Map(Object.entries(entries));

/** Validates settings with one field replaced; returns the error problems. */
function settingsErrors(change: Partial<Record<keyof AddressPlanSettings, unknown>>): FleetProblem[] {
  return errors(validateAddressPlanSettings({ ...settings, ...change } as AddressPlanSettings));
}

/** The single error of validating `entries` with `required` keys. */
function onlyError(entries: Record<string, string>, required = Object.keys(entries)): FleetProblem {
  const found = errors(validateAddressPlan(settings, plan(entries), required));
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("address plan settings", () => {
  it("accepts the fleet's settings", () => {
    expect(validateAddressPlanSettings(settings)).toEqual([]);
  });

  it.each([["10.0.0.0"], ["10.0.0.0/33"], ["banana"], ["010.0.0.0/9"], [42]])("rejects pool %p", (pool) => {
    const [p] = settingsErrors({ pool });
    expect(p).toMatchObject({ file: "fleet.yaml", field: "addressPlan.pool", value: pool });
    expect(p!.message).toMatch(/not an IPv4 CIDR/);
  });

  it("rejects a pool with host bits and names its network", () => {
    const [p] = settingsErrors({ pool: "10.1.0.0/9" });
    expect(p!.message).toContain("10.0.0.0/9");
    expect(p!.fix).toBe("write 10.0.0.0/9");
  });

  it("rejects a pool Azure forbids in virtual networks", () => {
    const [p] = settingsErrors({ pool: "169.254.0.0/16", podCidr: "10.240.0.0/16" });
    expect(p).toMatchObject({ field: "addressPlan.pool" });
    expect(p!.message).toContain("link-local");
  });

  it.each([
    [8, /larger than the pool/],
    [22.5, /whole number/],
    ["22", /whole number/],
    [23, /too small for the cluster subnets .* at least a \/22/],
  ])("rejects blockPrefixLength %p", (blockPrefixLength, message) => {
    const [p] = settingsErrors({ blockPrefixLength });
    expect(p).toMatchObject({ field: "addressPlan.blockPrefixLength" });
    expect(p!.message).toMatch(message);
  });

  it("rejects malformed reserved ranges and reserved ranges without a reason", () => {
    const found = settingsErrors({
      reserved: [
        { cidr: "10.0.0.0/16", reason: "hub" },
        { cidr: "10.1.0/16", reason: "typo" },
        { cidr: "10.2.0.0/16", reason: " " },
      ],
    });
    expect(found.map((p) => p.field)).toEqual([
      "addressPlan.reserved[1].cidr",
      "addressPlan.reserved[2].reason",
    ]);
  });

  it("rejects reserved that is not a list", () => {
    expect(settingsErrors({ reserved: "10.0.0.0/16" })[0]).toMatchObject({ field: "addressPlan.reserved" });
  });

  it("allows reserved ranges inside and outside the pool", () => {
    expect(
      settingsErrors({
        reserved: [
          { cidr: "10.0.0.0/16", reason: "hub" },
          { cidr: "192.168.0.0/16", reason: "on-premises" },
        ],
      }),
    ).toEqual([]);
  });

  it("rejects a pod CIDR inside the pool", () => {
    const [p] = settingsErrors({ podCidr: "10.100.0.0/16" });
    expect(p).toMatchObject({ field: "addressPlan.podCidr", value: "10.100.0.0/16" });
    expect(p!.message).toMatch(/overlaps the pool 10\.0\.0\.0\/9/);
  });

  it("rejects a service CIDR inside the pool", () => {
    const [p] = settingsErrors({ serviceCidr: "10.1.0.0/24", dnsServiceIp: "10.1.0.10" });
    expect(p).toMatchObject({ field: "addressPlan.serviceCidr" });
    expect(p!.message).toMatch(/overlaps the pool/);
  });

  it("rejects a pod CIDR overlapping a reserved range and names the reason", () => {
    const [p] = settingsErrors({
      reserved: [...settings.reserved, { cidr: "10.240.0.0/12", reason: "peered data centre" }],
    });
    expect(p).toMatchObject({ field: "addressPlan.podCidr" });
    expect(p!.message).toContain("reserved range 10.240.0.0/12 (peered data centre)");
  });

  it("rejects pod and service CIDRs that overlap each other", () => {
    const [p] = settingsErrors({ podCidr: "10.250.0.0/16" });
    expect(p).toMatchObject({ field: "addressPlan.serviceCidr" });
    expect(p!.message).toContain("overlaps the pod CIDR 10.250.0.0/16");
  });

  it.each([
    ["10.250.0", /IPv4 address without a prefix/],
    ["10.250.0.10/32", /IPv4 address without a prefix/],
    ["10.251.0.10", /outside the service CIDR/],
    ["10.250.0.0", /first address/],
    ["10.250.0.255", /last \(broadcast\) address/],
  ])("rejects dnsServiceIp %p", (dnsServiceIp, message) => {
    const [p] = settingsErrors({ dnsServiceIp });
    expect(p).toMatchObject({ field: "addressPlan.dnsServiceIp", value: dnsServiceIp });
    expect(p!.message).toMatch(message);
  });

  it("names the settings file, field and line it is given", () => {
    const [p] = validateAddressPlanSettings(
      { ...settings, pool: "nope" },
      { settingsFile: "other.yaml", settingsField: "network", settingsLines: new Map([["pool", 7]]) },
    );
    expect(p).toMatchObject({ file: "other.yaml", line: 7, field: "network.pool" });
  });

  it("reports every settings problem at once", () => {
    const found = settingsErrors({ pool: "x", podCidr: "y", serviceCidr: "z", dnsServiceIp: "w" });
    expect(found.map((p) => p.field)).toEqual([
      "addressPlan.pool",
      "addressPlan.podCidr",
      "addressPlan.serviceCidr",
      "addressPlan.dnsServiceIp",
    ]);
  });
});

describe("validateAddressPlan", () => {
  const good = {
    "apps-ttd-at22": "10.1.0.0/22",
    "apps-ttd-tt02": "10.1.4.0/22",
    "studio-dev": "10.127.252.0/22",
  };

  it("accepts a valid plan", () => {
    expect(validateAddressPlan(settings, plan(good), Object.keys(good))).toEqual([]);
  });

  it("reports a required key without a block", () => {
    const p = onlyError(good, [...Object.keys(good), "apps-brg-at22"]);
    expect(p).toMatchObject({ file: "address-plan.yaml", field: "allocations.apps-brg-at22" });
    expect(p.fix).toContain("npm run allocate");
  });

  it("reports a malformed block", () => {
    const p = onlyError({ ...good, "apps-ttd-at22": "10.1.0.0/2x" });
    expect(p).toMatchObject({ field: "allocations.apps-ttd-at22", value: "10.1.0.0/2x" });
    expect(p.message).toMatch(/not an IPv4 CIDR/);
  });

  it("reports a block of the wrong size", () => {
    const p = onlyError({ ...good, "apps-ttd-at22": "10.1.0.0/23" });
    expect(p.message).toContain("is a /23, but addressPlan.blockPrefixLength is 22");
  });

  it("reports a block that is not aligned and names its network", () => {
    const p = onlyError({ "apps-ttd-at22": "10.1.1.0/22" });
    expect(p.message).toMatch(/not aligned.*10\.1\.0\.0\/22/);
  });

  it("reports a block outside the pool", () => {
    const p = onlyError({ ...good, "apps-ttd-at22": "10.128.0.0/22" });
    expect(p.message).toContain("outside the pool 10.0.0.0/9");
  });

  it("reports a block overlapping a reserved range and names the reason", () => {
    const p = onlyError({ ...good, "apps-ttd-at22": "10.0.4.0/22" });
    expect(p.message).toContain("overlaps reserved range 10.0.0.0/16 (hub network)");
    expect(p.fix).toContain("addressPlan.reserved[0]");
  });

  it("reports a block overlapping a reserved range that is smaller than a block", () => {
    const s = { ...settings, reserved: [{ cidr: "10.1.5.128/25", reason: "gateway" }] };
    const found = errors(validateAddressPlan(s, plan(good), Object.keys(good)));
    expect(found.map((p) => p.field)).toEqual(["allocations.apps-ttd-tt02"]);
  });

  it.each([
    ["10.240.4.0/22", "the pod CIDR 10.240.0.0/16", "addressPlan.podCidr"],
    ["10.250.0.0/22", "the service CIDR 10.250.0.0/24", "addressPlan.serviceCidr"],
  ])("reports a block overlapping the overlay range (%s)", (block, label, field) => {
    const found = errors(validateAddressPlan(settings, plan({ x: block }), ["x"]));
    const overlap = found.find((p) => p.message.includes("overlaps"));
    expect(overlap!.message).toContain(label);
    expect(overlap!.fix).toContain(field);
    // It is outside the pool as well.
    expect(found.some((p) => p.message.includes("outside the pool"))).toBe(true);
  });

  it("reports two keys with the same block, naming both", () => {
    const p = onlyError({ ...good, "apps-brg-at22": "10.1.4.0/22" });
    expect(p.field).toBe("allocations.apps-ttd-tt02");
    expect(p.message).toContain("overlaps the block of apps-brg-at22 (10.1.4.0/22)");
  });

  it("reports a wider block containing others once per contained block", () => {
    const found = errors(
      validateAddressPlan(settings, plan({ ...good, wide: "10.1.0.0/21" }), [...Object.keys(good), "wide"]),
    );
    expect(found.map((p) => p.message).sort()).toEqual([
      "the block is a /21, but addressPlan.blockPrefixLength is 22",
      "the block overlaps the block of wide (10.1.0.0/21)",
      "the block overlaps the block of wide (10.1.0.0/21)",
    ]);
    expect(found.filter((p) => p.message.includes("overlaps")).map((p) => p.field)).toEqual([
      "allocations.apps-ttd-at22",
      "allocations.apps-ttd-tt02",
    ]);
  });

  it("reports a block that is no longer required as a notice, not an error", () => {
    const found = validateAddressPlan(settings, plan(good), ["apps-ttd-at22", "apps-ttd-tt02"]);
    expect(errors(found)).toEqual([]);
    expect(notices(found)).toEqual([
      expect.objectContaining({ field: "allocations.studio-dev", value: "10.127.252.0/22" }),
    ]);
    expect(notices(found)[0]!.fix).toContain("npm run allocate -- --prune");
  });

  it("uses the line numbers it is given", () => {
    const p = errors(
      validateAddressPlan(settings, plan({ a: "10.1.0.0/23" }), ["a"], "plan.yaml", {
        lines: new Map([["a", 9]]),
      }),
    )[0];
    expect(p).toMatchObject({ file: "plan.yaml", line: 9 });
  });

  it("reports every problem at once", () => {
    const found = errors(
      validateAddressPlan(
        { ...settings, dnsServiceIp: "10.250.0.0" },
        plan({
          a: "x",
          b: "10.1.1.0/22",
          c: "10.200.0.0/22",
          d: "10.0.8.0/22",
          e: "10.2.0.0/22",
          f: "10.2.0.0/22",
        }),
        ["a", "b", "c", "d", "e", "f", "g"],
      ),
    );
    expect(found.map((p) => p.field)).toEqual([
      "addressPlan.dnsServiceIp",
      "allocations.g",
      "allocations.a",
      "allocations.b",
      "allocations.c",
      "allocations.d",
      "allocations.f",
    ]);
  });

  it("validates 2,000 blocks quickly and finds an overlap among them", () => {
    const big = allocate(
      settings,
      new Map(),
      Array.from({ length: 2000 }, (_, i) => `apps-org${i}-at22`),
    ).allocations;
    const keys = [...big.keys()];
    const started = performance.now();
    expect(validateAddressPlan(settings, big, keys)).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2000);
    big.set("intruder", big.get("apps-org1500-at22")!);
    const found = errors(validateAddressPlan(settings, big, [...keys, "intruder"]));
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toContain("apps-org1500-at22");
  });
});

describe("allocate", () => {
  it("gives the first key the first free block after the reserved range", () => {
    const result = allocate(settings, new Map(), ["apps-ttd-at22"]);
    expect([...result.allocations]).toEqual([["apps-ttd-at22", "10.1.0.0/22"]]);
    expect(result.added).toEqual(["apps-ttd-at22"]);
    expect(result.pruned).toEqual([]);
  });

  it("takes keys in sorted order, whatever order they are given in", () => {
    const result = allocate(settings, new Map(), ["studio-dev", "apps-ttd-at22", "platform-tt02"]);
    expect(result.added).toEqual(["apps-ttd-at22", "platform-tt02", "studio-dev"]);
    expect(Object.fromEntries(result.allocations)).toEqual({
      "apps-ttd-at22": "10.1.0.0/22",
      "platform-tt02": "10.1.4.0/22",
      "studio-dev": "10.1.8.0/22",
    });
  });

  it("reuses gaps before extending", () => {
    const existing = plan({ a: "10.1.0.0/22", c: "10.1.8.0/22", e: "10.1.16.0/22" });
    const result = allocate(settings, existing, ["a", "c", "e", "b", "d", "f"]);
    expect(Object.fromEntries(result.allocations)).toEqual({
      a: "10.1.0.0/22",
      b: "10.1.4.0/22",
      c: "10.1.8.0/22",
      d: "10.1.12.0/22",
      e: "10.1.16.0/22",
      f: "10.1.20.0/22",
    });
  });

  it("skips reserved ranges, including ones smaller than a block, and stays aligned", () => {
    const s = {
      ...settings,
      reserved: [
        { cidr: "10.0.0.0/16", reason: "hub" },
        { cidr: "10.1.1.0/24", reason: "gateway" },
        { cidr: "10.1.6.0/23", reason: "firewall" },
      ],
    };
    const result = allocate(s, new Map(), ["a", "b"]);
    expect(Object.fromEntries(result.allocations)).toEqual({ a: "10.1.8.0/22", b: "10.1.12.0/22" });
  });

  it("never changes existing blocks and does not touch its input", () => {
    const existing = plan({ z: "10.1.12.0/22", y: "10.1.4.0/22" });
    const before = new Map(existing);
    const result = allocate(settings, existing, ["z", "y", "x"]);
    expect(existing).toEqual(before);
    expect(result.allocations.get("z")).toBe("10.1.12.0/22");
    expect(result.allocations.get("y")).toBe("10.1.4.0/22");
    expect(result.allocations.get("x")).toBe("10.1.0.0/22");
    expect([...result.allocations.keys()]).toEqual(["x", "y", "z"]); // address order
  });

  it("keeps blocks of keys that are no longer required and does not reuse them", () => {
    const existing = plan({ gone: "10.1.0.0/22" });
    const result = allocate(settings, existing, ["new"]);
    expect(Object.fromEntries(result.allocations)).toEqual({ gone: "10.1.0.0/22", new: "10.1.4.0/22" });
  });

  it("with prune, releases only blocks of keys that are not required, and reuses their space", () => {
    const existing = plan({ gone: "10.1.0.0/22", kept: "10.1.4.0/22", alsoGone: "10.1.8.0/22" });
    const result = allocate(settings, existing, ["kept", "new"], { prune: true });
    expect(result.pruned).toEqual(["alsoGone", "gone"]);
    expect(Object.fromEntries(result.allocations)).toEqual({ new: "10.1.0.0/22", kept: "10.1.4.0/22" });
  });

  it("changes nothing when run again", () => {
    const once = allocate(settings, new Map(), ["a", "b", "c"]);
    const twice = allocate(settings, once.allocations, ["a", "b", "c"]);
    expect(twice.added).toEqual([]);
    expect([...twice.allocations]).toEqual([...once.allocations]);
  });

  it("fails when the pool is exhausted, saying how many blocks were needed and free", () => {
    const s = { ...settings, pool: "10.1.0.0/20" }; // 4 blocks
    const existing = plan({ a: "10.1.4.0/22" });
    let thrown: unknown;
    try {
      allocate(s, existing, ["a", "b", "c", "d", "e"]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(AddressPoolExhaustedError);
    const e = thrown as AddressPoolExhaustedError;
    expect(e).toMatchObject({ needed: 4, free: 3, used: 1, pool: "10.1.0.0/20" });
    expect(e.message).toContain("4 new clusters need a /22 block, but only 3 free /22 blocks are left");
    expect(e.message).toContain("Widen addressPlan.pool in fleet.yaml (e.g. to 10.1.0.0/19;");
    expect(existing).toEqual(plan({ a: "10.1.4.0/22" }));
    // Exactly full works.
    expect(allocate(s, existing, ["a", "b", "c", "d"]).added).toEqual(["b", "c", "d"]);
  });

  it("refuses to allocate around a broken plan or broken settings", () => {
    expect(() => allocate(settings, plan({ a: "10.1.1.0/22" }), ["a", "b"])).toThrow(FleetValidationError);
    expect(() => allocate({ ...settings, pool: "nope" }, new Map(), ["a"])).toThrow(/addressPlan\.pool/);
  });

  it("allocates 2,000 clusters, then 10 more, quickly", () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `apps-org${String(i).padStart(4, "0")}-at22`);
    const started = performance.now();
    const first = allocate(settings, new Map(), keys);
    const more = allocate(settings, first.allocations, [
      ...keys,
      ...Array.from({ length: 10 }, (_, i) => `n${i}`),
    ]);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(more.added).toHaveLength(10);
    expect(first.allocations.get(keys[0]!)).toBe("10.1.0.0/22");
    expect(more.allocations.get("n0")).toBe("10.32.64.0/22"); // 10.1.0.0 + 2000 * 1024 addresses
    expect(poolUsage(settings, more.allocations)).toEqual({
      pool: "10.0.0.0/9",
      blockPrefixLength: 22,
      total: 8192,
      used: 2010,
      free: 8192 - 64 - 2010,
    });
  });
});

describe("address-plan.yaml", () => {
  const allocations = plan({
    "studio-dev": "10.1.8.0/22",
    "apps-ttd-at22": "10.1.0.0/22",
    "123": "10.1.4.0/22",
  });

  it("is rendered with its header, sorted by address", () => {
    expect(renderAddressPlan(allocations)).toBe(
      `${ADDRESS_PLAN_HEADER}\nallocations:\n  apps-ttd-at22: 10.1.0.0/22\n  "123": 10.1.4.0/22\n  studio-dev: 10.1.8.0/22\n`,
    );
    expect(ADDRESS_PLAN_HEADER).toContain("npm run allocate");
    expect(ADDRESS_PLAN_HEADER).toMatch(/Never edit, move or reorder a block by hand/);
  });

  it("round-trips byte for byte, independent of input order", () => {
    const text = renderAddressPlan(allocations);
    const parsed = parseAddressPlan(text);
    expect(parsed.problems).toEqual([]);
    expect(renderAddressPlan(parsed.allocations)).toBe(text);
    expect(renderAddressPlan(new Map([...allocations].reverse()))).toBe(text);
    expect(parsed.lines.get("apps-ttd-at22")).toBe(ADDRESS_PLAN_HEADER.split("\n").length + 2);
  });

  it("renders and parses an empty plan", () => {
    const text = renderAddressPlan(new Map());
    expect(text.endsWith("allocations: {}\n")).toBe(true);
    expect(parseAddressPlan(text)).toMatchObject({ problems: [], allocations: new Map() });
    expect(parseAddressPlan("allocations:\n")).toMatchObject({ problems: [], allocations: new Map() });
  });

  it("reports malformed YAML with its line", () => {
    const { problems, allocations: a } = parseAddressPlan(
      "allocations:\n  a: 10.1.0.0/22\n  b: [10.1.4.0/22\n",
    );
    expect(a.size).toBe(0);
    expect(problems[0]).toMatchObject({ severity: "error", file: "address-plan.yaml" });
    expect(problems[0]!.message).toMatch(/malformed YAML/);
    expect(problems[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("reports a duplicate key with its line", () => {
    const { problems } = parseAddressPlan("allocations:\n  a: 10.1.0.0/22\n  a: 10.1.4.0/22\n");
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 3 });
    expect(problems[0]!.message).toMatch(/unique/);
  });

  it.each([
    ["- a\n", "(file)", 1, /expected a map with the key `allocations`/],
    ["", "(file)", undefined, /empty/],
    ["other: {}\n", "other", 1, /unknown top-level key/],
    ["allocations: [a]\n", "allocations", 1, /expected a map from cluster key/],
    ["allocations:\n  a: 5\n", "allocations.a", 2, /expected a CIDR block/],
    ["allocations:\n  a: { b: c }\n", "allocations.a", 2, /expected a CIDR block/],
    ["allocations:\n  1: 10.1.0.0/22\n", "allocations", 2, /non-empty string/],
    ["# just a comment\nfoo: bar\n", "foo", 2, /unknown top-level key/],
  ])("reports the wrong shape %p", (text, field, line, message) => {
    const { problems } = parseAddressPlan(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ severity: "error", field, line });
    expect(problems[0]!.message).toMatch(message);
  });

  it("reads entries with their lines, and keeps good entries next to bad ones", () => {
    const {
      allocations: a,
      lines,
      problems,
    } = parseAddressPlan("# c\nallocations:\n  a: 10.1.0.0/22\n  b: 7\n  c: 10.1.8.0/22\n");
    expect([...a]).toEqual([
      ["a", "10.1.0.0/22"],
      ["c", "10.1.8.0/22"],
    ]);
    expect(lines.get("c")).toBe(5);
    expect(problems.map((p) => p.line)).toEqual([4]);
  });

  describe("on disk", () => {
    let dir: string;
    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "address-plan-"));
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it("loads a missing file as an empty plan without problems", () => {
      expect(loadAddressPlan(join(dir, "address-plan.yaml"))).toMatchObject({
        exists: false,
        problems: [],
        allocations: new Map(),
      });
    });

    it("checkAddressPlan reports a missing file once, not once per cluster", () => {
      const { problems } = checkAddressPlan(join(dir, "address-plan.yaml"), settings, ["a", "b", "c"]);
      expect(problems).toHaveLength(1);
      expect(problems[0]!.message).toContain("none of the 3 clusters");
    });

    it("checkAddressPlan validates with line numbers", () => {
      const path = join(dir, "address-plan.yaml");
      writeFileSync(path, "allocations:\n  a: 10.1.0.0/22\n  b: 10.1.0.0/22\n");
      const { problems, allocations: a } = checkAddressPlan(path, settings, ["a", "b"]);
      expect(a.size).toBe(2);
      expect(problems).toEqual([
        expect.objectContaining({ field: "allocations.b", line: 3, file: "address-plan.yaml" }),
      ]);
    });

    it("checkAddressPlan reports a file that does not parse without validating its entries", () => {
      const path = join(dir, "address-plan.yaml");
      writeFileSync(path, "allocations: [\n");
      const { problems } = checkAddressPlan(path, settings, ["a"]);
      expect(problems.every((p) => p.field === "(file)")).toBe(true);
    });
  });
});

describe("subnetLayout", () => {
  it("carves a /22 into syspool, workpool and endpoints /24s, leaving the fourth spare", () => {
    expect(subnetLayout("10.1.4.0/22")).toEqual([
      { name: "syspool", cidr: "10.1.4.0/24" },
      { name: "workpool", cidr: "10.1.5.0/24" },
      { name: "endpoints", cidr: "10.1.6.0/24" },
    ]);
    expect(subnetCidr("10.1.4.0/22", "endpoints")).toBe("10.1.6.0/24");
  });

  it("keeps the same positions in a larger block", () => {
    expect(subnetLayout("10.1.8.0/21").map((s) => s.cidr)).toEqual([
      "10.1.8.0/24",
      "10.1.9.0/24",
      "10.1.10.0/24",
    ]);
  });

  it("needs at least a /22", () => {
    expect(smallestBlockPrefixFor()).toBe(22);
    expect(() => subnetLayout("10.1.4.0/23")).toThrow(/endpoints .* does not fit in block 10\.1\.4\.0\/23/);
  });

  it("refuses malformed and unaligned blocks", () => {
    expect(() => subnetLayout("10.1.4.0")).toThrow(/not an IPv4 CIDR/);
    expect(() => subnetLayout("10.1.5.0/22")).toThrow(/not aligned .*10\.1\.4\.0\/22/);
  });

  it("never moves existing subnets when a row is appended", () => {
    const extended: readonly SubnetSpec[] = [
      ...CLUSTER_SUBNETS,
      { name: "pgsql", index: 60, prefixLength: 28, purpose: "PostgreSQL flexible servers" },
    ];
    const carved = subnetLayout("10.1.4.0/22", extended);
    expect(carved.slice(0, 3)).toEqual(subnetLayout("10.1.4.0/22"));
    expect(carved[3]).toEqual({ name: "pgsql", cidr: "10.1.7.192/28" });
  });

  it("gives Apps clusters the service layout's postgres subnet, moving no cluster subnet", () => {
    const apps = subnetLayout("10.1.4.0/22", APPS_SUBNETS);
    expect(apps.slice(0, 3)).toEqual(subnetLayout("10.1.4.0/22"));
    expect(apps.slice(3)).toEqual([{ name: "postgres", cidr: "10.1.7.0/25" }]);
    const service = subnetLayout("10.1.4.0/22", SERVICE_SUBNETS);
    expect(service.find((s) => s.name === "postgres")).toEqual(apps[3]);
    // Every layout fits the blocks validation accepts (it checks the largest, SERVICE_SUBNETS).
    expect(smallestBlockPrefixFor(APPS_SUBNETS)).toBeGreaterThanOrEqual(
      smallestBlockPrefixFor(SERVICE_SUBNETS),
    );
  });

  it("refuses layouts with overlapping rows or duplicate names", () => {
    const overlapping: readonly SubnetSpec[] = [
      ...CLUSTER_SUBNETS,
      { name: "oops", index: 1, prefixLength: 25, purpose: "inside syspool" },
    ];
    expect(() => subnetLayout("10.1.4.0/22", overlapping)).toThrow(/syspool .* and oops .* overlap/);
    const duplicate: readonly SubnetSpec[] = [...CLUSTER_SUBNETS, { ...CLUSTER_SUBNETS[0], index: 3 }];
    expect(() => subnetLayout("10.1.4.0/22", duplicate)).toThrow(/names syspool twice/);
  });
});

describe("runAllocate", () => {
  let dir: string;
  let lines: { log: string[]; error: string[] };
  let output: AllocateOutput;
  const path = () => join(dir, "address-plan.yaml");

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "allocate-"));
    lines = { log: [], error: [] };
    output = { log: (l) => lines.log.push(l), error: (l) => lines.error.push(l) };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const run = (requiredKeys: readonly string[], extra: { prune?: boolean; dryRun?: boolean } = {}) =>
    runAllocate({ fleetDir: dir, settings, requiredKeys, output, ...extra });

  it("creates the file, prints what it allocated, and leaves no temporary files", () => {
    expect(run(["studio-dev", "apps-ttd-at22"])).toBe(0);
    expect(lines.log[0]).toBe("allocated 2 new blocks:");
    expect(lines.log.slice(1, 3)).toEqual(["  apps-ttd-at22  10.1.0.0/22", "  studio-dev     10.1.4.0/22"]);
    expect(lines.log.at(-1)).toMatch(/^wrote .*address-plan\.yaml \(2 blocks allocated, 8126 of 8192 \/22/);
    expect(readFileSync(path(), "utf8")).toBe(
      renderAddressPlan(plan({ "apps-ttd-at22": "10.1.0.0/22", "studio-dev": "10.1.4.0/22" })),
    );
    expect(readdirSync(dir)).toEqual(["address-plan.yaml"]);
  });

  it("does not rewrite an up-to-date file", () => {
    run(["a"]);
    const before = statSync(path()).mtimeMs;
    lines.log.length = 0;
    expect(run(["a"])).toBe(0);
    expect(lines.log).toEqual([expect.stringMatching(/is up to date/)]);
    expect(statSync(path()).mtimeMs).toBe(before);
  });

  it("with --dry-run prints the change and writes nothing", () => {
    expect(run(["a"], { dryRun: true })).toBe(0);
    expect(lines.log[0]).toBe("allocated 1 new block:");
    expect(lines.log.at(-1)).toMatch(/^dry run: .* not written/);
    expect(existsSync(path())).toBe(false);
  });

  it("keeps blocks of removed clusters with a notice, and releases them with --prune", () => {
    run(["a", "b"]);
    lines.log.length = 0;
    expect(run(["b", "c"])).toBe(0);
    expect(lines.log).toEqual(
      expect.arrayContaining([
        "  c  10.1.8.0/22",
        expect.stringMatching(/^notice: address-plan\.yaml:\d+: allocations\.a = "10\.1\.0\.0\/22"/),
      ]),
    );
    lines.log.length = 0;
    expect(run(["b", "c"], { prune: true })).toBe(0);
    expect(lines.log.slice(0, 2)).toEqual(["released 1 block:", "  a  10.1.0.0/22"]);
    expect(loadAddressPlan(path()).allocations).toEqual(plan({ b: "10.1.4.0/22", c: "10.1.8.0/22" }));
  });

  it("fails without writing when the pool is exhausted", () => {
    const code = runAllocate({
      fleetDir: dir,
      settings: { ...settings, pool: "10.1.0.0/21" },
      requiredKeys: ["a", "b", "c"],
      output,
    });
    expect(code).toBe(1);
    expect(lines.error[0]).toMatch(/^error: The address pool 10\.1\.0\.0\/21 is exhausted/);
    expect(existsSync(path())).toBe(false);
  });

  it("fails without writing when the file is broken, naming the lines", () => {
    writeFileSync(path(), "allocations:\n  a: 10.1.1.0/22\n");
    expect(run(["a", "b"])).toBe(1);
    expect(lines.error[1]).toMatch(/address-plan\.yaml:2: allocations\.a = "10\.1\.1\.0\/22": .*not aligned/);
    expect(readFileSync(path(), "utf8")).toBe("allocations:\n  a: 10.1.1.0/22\n");

    writeFileSync(path(), "allocations: [\n");
    expect(run(["a"])).toBe(1);
    expect(lines.error.join("\n")).toMatch(/cannot be read/);
  });
});

describe("allocate command line", () => {
  let dir: string;
  let lines: { log: string[]; error: string[] };
  let output: AllocateOutput;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "allocate-cli-"));
    lines = { log: [], error: [] };
    output = { log: (l) => lines.log.push(l), error: (l) => lines.error.push(l) };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const loaderFor = (seen: string[]) => async (d: string) => {
    seen.push(d);
    return { fleet: { addressPlan: settings, clusterKeys: ["a"] }, problems: [] };
  };

  it("takes the fleet directory from --fleet-dir, then FLEET_DIR, then environments/", async () => {
    const seen: string[] = [];
    const argv = ["node", "allocate"];
    expect(await main([...argv, "--fleet-dir", dir], { loadFleet: loaderFor(seen), env: {}, output })).toBe(
      0,
    );
    expect(existsSync(join(dir, "address-plan.yaml"))).toBe(true);
    await main([...argv, "--dry-run"], { loadFleet: loaderFor(seen), env: { FLEET_DIR: dir }, output });
    await main([...argv, "--dry-run"], { loadFleet: loaderFor(seen), env: {}, output });
    expect(seen).toEqual([dir, dir, "environments"]);
  });

  it("passes --prune and --dry-run through", async () => {
    writeFileSync(join(dir, "address-plan.yaml"), renderAddressPlan(plan({ gone: "10.1.0.0/22" })));
    const code = await main(["node", "allocate", "--fleet-dir", dir, "--prune", "--dry-run"], {
      loadFleet: loaderFor([]),
      output,
    });
    expect(code).toBe(0);
    expect(lines.log).toContain("released 1 block:");
    expect(loadAddressPlan(join(dir, "address-plan.yaml")).allocations.has("gone")).toBe(true);
  });

  it("fails when the fleet cannot be loaded", async () => {
    const code = await main(["node", "allocate", "--fleet-dir", dir], {
      loadFleet: async () => ({
        problems: [{ severity: "error", file: "fleet.yaml", field: "x", message: "bad", fix: "fix it" }],
      }),
      output,
    });
    expect(code).toBe(1);
    expect(lines.error.join("\n")).toContain("fleet.yaml: x: bad");
  });

  it("rejects unknown options", async () => {
    expect(await main(["node", "allocate", "--frobnicate"], { loadFleet: loaderFor([]), output })).not.toBe(
      0,
    );
    expect(lines.error.join("\n")).toMatch(/unknown option/);
  });
});
