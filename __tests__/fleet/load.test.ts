import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFleet } from "../../fleet/load";
import type { FleetProblem } from "../../fleet/problems";
import { COMMITTED_FLEET, fleetFixture, registryOrg } from "../../testing/fleet-fixture";

const errors = (problems: readonly FleetProblem[]) => problems.filter((p) => p.severity === "error");

function expectOneError(
  dir: string,
  match: Partial<Omit<FleetProblem, "message">> & { message?: RegExp | string },
): FleetProblem {
  const { problems } = loadFleet(dir);
  const found = errors(problems);
  const { message, ...rest } = match;
  const hit = found.filter(
    (p) =>
      Object.entries(rest).every(([k, v]) => (p as unknown as Record<string, unknown>)[k] === v) &&
      (message === undefined ||
        (typeof message === "string" ? p.message.includes(message) : message.test(p.message))),
  );
  if (hit.length !== 1) {
    throw new Error(
      `expected exactly one matching error, got ${hit.length}; all errors:\n${found.map((p) => JSON.stringify(p)).join("\n")}`,
    );
  }
  return hit[0]!;
}

describe("the committed fleet", () => {
  const result = loadFleet(COMMITTED_FLEET);

  test("loads without errors", () => {
    expect(errors(result.problems)).toEqual([]);
    expect(result.fleet).toBeDefined();
  });

  test("has one Apps environment per org/environment pair the registry lists", () => {
    const fleet = result.fleet!;
    // Counted from the registry file, so the README's add-an-organisation steps keep this green.
    const registry = JSON.parse(readFileSync(join(COMMITTED_FLEET, "altinn-orgs.json"), "utf8")) as {
      orgs: Record<string, { environments: string[] }>;
    };
    const retired = new Set(Object.keys(fleet.settings.retiredEnvironments ?? {}));
    const running = Object.values(registry.orgs).map((o) => o.environments.filter((e) => !retired.has(e)));
    expect(fleet.apps.length).toBe(running.flat().length);
    // Orgs that run in no environment get no stacks.
    expect(fleet.orgs.length).toBe(running.filter((envs) => envs.length > 0).length);
    expect(fleet.apps.length).toBeGreaterThan(100);
    const ttd = fleet.apps.filter((a) => a.org.code === "ttd").map((a) => a.environment.token);
    const token = (name: string) => fleet.environments.find((e) => e.name === name)?.token ?? name;
    expect(ttd.sort()).toEqual(
      registry.orgs
        .ttd!.environments.filter((e) => !retired.has(e))
        .map(token)
        .sort(),
    );
    expect(ttd).toEqual(expect.arrayContaining(["at22", "prod", "tt02"]));
  });

  test("writes production as prod in names and cluster keys", () => {
    const brg = result.fleet!.apps.find((a) => a.org.code === "brg" && a.environment.name === "production")!;
    expect(brg.environment.token).toBe("prod");
    expect(brg.clusterKey).toBe("apps-brg-prod");
    expect(brg.names.resourceGroup).toBe("altinnapps-brg-prod-rg");
    expect(brg.names.storageAccount).toBe("brgaltinnprodstrg01");
    expect(brg.names.dnsZone).toBe("brg.apps.altinn.no");
  });

  test("layers class, environment and org settings", () => {
    const fleet = result.fleet!;
    const skdProd = fleet.apps.find((a) => a.clusterKey === "apps-skd-prod")!;
    expect(skdProd.settings.nodePools.user).toEqual({
      name: "workpool",
      vmSize: "Standard_D8s_v5",
      minCount: 3,
      maxCount: 20,
    });
    const skdYt01 = fleet.apps.find((a) => a.clusterKey === "apps-skd-yt01")!;
    expect(skdYt01.settings.nodePools.user.maxCount).toBe(12);
    expect(skdYt01.settings.storage.replication).toBe("ZRS");
  });

  test("uses the fleet's orgnr where the registry has none", () => {
    expect(result.fleet!.orgs.find((o) => o.code === "ttd")!.orgnr).toBe("991825827");
  });

  test("gives every cluster its own address block and subnets inside it", () => {
    const blocks = new Set(result.fleet!.apps.map((a) => a.addressSpace));
    expect(blocks.size).toBe(result.fleet!.apps.length);
    for (const a of result.fleet!.apps) {
      expect(a.subnets.map((s) => s.name)).toEqual(expect.arrayContaining(["syspool", "workpool"]));
    }
  });
});

