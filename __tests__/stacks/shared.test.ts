import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { apimZones } from "../../stacks/platform-stack";
import { resourcesOf, type SynthesizedStack } from "../../testing";
import { committedFleet, sharedFleetOutput, synthFleetStacks } from "../../testing/fleet-synth";

const stacks = synthFleetStacks([
  "platform-tt02",
  "platform-prod",
  "platform-prod-k8s",
  "studio-dev",
  "studio-prod",
  "studio-prod-k8s",
  "bootstrap-state",
  "state-scopes",
]);
const platformTest = stacks.get("platform-tt02")!;
const platformProd = stacks.get("platform-prod")!;
const studioDev = stacks.get("studio-dev")!;
const studioProd = stacks.get("studio-prod")!;
const bootstrap = stacks.get("bootstrap-state")!;
const stateScopes = stacks.get("state-scopes")!;

const only = (s: SynthesizedStack, type: string) => {
  const all = Object.values(resourcesOf(s, type));
  expect([type, all.length]).toEqual([type, 1]);
  return all[0]!;
};

describe("platform-<env>", () => {
  test("runs on the same cluster environment as the Apps environments", () => {
    expect(only(platformProd, "azurerm_kubernetes_cluster")).toMatchObject({
      name: "platform-prod-aks",
      local_account_disabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
    });
    expect(only(platformProd, "azurerm_dns_zone").name).toBe("platform.altinn.no");
  });

  test("API Management: SKU per class, managed identity, VNet injection, old TLS and weak ciphers off", () => {
    const test = only(platformTest, "azurerm_api_management");
    const prod = only(platformProd, "azurerm_api_management");
    expect(test).toMatchObject({ name: "altinn-platform-tt02-apim", sku_name: "Developer_1" });
    expect(prod).toMatchObject({
      sku_name: "Premium_2",
      zones: ["1", "2"],
      virtual_network_type: "External",
    });
    expect(prod.identity).toMatchObject({ type: "SystemAssigned" });
    expect(String((prod.virtual_network_configuration as Record<string, unknown>).subnet_id)).toMatch(
      /subnet-apim/,
    );
    const security = prod.security as Record<string, unknown>;
    for (const [key, value] of Object.entries(security)) {
      if (/tls_?1[01]|ssl30|triple_des|tls_rsa|tls_ecdhe/.test(key))
        expect([key, value]).toEqual([key, false]);
    }
    expect(Object.keys(security).some((k) => /tls10/.test(k))).toBe(true);
  });

  test("platform.{hostname} resolves to API Management's gateway; Traefik answers only ingress.platform.{hostname}", () => {
    const records = Object.values(resourcesOf(platformProd, "azurerm_dns_a_record"));
    const byName = new Map(records.map((r) => [r.name, r.records]));
    expect([...byName.keys()].sort()).toEqual(["@", "ingress"]);
    expect(byName.get("@")).toMatch(/^\$\{azurerm_api_management\.[^.]+\.public_ip_addresses\}$/);
    expect(byName.get("ingress")).toEqual([
      expect.stringMatching(/^\$\{azurerm_public_ip\.environment_ingress-ip/),
    ]);
    // The CAs of the gateway certificate may issue for the zone.
    const caa = only(platformProd, "azurerm_dns_caa_record").record as { tag: string; value: string }[];
    for (const issuer of committedFleet().settings.platform.gatewayCertificate.caaIssuers) {
      expect(caa).toContainEqual({ flags: 0, tag: "issue", value: issuer });
    }
  });

  test("API Management is created after its subnet's NSG association and the NSG rules it needs", () => {
    const service = only(platformProd, "azurerm_api_management");
    const dependsOn = service.depends_on as string[];
    expect(dependsOn).toContainEqual(
      expect.stringMatching(
        /^azurerm_subnet_network_security_group_association\.environment_network_nsg-association-apim_/,
      ),
    );
    const rules = Object.keys(resourcesOf(platformProd, "azurerm_network_security_rule"))
      .filter((k) => k.startsWith("api-management_"))
      .map((k) => `azurerm_network_security_rule.${k}`);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect(dependsOn).toContain(rule);
  });

  test("no custom domain before the gateway certificate is imported, so the first apply needs nothing that does not exist", () => {
    expect(committedFleet().settings.platform.gatewayCertificate.imported).toEqual([]);
    expect(Object.keys(resourcesOf(platformProd, "azurerm_api_management_custom_domain"))).toEqual([]);
    // The officers may import it into the Platform Key Vault.
    const officers = Object.values(resourcesOf(platformProd, "azurerm_role_assignment")).find(
      (r) => r.role_definition_name === "Key Vault Certificates Officer",
    );
    expect(officers).toMatchObject({
      principal_id: committedFleet().settings.platform.gatewayCertificate.officers.objectId,
      scope: expect.stringMatching(/^\$\{azurerm_key_vault\.environment_key-vault_[^.]+\.id\}$/),
    });
  });

  test("once imported, API Management serves platform.{hostname} with the vault's certificate and reads only that secret", () => {
    const fleet = committedFleet();
    const imported = {
      ...fleet,
      platforms: fleet.platforms.map((p) => ({ ...p, gatewayCertificateImported: true })),
    };
    const prod = synthFleetStacks(["platform-prod"], imported).get("platform-prod")!;
    const domain = only(prod, "azurerm_api_management_custom_domain");
    expect(domain.gateway).toEqual([
      expect.objectContaining({
        host_name: "platform.altinn.no",
        key_vault_certificate_id: expect.stringMatching(
          /^\$\{azurerm_key_vault\.environment_key-vault_[^.]+\.vault_uri\}secrets\/platform-gateway-certificate$/,
        ),
      }),
    ]);
    const reader = Object.values(resourcesOf(prod, "azurerm_role_assignment")).find(
      (r) => r.role_definition_name === "Key Vault Secrets User",
    );
    expect(reader?.scope).toMatch(/\.id\}\/secrets\/platform-gateway-certificate$/);
  });

  test("platform storage is geo-redundant in production and zone-redundant in test", () => {
    const prodAccounts = Object.values(resourcesOf(platformProd, "azurerm_storage_account"));
    expect(prodAccounts.map((a) => [a.name, a.account_replication_type])).toEqual([
      ["altinnplatformprod01", "RAGZRS"],
    ]);
    expect(only(platformTest, "azurerm_storage_account").account_replication_type).toBe("ZRS");
    expect(prodAccounts[0]).toMatchObject({ min_tls_version: "TLS1_2", shared_access_key_enabled: false });
  });

  test("PostgreSQL: private, Entra ID only, TLS enforced, zone-redundant HA and geo backup in production", () => {
    const servers = Object.values(resourcesOf(platformProd, "azurerm_postgresql_flexible_server"));
    // Only the Platform's own server: each Apps environment has its own config-sync server.
    expect(servers.map((s) => s.name)).toEqual(["altinn-platform-prod-psql"]);
    const server = servers.find((s) => s.name === "altinn-platform-prod-psql")!;
    expect(server).toMatchObject({
      name: "altinn-platform-prod-psql",
      public_network_access_enabled: false,
      geo_redundant_backup_enabled: true,
      high_availability: expect.objectContaining({ mode: "ZoneRedundant" }),
      authentication: expect.objectContaining({
        active_directory_auth_enabled: true,
        password_auth_enabled: false,
      }),
    });
    expect(String(server.delegated_subnet_id)).toMatch(/subnet-postgres/);
    const config = Object.values(
      resourcesOf(platformProd, "azurerm_postgresql_flexible_server_configuration"),
    );
    expect(config).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "require_secure_transport", value: "on" }),
        expect.objectContaining({ name: "ssl_min_protocol_version", value: "TLSv1.2" }),
      ]),
    );
    const test = Object.values(resourcesOf(platformTest, "azurerm_postgresql_flexible_server")).find(
      (s) => s.name === "altinn-platform-tt02-psql",
    )!;
    expect(test.geo_redundant_backup_enabled).toBe(false);
    expect(test.high_availability).toBeUndefined();
  });

  test("no password of any kind in the synthesized JSON", () => {
    for (const s of [platformProd, platformTest, studioProd]) {
      expect(s.json).not.toMatch(/administrator_password"|"password":|administrator_login_password/);
    }
  });

  test("holds no configuration-sync database: it is in each Apps stack", () => {
    const dbs = Object.values(resourcesOf(platformProd, "azurerm_postgresql_flexible_server_database"));
    expect(dbs.map((d) => d.name)).toEqual(["events"]);
  });

  test("the PostgreSQL subnet is delegated to flexible servers", () => {
    const subnets = Object.values(resourcesOf(platformProd, "azurerm_subnet"));
    const pg = subnets.find((s) => s.name === "postgres")!;
    expect(JSON.stringify(pg.delegation)).toContain("Microsoft.DBforPostgreSQL/flexibleServers");
    expect(subnets.map((s) => s.name).sort()).toEqual([
      "apim",
      "endpoints",
      "postgres",
      "syspool",
      "workpool",
    ]);
  });

  test("Cosmos DB: one write and one read region, autoscale, continuous backup, keys off, private only", () => {
    const account = only(platformProd, "azurerm_cosmosdb_account");
    expect(account).toMatchObject({
      name: "altinn-platform-prod-cosmos",
      local_authentication_disabled: true,
      public_network_access_enabled: false,
      backup: expect.objectContaining({ type: "Continuous" }),
    });
    expect(
      (account.geo_location as { location: string; failover_priority: number }[]).map((g) => [
        g.location,
        g.failover_priority,
      ]),
    ).toEqual([
      ["norwayeast", 0],
      ["norwaywest", 1],
    ]);
    const db = only(platformProd, "azurerm_cosmosdb_sql_database");
    expect(db.autoscale_settings).toEqual({ max_throughput: 20000 });
    const containers = Object.values(resourcesOf(platformProd, "azurerm_cosmosdb_sql_container")).map(
      (c) => c.name,
    );
    expect(containers.sort()).toEqual([
      "applications",
      "dataElements",
      "instanceEvents",
      "instances",
      "leases",
      "texts",
    ]);
    const cosmosEndpoints = Object.values(resourcesOf(platformProd, "azurerm_private_endpoint")).filter(
      (e) => (e.private_service_connection as { subresource_names: string[] }).subresource_names[0] === "Sql",
    );
    expect(cosmosEndpoints).toHaveLength(1);
  });
});