describe("file problems", () => {
  test("fails if a JSON file is malformed, naming the line", () => {
    const dir = fleetFixture({
      raw: { "altinn-orgs.json": (t) => t.replace('"orgnr": "974760673",', '"orgnr": "974760673"') },
    });
    const p = expectOneError(dir, { file: "altinn-orgs.json", field: "(syntax)" });
    expect(p.line).toBeGreaterThan(1);
    expect(p.message).toMatch(/malformed JSON/);
  });

  test("fails if fleet.yaml is malformed YAML, naming the line", () => {
    const dir = fleetFixture({
      raw: { "fleet.yaml": (t) => t.replace("location: norwayeast", "location: [norwayeast") },
    });
    const p = expectOneError(dir, { file: "fleet.yaml", field: "(syntax)" });
    expect(p.line).toBeDefined();
  });

  test("fails if a file is missing", () => {
    const dir = fleetFixture({ raw: {} });
    require("node:fs").rmSync(require("node:path").join(dir, "environments.json"));
    expectOneError(dir, { file: "environments.json", field: "(file)" });
  });

  test("fails if an org code appears twice", () => {
    const dir = fleetFixture({
      raw: {
        "altinn-orgs.json": (t) =>
          t.replace('"orgs": {', `"orgs": {\n        "brg": ${JSON.stringify(registryOrg(["tt02"]))},`),
      },
    });
    const p = expectOneError(dir, { file: "altinn-orgs.json", field: "(duplicate key)" });
    expect(p.value).toBe("brg");
  });

  test("fails if two org codes differ only in case", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.BRG = registryOrg(["tt02"]);
      },
    });
    expectOneError(dir, { org: "BRG", message: /only in letter case/ });
  });

  test("fails if an org entry breaks the registry schema", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.brg!.orgnr = "12345";
      },
    });
    const p = expectOneError(dir, { file: "altinn-orgs.json", org: "brg", field: "orgs.brg.orgnr" });
    expect(p.line).toBeDefined();
  });

  test("fails if fleet.yaml has an unknown key", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.environmentClasses!.test as Record<string, unknown>).nodepools = {};
      },
    });
    expectOneError(dir, { file: "fleet.yaml", field: "environmentClasses.test.nodepools" });
  });

  test("fails if a required setting is missing", () => {
    const dir = fleetFixture({
      settings: (s) => void delete (s.environmentClasses!.production as Record<string, unknown>).maintenance,
    });
    expectOneError(dir, { file: "fleet.yaml", field: "environmentClasses.production.maintenance" });
  });
});

describe("environments", () => {
  test("skips a retired environment with a notice, never silently", () => {
    const dir = fleetFixture({ orgs: (d) => void d.orgs.ttd!.environments.unshift("at21") });
    const { fleet, problems } = loadFleet(dir);
    expect(errors(problems)).toEqual([]);
    const n = problems.find((p) => p.severity === "notice" && p.environment === "at21")!;
    expect(n).toMatchObject({ org: "ttd", file: "altinn-orgs.json", value: "at21" });
    expect(n.message).toMatch(/retired/);
    expect(fleet!.apps.some((a) => a.environment.name === "at21")).toBe(false);
  });

  test("fails if an org lists an environment the fleet does not define", () => {
    const dir = fleetFixture({ orgs: (d) => void d.orgs.brg!.environments.push("at99") });
    const p = expectOneError(dir, { org: "brg", environment: "at99" });
    expect(p.fix).toMatch(/tt02/);
  });

  test("fails if an environment is defined twice", () => {
    const dir = fleetFixture({ environments: (d) => void d.environments.push({ ...d.environments[0]! }) });
    expectOneError(dir, { file: "environments.json", environment: "at22", message: /defined twice/ });
  });

  test("fails if an environment is both defined and retired", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.retiredEnvironments as Record<string, string>).at22 = "old";
      },
    });
    expectOneError(dir, { field: "retiredEnvironments.at22" });
  });

  test("fails if two environments share a name token", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.nameTokens as Record<string, string>).tt02 = "prod";
      },
    });
    expectOneError(dir, { field: "nameTokens.production", message: /share the name token/ });
  });

  test("fails if an environment's hostname is not a DNS name", () => {
    const dir = fleetFixture({
      environments: (d) => {
        d.environments[0]!.hostname = "at22..altinn.cloud";
      },
    });
    // Named by its environment, not by its index in the array (environments.0.hostname).
    expectOneError(dir, { file: "environments.json", environment: "at22", field: "hostname" });
  });

  test("fails if two environments would give an org the same DNS zone", () => {
    const dir = fleetFixture({
      environments: (d) => {
        d.environments[1]!.hostname = "at22.altinn.cloud";
      },
    });
    expectOneError(dir, { field: "derived name dnsZone", org: "ttd" });
  });
});

describe("overrides", () => {
  test("fails if settings name an environment the fleet does not define", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.environments as Record<string, unknown>).at99 = {};
      },
    });
    expectOneError(dir, { field: "environments.at99" });
  });

  test("fails if settings name an org that is not in the registry", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.orgs as Record<string, unknown>).nope = { all: {} };
      },
    });
    expectOneError(dir, { field: "orgs.nope", org: "nope" });
  });

  test("fails if org settings name an environment the org does not list", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.orgs as Record<string, unknown>).brg = { environments: { at22: {} } };
      },
    });
    expectOneError(dir, { field: "orgs.brg.environments.at22", org: "brg" });
  });

  test("fails if an org has no orgnr anywhere", () => {
    const dir = fleetFixture({ settings: (s) => void delete (s.orgs as Record<string, unknown>).ttd });
    expectOneError(dir, { org: "ttd", field: "orgs.ttd.orgnr", message: /no organisation number/ });
  });

  test("fails if the fleet's orgnr contradicts the registry", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.orgs as Record<string, unknown>).brg = { orgnr: "111111111" };
      },
    });
    expectOneError(dir, { org: "brg", field: "orgs.brg.orgnr", message: /contradicts/ });
  });
});

describe("cluster settings", () => {
  const withClass = (fn: (c: Record<string, any>) => void) =>
    fleetFixture({ settings: (s) => fn(s.environmentClasses!.test as Record<string, unknown>) });

  test("fails if a pool's minCount is greater than its maxCount, at the line that says so", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.orgs as Record<string, any>).skd.environments.production.nodePools.user.maxCount = 2;
      },
    });
    const p = expectOneError(dir, {
      org: "skd",
      environment: "production",
      message: /greater than maxCount/,
    });
    // The org override introduced the contradiction, so its line is the one reported.
    expect(p.field).toBe("orgs.skd.environments.production.nodePools.user.maxCount");
  });

  test("reports a class-level mistake once, not once per org", () => {
    const dir = withClass((c) => {
      c.nodePools.user.minCount = 9;
    });
    const p = expectOneError(dir, { message: /greater than maxCount/ });
    expect(p).toMatchObject({ field: "environmentClasses.test.nodePools.user.minCount", org: undefined });
  });

  test("fails if the system pool may scale to zero", () => {
    const dir = withClass((c) => {
      c.nodePools.system.minCount = 0;
    });
    expectOneError(dir, {
      field: "environmentClasses.test.nodePools.system.minCount",
      message: /cannot scale to zero/,
    });
  });

  test("fails if a node pool name breaks the AKS rule", () => {
    const dir = withClass((c) => {
      c.nodePools.user.name = "work_pool";
    });
    expectOneError(dir, { field: "environmentClasses.test.nodePools.user.name" });
  });

  test("fails if both pools have the same name", () => {
    const dir = withClass((c) => {
      c.nodePools.user.name = "syspool";
    });
    expectOneError(dir, { message: /same name as the system pool/ });
  });

  test("fails if a maintenance window is shorter than AKS allows", () => {
    const dir = withClass((c) => {
      c.maintenance.nodeOs.durationHours = 2;
    });
    expectOneError(dir, { field: "environmentClasses.test.maintenance.nodeOs.durationHours" });
  });

  test("fails if a weekly window has no day", () => {
    const dir = withClass((c) => void delete c.maintenance.autoUpgrade.dayOfWeek);
    expectOneError(dir, { message: /Weekly window needs dayOfWeek/ });
  });

  // The fleet runs the constructs' own rules (constructs/cluster/settings.ts) at load, so a
  // window the AksCluster construct would refuse at synth is reported with its line instead.
  test("fails at load if a daily window names a day, as the cluster construct would", () => {
    const dir = withClass((c) => {
      c.maintenance.nodeOs.frequency = "Daily";
    });
    const p = expectOneError(dir, { message: /Daily window must not set dayOfWeek/ });
    expect(p).toMatchObject({
      field: "environmentClasses.test.maintenance.nodeOs.dayOfWeek",
      value: "Tuesday",
    });
    expect(p.line).toEqual(expect.any(Number));
  });

  test("reports a negative system pool minimum once", () => {
    const dir = withClass((c) => {
      c.nodePools.system.minCount = -1;
    });
    const { problems } = loadFleet(dir);
    const here = errors(problems).filter(
      (p) => p.field === "environmentClasses.test.nodePools.system.minCount",
    );
    expect(here).toHaveLength(1);
    expect(here[0]!.message).toMatch(/cannot scale to zero/);
  });

  test("fails if the Kubernetes API would be open to everyone", () => {
    const dir = withClass((c) => {
      c.apiServerAuthorizedIpRanges = [];
    });
    expectOneError(dir, { field: "environmentClasses.test.apiServerAuthorizedIpRanges" });
  });

  test("fails at load if the API server has more authorized ranges than AKS allows, as the construct would", () => {
    const dir = withClass((c) => {
      c.apiServerAuthorizedIpRanges = Array.from({ length: 201 }, (_, i) => `10.${i}.0.0/16`);
    });
    expectOneError(dir, {
      field: "environmentClasses.test.apiServerAuthorizedIpRanges",
      message: /AKS allows 200/,
    });
  });

  test("fails if a pool exceeds the AKS node limit", () => {
    const dir = withClass((c) => {
      c.nodePools.user.maxCount = 1001;
    });
    expectOneError(dir, { message: /at most 1000 nodes/ });
  });

  test("fails if there are no zones", () => {
    const dir = withClass((c) => {
      c.zones = [];
    });
    expectOneError(dir, { field: "environmentClasses.test.zones" });
  });

  test("fails if Key Vault retention is out of range", () => {
    const dir = withClass((c) => {
      c.keyVault.softDeleteRetentionDays = 120;
    });
    expectOneError(dir, { field: "environmentClasses.test.keyVault.softDeleteRetentionDays" });
  });

  test("fails if Log Analytics retention is out of range", () => {
    const dir = withClass((c) => {
      c.logAnalytics.retentionInDays = 7;
    });
    expectOneError(dir, { field: "environmentClasses.test.logAnalytics.retentionInDays" });
  });

  test("fails if ingress would run one replica", () => {
    const dir = withClass((c) => {
      c.ingress.replicas = 1;
    });
    expectOneError(dir, { field: "environmentClasses.test.ingress.replicas" });
  });
});