describe("studio-<env>", () => {
  test("Studio prod's zone delegates dev. and staging.altinn.studio to their own zones' name servers", () => {
    const ns = Object.values(resourcesOf(studioProd, "azurerm_dns_ns_record"));
    const zones = Object.entries(studioProd.parsed.data?.azurerm_dns_zone ?? {}) as [
      string,
      Record<string, unknown>,
    ][];
    expect(zones.map(([, z]) => [z.name, z.resource_group_name]).sort()).toEqual([
      ["dev.altinn.studio", "altinnstudio-dev-rg"],
      ["staging.altinn.studio", "altinnstudio-staging-rg"],
    ]);
    expect(ns.map((r) => [r.name, r.records]).sort()).toEqual(
      zones
        .map(([key, z]) => [
          String(z.name).split(".")[0],
          `\${tolist(data.azurerm_dns_zone.${key}.name_servers)}`,
        ])
        .sort(),
    );
    for (const r of ns) expect(String(r.zone_name)).toMatch(/^\$\{azurerm_dns_zone\.environment_dns_zone_/);
    // Zones without a fleet parent publish their name servers for the parent domain's owner.
    expect(studioDev.parsed.output?.dns_name_servers).toBeDefined();
  });

  test("clusters are named studio-<env>-aks and hosts follow the environments", () => {
    expect(only(studioDev, "azurerm_kubernetes_cluster").name).toBe("studio-dev-aks");
    expect(only(studioDev, "azurerm_dns_zone").name).toBe("dev.altinn.studio");
    expect(only(studioProd, "azurerm_dns_zone").name).toBe("altinn.studio");
  });

  test("has the PostgreSQL, storage and Key Vault Designer and the repositories need", () => {
    const pg = only(studioProd, "azurerm_postgresql_flexible_server");
    expect(pg).toMatchObject({ name: "altinn-studio-prod-psql", geo_redundant_backup_enabled: true });
    const dbs = Object.values(resourcesOf(studioProd, "azurerm_postgresql_flexible_server_database")).map(
      (d) => d.name,
    );
    expect(dbs.sort()).toEqual(["designer", "gitea"]);
    expect(only(studioProd, "azurerm_storage_account").account_replication_type).toBe("GZRS");
    expect(only(studioProd, "azurerm_key_vault")).toMatchObject({
      name: "altinn-studio-prod-kv",
      purge_protection_enabled: true,
    });
  });
});

describe("bootstrap-state", () => {
  const fleet = committedFleet();

  test("is applied with local state", () => {
    expect(bootstrap.parsed.terraform?.backend).toEqual({
      local: { path: "../../../.state/bootstrap-state.tfstate" },
    });
  });

  test("the state account is hardened", () => {
    expect(only(bootstrap, "azurerm_storage_account")).toMatchObject({
      name: "altinnfleettfstate01",
      account_replication_type: "GZRS",
      shared_access_key_enabled: false,
      infrastructure_encryption_enabled: true,
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
      https_traffic_only_enabled: true,
      blob_properties: expect.objectContaining({
        versioning_enabled: true,
        delete_retention_policy: expect.anything(),
        container_delete_retention_policy: expect.anything(),
      }),
      network_rules: expect.objectContaining({ default_action: "Deny" }),
      lifecycle: expect.objectContaining({ prevent_destroy: true }),
    });
    expect(only(bootstrap, "azurerm_management_lock")).toMatchObject({ lock_level: "CanNotDelete" });
  });

  test("the state account admits the agents' subnets (same region) and IP ranges (elsewhere)", () => {
    expect(only(bootstrap, "azurerm_storage_account").network_rules).toMatchObject({
      default_action: "Deny",
      virtual_network_subnet_ids: fleet.settings.state.allowedSubnetIds,
      ip_rules: fleet.settings.state.allowedIpRanges,
    });
  });

  test("has one container per state scope: its own scope's in bootstrap-state, every other in state-scopes", () => {
    const names = (st: SynthesizedStack) =>
      Object.values(resourcesOf(st, "azurerm_storage_container")).map((c) => c.name);
    expect(names(bootstrap)).toEqual(["tfstate-state"]);
    expect([...names(bootstrap), ...names(stateScopes)].sort()).toEqual(
      fleet.stateScopes.map((s) => `tfstate-${s}`).sort(),
    );
    // state-scopes addresses the account by its Resource Manager id: no data plane, no data source.
    for (const c of Object.values(resourcesOf(stateScopes, "azurerm_storage_container"))) {
      expect(c.storage_account_id).toBe(
        `/subscriptions/${fleet.settings.subscriptions.bootstrap}/resourceGroups/altinn-fleet-tfstate-rg/providers/Microsoft.Storage/storageAccounts/altinnfleettfstate01`,
      );
      expect(c.lifecycle).toMatchObject({ prevent_destroy: true });
    }
    expect(stateScopes.parsed.data).toBeUndefined();
  });

  test("each scope's plan identity reads and its apply identity writes only its own container", () => {
    const stateRoles = ["Storage Blob Data Reader", "Storage Blob Data Contributor"];
    for (const scope of fleet.stateScopes) {
      const holder = scope === "state" ? bootstrap : stateScopes;
      const containers = resourcesOf(holder, "azurerm_storage_container");
      const container = Object.entries(containers).find(([, c]) => c.name === `tfstate-${scope}`)![0];
      const assignments = [bootstrap, stateScopes]
        .flatMap((st) => Object.values(resourcesOf(st, "azurerm_role_assignment")))
        .filter((a) => stateRoles.includes(a.role_definition_name as string));
      const { plan, apply } = fleet.settings.state.principals[scope]!;
      const mine = (id: string) => assignments.filter((a) => a.principal_id === id);
      const own = `\${azurerm_storage_container.${container}.resource_manager_id}`;
      expect(mine(plan).map((a) => [a.role_definition_name, a.scope])).toEqual([
        ["Storage Blob Data Reader", own],
      ]);
      // The state scope's apply identity also initialises the other scopes' state (next test).
      const applyGrants = mine(apply).filter((a) => scope !== "state" || a.scope === own);
      expect(applyGrants.map((a) => [a.role_definition_name, a.scope])).toEqual([
        ["Storage Blob Data Contributor", own],
      ]);
    }
  });

  test("lets the state scope's apply identity create the state blobs of never-applied stacks in every other container, never delete (init-state)", () => {
    const { apply } = fleet.settings.state.principals.state!;
    const containers = resourcesOf(stateScopes, "azurerm_storage_container");
    const grants = Object.values(resourcesOf(stateScopes, "azurerm_role_assignment")).filter(
      (a) => a.principal_id === apply,
    );
    const expected = fleet.stateScopes
      .filter((s) => s !== "state")
      .map((s) => {
        const container = Object.entries(containers).find(([, c]) => c.name === `tfstate-${s}`)![0];
        return `\${azurerm_storage_container.${container}.resource_manager_id}`;
      });
    expect(grants.map((a) => a.scope).sort()).toEqual(expected.sort());
    for (const a of grants) {
      expect(a.role_definition_name).toBe("Storage Blob Data Contributor");
      expect(a.condition).toBe(
        "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})))",
      );
    }
  });

  test("lets the state scope's apply identity create containers and assign only the two state roles", () => {
    const { plan, apply } = fleet.settings.state.principals.state!;
    const account = Object.keys(resourcesOf(bootstrap, "azurerm_storage_account"))[0]!;
    const onAccount = Object.values(resourcesOf(bootstrap, "azurerm_role_assignment")).filter(
      (a) => a.scope === `\${azurerm_storage_account.${account}.id}`,
    );
    const rbac = onAccount.find((a) => a.role_definition_name === "Role Based Access Control Administrator")!;
    expect(rbac.principal_id).toBe(apply);
    expect(rbac.condition).toContain(
      "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1, ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    );
    expect(onAccount.find((a) => a.role_definition_name === "Reader")!.principal_id).toBe(plan);
    const role = only(bootstrap, "azurerm_role_definition");
    expect((role.permissions as { actions: string[] }[])[0]!.actions).toEqual([
      "Microsoft.Storage/storageAccounts/read",
      "Microsoft.Storage/storageAccounts/blobServices/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
    ]);
  });
});

describe("every backend", () => {
  test("points at a container bootstrap-state or state-scopes creates", () => {
    const out = sharedFleetOutput();
    const created = new Set(
      [bootstrap, stateScopes].flatMap((st) =>
        Object.values(resourcesOf(st, "azurerm_storage_container")).map((c) => c.name),
      ),
    );
    const account = only(bootstrap, "azurerm_storage_account").name;
    let checked = 0;
    for (const id of readdirSync(join(out, "stacks"))) {
      if (id === "bootstrap-state") continue;
      const json = JSON.parse(readFileSync(join(out, "stacks", id, "cdk.tf.json"), "utf8"));
      const backend = json.terraform.backend.azurerm;
      expect([id, backend.storage_account_name, created.has(backend.container_name)]).toEqual([
        id,
        account,
        true,
      ]);
      expect(backend.key).toBe(`${id}.tfstate`);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
  });
});

describe("apimZones", () => {
  test.each([
    ["Premium_3", ["1", "2", "3"]],
    ["Premium_2", ["1", "2"]],
    ["Premium_1", undefined],
    ["Developer_1", undefined],
  ])("%s", (sku, zones) => expect(apimZones(sku)).toEqual(zones));
});

/**
 * The state-scopes stack with only the blocks of a fixed set of scopes: it holds a container and
 * access per scope, so adding an environment (README) adds blocks without changing these.
 */
function stateScopesSnapshot(s: SynthesizedStack): unknown {
  const kept = new Set(["state", "shared", "at22", "prod"]);
  const others = committedFleet().stateScopes.filter((x) => !kept.has(x));
  return withoutBlocks(s, (key) => others.some((x) => key.includes(`-${x}_`)));
}

/** Production Studio with the registry endpoints of two orgs only (one per org: adding an org adds one). */
function studioSnapshot(s: SynthesizedStack): unknown {
  const kept = new Set(["ttd", "brg"]);
  const others = committedFleet().orgs.filter((o) => !kept.has(o.code));
  return withoutBlocks(s, (key) => others.some((o) => key.includes(`org-registry-endpoint-${o.code}_`)));
}

function withoutBlocks(s: SynthesizedStack, foreign: (key: string) => boolean): unknown {
  const resource = Object.fromEntries(
    Object.entries(s.parsed.resource ?? {}).map(([type, byName]) => [
      type,
      Object.fromEntries(Object.entries(byName).filter(([name]) => !foreign(name))),
    ]),
  );
  return { ...s.parsed, resource };
}

describe("snapshots, one per stack kind", () => {
  test.each([
    ["platform", platformProd],
    ["platform-k8s", stacks.get("platform-prod-k8s")!],
    ["studio", studioProd],
    ["studio-k8s", stacks.get("studio-prod-k8s")!],
    ["bootstrap", bootstrap],
    ["state", stateScopes],
  ])("%s", (kind, s) => {
    const view = kind === "state" ? stateScopesSnapshot(s) : kind === "studio" ? studioSnapshot(s) : s.parsed;
    expect(view).toMatchSnapshot();
  });
});