describe("derived Azure names", () => {
  const withOrg = (code: string, envs = ["tt02"]) =>
    fleetFixture({
      orgs: (d) => {
        d.orgs[code] = registryOrg(envs);
      },
      allocate: true,
    });

  test("a new org with a valid code loads and gets its block", () => {
    const { fleet, problems } = loadFleet(withOrg("abc"));
    expect(errors(problems)).toEqual([]);
    expect(fleet!.apps.find((a) => a.clusterKey === "apps-abc-tt02")!.addressSpace).toMatch(/\/22$/);
  });

  test("fails if the storage account name would be too long, naming org, environment and rule", () => {
    const p = expectOneError(withOrg("abcdefghij"), { field: "derived name storageAccount" });
    expect(p).toMatchObject({ org: "abcdefghij", environment: "tt02", value: "abcdefghijaltinntt02strg01" });
    expect(p.message).toMatch(/3-24 characters/);
    expect(p.line).toBeDefined();
  });

  test("fails if the org code has capitals (storage accounts are lowercase only)", () => {
    const p = expectOneError(withOrg("Abc"), { field: "derived name storageAccount" });
    expect(p.message).toMatch(/lowercase letters and digits/);
  });

  test("fails if the Key Vault name would be too long", () => {
    // 14 + "-tt02-keyvault" > 24; the storage name breaks too and is reported separately.
    const dir = withOrg("abcdefghijklmn");
    expectOneError(dir, { field: "derived name keyVault" });
    expectOneError(dir, { field: "derived name storageAccount" });
  });

  test("fails if the container registry name would be too long", () => {
    expectOneError(withOrg("a".repeat(40)), { field: "derived name registry", environment: undefined });
  });

  test("fails if the AKS dnsPrefix would be too long", () => {
    expectOneError(withOrg("a".repeat(50)), { field: "derived name dnsPrefix" });
  });

  test("fails if the AKS node resource group would exceed 80 characters", () => {
    expectOneError(withOrg("a".repeat(25)), { field: "derived name nodeResourceGroup" });
  });

  test("reports every problem of every org at once", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.abcdefghij = registryOrg(["tt02"]);
        d.orgs.Xyz = registryOrg(["tt02"]);
        d.orgs.brg!.environments.push("at99");
      },
      allocate: true,
    });
    const found = errors(loadFleet(dir).problems);
    expect(found.map((p) => p.org)).toEqual(expect.arrayContaining(["abcdefghij", "Xyz", "brg"]));
  });
});

describe("address plan", () => {
  test("fails if a cluster has no block, telling to run npm run allocate", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.abc = registryOrg(["tt02"]);
      },
    });
    const p = expectOneError(dir, { file: "address-plan.yaml" });
    expect(p.fix).toMatch(/npm run allocate/);
  });

  test("fails if two blocks overlap, with the line of the entry", () => {
    const dir = fleetFixture({
      addressPlan: (d) => {
        d.allocations["apps-brg-tt02"] = d.allocations["apps-brg-prod"]!;
      },
    });
    const p = expectOneError(dir, { file: "address-plan.yaml", message: /overlap/ });
    expect(p.line).toBeDefined();
  });

  test("fails if the pod range overlaps the pool", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.addressPlan as Record<string, unknown>).podCidr = "10.1.0.0/16";
      },
    });
    const found = errors(loadFleet(dir).problems);
    expect(found.some((p) => p.file === "fleet.yaml" && /podCidr/.test(p.field))).toBe(true);
  });
});

describe("what the Platform needs from outside the fleet", () => {
  const notices = (dir: string) => loadFleet(dir).problems.filter((p) => p.severity === "notice");

  test("says which environments' API Management has no gateway certificate yet", () => {
    const n = notices(COMMITTED_FLEET).find((p) => p.field === "platform.gatewayCertificate.imported")!;
    const names = loadFleet(COMMITTED_FLEET).fleet!.environments.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(["at22", "tt02", "production"]));
    expect(n.message).toContain(`${names.join(", ")} gets no custom domain yet`);
    expect(loadFleet(COMMITTED_FLEET).fleet!.platforms.every((p) => !p.gatewayCertificateImported)).toBe(
      true,
    );
  });

  test("an environment listed as imported gets the custom domain, and no notice names it", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.platform!.gatewayCertificate as Record<string, unknown>).imported = ["at22"];
      },
    });
    const { fleet, problems } = loadFleet(dir);
    expect(errors(problems)).toEqual([]);
    expect(
      fleet!.platforms.filter((p) => p.gatewayCertificateImported).map((p) => p.environment.name),
    ).toEqual(["at22"]);
    const n = notices(dir).find((p) => p.field === "platform.gatewayCertificate.imported")!;
    expect(n.message).not.toMatch(/at22/);
  });

  test("fails if an environment listed as imported does not exist", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.platform!.gatewayCertificate as Record<string, unknown>).imported = ["prod"];
      },
    });
    const p = expectOneError(dir, { field: "platform.gatewayCertificate.imported[0]", value: "prod" });
    expect(p.fix).toMatch(/production/);
  });

  test("says that an access-restricted Cosmos DB failover region needs a region access request", () => {
    const n = notices(COMMITTED_FLEET).find((p) => p.field === "platform.cosmosFailoverLocation")!;
    expect(n).toMatchObject({ value: "norwaywest", file: "fleet.yaml" });
    expect(n.message).toMatch(/access-restricted/);
    expect(n.fix).toMatch(/region-access-request-process/);
    const unrestricted = fleetFixture({
      settings: (s) => {
        s.platform!.cosmosFailoverLocation = "swedencentral";
      },
    });
    expect(notices(unrestricted).some((p) => p.field === "platform.cosmosFailoverLocation")).toBe(false);
  });
});

describe("subscriptions and the state firewall", () => {
  test("every state scope and the state account name their subscription; a missing one is one error with line and fix", () => {
    const dir = fleetFixture({
      settings: (s) => void delete (s.subscriptions as Record<string, unknown>).at22,
    });
    const p = expectOneError(dir, { file: "fleet.yaml", field: "subscriptions.at22" });
    expect(p.line).toBeGreaterThan(1);
    expect(p.fix).toBe("add subscriptions.at22: <subscription id (GUID)>");
    const noBootstrap = fleetFixture({
      settings: (s) => void delete (s.subscriptions as Record<string, unknown>).bootstrap,
    });
    expectOneError(noBootstrap, { field: "subscriptions.bootstrap", message: /state account/ });
  });

  test("refuses a subscription for the state scope (it always uses the state account's) or an unknown scope", () => {
    const dir = fleetFixture({
      settings: (s) => {
        const subs = s.subscriptions as Record<string, unknown>;
        subs.state = subs.bootstrap;
        subs.at99 = subs.bootstrap;
      },
    });
    expectOneError(dir, { field: "subscriptions.state", message: /subscriptions.bootstrap/ });
    expectOneError(dir, { field: "subscriptions.at99" });
  });

  test("refuses a subscription that is not a GUID", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.subscriptions as Record<string, unknown>).prod = "prod-sub";
      },
    });
    expectOneError(dir, { file: "fleet.yaml", field: "subscriptions.prod" });
  });

  test("needs agents' subnets or IP ranges on the state firewall", () => {
    const dir = fleetFixture({
      settings: (s) => {
        s.state!.allowedIpRanges = [];
        delete s.state!.allowedSubnetIds;
      },
    });
    const p = expectOneError(dir, { field: "state.allowedSubnetIds" });
    expect(p.fix).toMatch(/Microsoft.Storage service endpoint/);
  });
});

describe("syntax, encoding and one root cause once (issue 13)", () => {
  const read = (dir: string) => loadFleet(dir).problems;

  test("a trailing comma in JSON names its line and column and says what it is", () => {
    const dir = fleetFixture({
      raw: { "environments.json": (t) => t.replace('"type": "test"\n    }', '"type": "test",\n    }') },
    });
    const p = expectOneError(dir, { file: "environments.json", field: "(syntax)" });
    expect(p).toMatchObject({ line: 9, column: 21, value: "," });
    expect(p.message).toMatch(/trailing comma/);
    expect(p.fix).toBe("remove that comma");
  });

  test("an HTML page instead of JSON is named as such", () => {
    const dir = fleetFixture({
      raw: { "altinn-orgs.json": () => "<!DOCTYPE html>\n<html><body>Not found</body></html>\n" },
    });
    const p = expectOneError(dir, {
      file: "altinn-orgs.json",
      field: "(syntax)",
      message: /HTML page, not JSON/,
    });
    expect(p.line).toBe(1);
  });

  test("a byte-order mark is tolerated and said once, as a notice", () => {
    const dir = fleetFixture({ raw: { "altinn-orgs.json": (t) => `\uFEFF${t}` } });
    const { problems, fleet } = loadFleet(dir);
    expect(errors(problems)).toEqual([]);
    expect(fleet).toBeDefined();
    expect(problems.filter((p) => p.field === "(encoding)")).toEqual([
      expect.objectContaining({
        severity: "notice",
        file: "altinn-orgs.json",
        line: 1,
        message: expect.stringMatching(/byte-order mark/),
      }),
    ]);
  });

  test("an empty registry is said once, with no flood of notices", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs = {};
      },
    });
    const problems = read(dir);
    expect(errors(problems)).toEqual([
      expect.objectContaining({
        file: "altinn-orgs.json",
        field: "orgs",
        message: expect.stringMatching(/no organisations/),
      }),
    ]);
    // No notice per address block of the missing orgs: at most the committed fleet's own notices.
    const notices = (ps: readonly FleetProblem[]) => ps.filter((p) => p.severity === "notice");
    expect(notices(problems).length).toBeLessThanOrEqual(notices(read(COMMITTED_FLEET)).length);
    expect(notices(problems).filter((p) => p.file === "address-plan.yaml")).toEqual([]);
  });

  test("an alias to an undefined anchor is an error with line and column, not a crash", () => {
    const dir = fleetFixture({
      raw: { "fleet.yaml": (t) => t.replace("location: norwayeast", "location: *region") },
    });
    const p = expectOneError(dir, { file: "fleet.yaml", field: "(alias)", value: "*region" });
    expect(p).toMatchObject({ line: expect.any(Number), column: 11 });
    expect(p.message).toMatch(/no anchor &region/);
  });

  test("a YAML merge key is accepted", () => {
    const dir = fleetFixture({
      raw: {
        "fleet.yaml": (t) =>
          t
            .replace(/^( {4}at22: )\{/m, "$1&at22 {")
            .replace(
              /^( {4}at23: )\{ plan: [0-9a-f-]+, apply: [0-9a-f-]+, roles: environment \}/m,
              "$1{ <<: *at22, plan: 6301bbfc-a0c5-454e-8ff9-bb510944fe0c }",
            ),
      },
    });
    const { problems, fleet } = loadFleet(dir);
    expect(errors(problems)).toEqual([]);
    expect(fleet!.settings.state.principals.at23).toEqual({
      plan: "6301bbfc-a0c5-454e-8ff9-bb510944fe0c",
      apply: "9dfb369b-ab13-4fae-a276-55daa05f1119",
      roles: "environment",
    });
  });

  test("a schema error does not hide the checks that run after it", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.environmentClasses!.test as Record<string, unknown>).skuTier = "Gold";
        (s.environments as Record<string, unknown>).at99 = {};
      },
      orgs: (d) => void d.orgs.brg!.environments.push("at98"),
    });
    expectOneError(dir, { field: "environmentClasses.test.skuTier", value: "Gold" });
    expectOneError(dir, { field: "environments.at99", message: /does not define/ });
    expectOneError(dir, { org: "brg", environment: "at98", message: /does not define/ });
    expect(errors(read(dir))).toHaveLength(3);
  });

  test("a changed blockPrefixLength is one error at the setting, not one per block", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.addressPlan as Record<string, unknown>).blockPrefixLength = 21;
      },
    });
    const p = expectOneError(dir, { file: "fleet.yaml", field: "addressPlan.blockPrefixLength", value: 21 });
    expect(p.fix).toBe("set blockPrefixLength back to 22");
    expect(errors(read(dir))).toHaveLength(1);
  });

  test("an org code with `_` or `.` says which characters are allowed, without a dump of the entry", () => {
    const dir = fleetFixture({
      orgs: (d) => {
        d.orgs.n_av = registryOrg(["tt02"]);
      },
    });
    const p = expectOneError(dir, { org: "n_av", field: "orgs.n_av", value: "n_av" });
    expect(p.message).toMatch(/only letters and digits.*underscore/);
    expect(p.message).not.toMatch(/not known here/);
  });
});

describe("VM sizes (issue 13)", () => {
  test("every size in environments/ and examples/ is accepted", () => {
    const { readFileSync } = require("node:fs") as typeof import("node:fs");
    const { join } = require("node:path") as typeof import("node:path");
    const { checkVmSize } = require("../../fleet/vm-sizes") as typeof import("../../fleet/vm-sizes");
    const sizes = ["environments", join("examples", "all-services")].flatMap((d) =>
      [
        ...readFileSync(join(__dirname, "..", "..", d, "fleet.yaml"), "utf8").matchAll(
          /vmSize: (\S+?)[,}\s]/g,
        ),
      ].map((m) => m[1]!),
    );
    expect(sizes.length).toBeGreaterThan(5);
    expect(sizes.filter((s) => checkVmSize(s) !== undefined)).toEqual([]);
  });

  test.each([
    ["Standard_E8sv5", "Standard_E8s_v5"],
    ["Standard_E8s_v9", "Standard_E8s_v6"],
  ])("refuses %s and names the nearest valid size %s", (size, nearest) => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.environmentClasses!.test as Record<string, any>).nodePools.user.vmSize = size;
      },
    });
    const p = expectOneError(dir, { field: "environmentClasses.test.nodePools.user.vmSize", value: size });
    expect(p.fix).toContain(`use ${nearest} (the nearest valid size)`);
  });
});

describe("one mistake, one error, whatever the other checks read (issue 13)", () => {
  const { parse } = require("yaml") as typeof import("yaml");
  const { readFileSync } = require("node:fs") as typeof import("node:fs");
  const { join } = require("node:path") as typeof import("node:path");
  const topLevel = Object.keys(parse(readFileSync(join(COMMITTED_FLEET, "fleet.yaml"), "utf8")) as object);

  test.each(topLevel.flatMap((key) => [[key, "missing"] as const, [key, "a number"] as const]))(
    "fleet.yaml with %s %s: no crash, one error (the later checks that read it are skipped)",
    (key, how) => {
      const dir = fleetFixture({
        settings: (s) => {
          if (how === "missing") delete s[key];
          else (s as Record<string, unknown>)[key] = 5;
        },
      });
      const found = errors(loadFleet(dir).problems);
      // `environments` (per-environment overrides), `decommission` and `rollout` (defaults in
      // cli/pipeline/rollout.ts) are optional: removing them is no mistake.
      const optional = ["environments", "decommission", "rollout"];
      expect(found.length).toBe(optional.includes(key) && how === "missing" ? 0 : 1);
    },
  );

  test("an environments.json entry that is not an object is one error, not unknown environments everywhere", () => {
    const dir = fleetFixture({
      environments: (d) => {
        (d.environments as unknown[])[0] = 5;
      },
    });
    expect(errors(loadFleet(dir).problems)).toEqual([
      expect.objectContaining({ file: "environments.json", field: "environments[0]" }),
    ]);
  });
});

describe("supporting services' options, at load (issue 13)", () => {
  const withServices = (services: Record<string, unknown>) =>
    fleetFixture({
      settings: (s) => {
        s.services = services as Record<string, unknown>;
      },
    });

  test("fails at load, at its line, where the services' own rules would fail at synth", () => {
    const dir = withServices({ clusters: { "apps-ttd-tt02": { hydra: true } } });
    const { problems, fleet } = loadFleet(dir);
    expect(fleet).toBeUndefined();
    const here = errors(problems).filter((p) => p.field === "services.clusters.apps-ttd-tt02.hydra");
    expect(here.map((p) => p.message)).toEqual([
      expect.stringMatching(/hydra needs a database/),
      expect.stringMatching(/hydra needs issuerUrl, loginUrl, consentUrl/),
    ]);
    expect(here[0]!.line).toEqual(expect.any(Number));
    expect(here[0]!.fix).toMatch(/enable postgresql/);
  });

  test("checks a published host against the cluster's own DNS zone", () => {
    const dir = withServices({
      clusters: {
        "apps-ttd-tt02": { prometheus: true, grafana: { ingress: { host: "grafana.example.com" } } },
      },
    });
    const p = expectOneError(dir, { field: "services.clusters.apps-ttd-tt02.grafana.ingress.host" });
    expect(p.message).toMatch(/not a name in this cluster's DNS zone ttd\.apps\.tt02\.altinn\.no/);
    expect(p.value).toBe("grafana.example.com");
  });

  test("knows an external cluster has no ingress controller of its own", () => {
    const dir = withServices({
      external: [{ name: "lab", kubeconfigContext: "lab", services: { certManager: true } }],
    });
    expectOneError(dir, {
      field: "services.external.0.services.certManager",
      message: /needs an ingress controller/,
    });
  });
});

describe("PostgreSQL servers, by the database construct's own rules (issue 13)", () => {
  test("fails at load if a Burstable server is asked for a standby, as the construct would at synth", () => {
    const dir = fleetFixture({
      settings: (s) => {
        const configSync = (s.operators as Record<string, any>).configSync;
        configSync.test.highAvailability = true;
      },
    });
    const p = expectOneError(dir, { message: /Burstable, which has no standby/ });
    expect(p).toMatchObject({ field: "operators.configSync.test.highAvailability", value: true });
    expect(p.line).toEqual(expect.any(Number));
  });

  test("fails at load if a storage size is none Azure offers (the schema takes the construct's list)", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.platform as Record<string, any>).classes.test.postgres.storageMb = 40000;
      },
    });
    const p = expectOneError(dir, { field: "platform.classes.test.postgres.storageMb" });
    expect(p.message).toMatch(/must be one of 32768, 65536/);
  });
});
