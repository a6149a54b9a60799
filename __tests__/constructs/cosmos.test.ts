import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { CosmosdbSqlContainer } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-container";
import { CosmosdbSqlDatabase } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-database";
import { CosmosdbSqlRoleAssignment } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack, TerraformVariable, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import {
  CosmosDbAccount,
  type CosmosDbAccountProps,
  type CosmosSqlDatabaseSpec,
} from "../../constructs/cosmos";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "altinn" };
const SUBNET =
  "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/private-endpoints";
const VNET = "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet";

/** A database shaped like Altinn Platform Storage's (research/altinn.md §1.3). */
const STORAGE_DB: CosmosSqlDatabaseSpec = {
  name: "Storage",
  maxThroughput: 4000,
  containers: [
    { name: "applications", partitionKeyPaths: ["/org"] },
    { name: "instances", partitionKeyPaths: ["/instanceOwner/partyId"], maxThroughput: 10000 },
    { name: "leases", partitionKeyPaths: ["/id"], defaultTtlSeconds: -1 },
  ],
};

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function accountProps(overrides: Partial<CosmosDbAccountProps> = {}): CosmosDbAccountProps {
  return {
    name: "altinn-platform-at22-cosmos",
    resourceGroupName: "altinnplatform-at22-rg",
    location: "norwayeast",
    failoverLocation: "norwaywest",
    databases: [STORAGE_DB],
    privateEndpointSubnetId: SUBNET,
    privateDns: { virtualNetworkId: VNET },
    tags: TAGS,
    ...overrides,
  };
}

function synthAccount(
  props: CosmosDbAccountProps = accountProps(),
  configure?: (a: CosmosDbAccount) => void,
) {
  const stack = newStack();
  const account = new CosmosDbAccount(stack, "cosmos", props);
  configure?.(account);
  return { account, synth: synthStack(stack) };
}

function accountResource(props?: CosmosDbAccountProps): Record<string, unknown> {
  return onlyResource(synthAccount(props).synth, CosmosdbAccount.tfResourceType);
}

function containerNamed(name: string, props?: CosmosDbAccountProps): Record<string, unknown> {
  const all = Object.values(resourcesOf(synthAccount(props).synth, CosmosdbSqlContainer.tfResourceType));
  const found = all.find((c) => c.name === name);
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

function failsWith(props: CosmosDbAccountProps, message: RegExp): void {
  expect(() => new CosmosDbAccount(newStack(), "cosmos", props)).toThrow(ConstructValidationError);
  expect(() => new CosmosDbAccount(newStack(), "cosmos", props)).toThrow(message);
}

function withContainers(containers: CosmosSqlDatabaseSpec["containers"], maxThroughput?: number) {
  return accountProps({ databases: [{ name: "Storage", maxThroughput, containers }] });
}

describe("CosmosDbAccount", () => {
  test("is a SQL API account with one write and one read region", () => {
    const account = accountResource();
    expect(account).toEqual(
      expect.objectContaining({
        name: "altinn-platform-at22-cosmos",
        kind: "GlobalDocumentDB",
        offer_type: "Standard",
      }),
    );
    expect(account.geo_location).toEqual([
      { location: "norwayeast", failover_priority: 0, zone_redundant: false },
      { location: "norwaywest", failover_priority: 1, zone_redundant: false },
    ]);
    expect(account.multiple_write_locations_enabled).toBe(false);
  });

  test("fails over automatically", () => {
    expect(accountResource().automatic_failover_enabled).toBe(true);
  });

  test("makes the write region zone-redundant when asked", () => {
    const regions = accountResource(accountProps({ zoneRedundant: true })).geo_location as Record<
      string,
      unknown
    >[];
    expect(regions.map((r) => r.zone_redundant)).toEqual([true, false]);
  });

  test("disables account keys and key-based metadata writes", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(CosmosdbAccount, {
      local_authentication_disabled: true,
      access_key_metadata_writes_enabled: false,
    });
  });

  test("has no public endpoint and requires TLS 1.2", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(CosmosdbAccount, {
      public_network_access_enabled: false,
      minimal_tls_version: "Tls12",
    });
  });

  test("uses Session consistency by default", () => {
    expect(accountResource().consistency_policy).toEqual({ consistency_level: "Session" });
  });

  test("takes bounded staleness with its limits", () => {
    const account = accountResource(
      accountProps({
        consistencyLevel: "BoundedStaleness",
        boundedStaleness: { maxIntervalInSeconds: 300, maxStalenessPrefix: 100000 },
      }),
    );
    expect(account.consistency_policy).toEqual({
      consistency_level: "BoundedStaleness",
      max_interval_in_seconds: 300,
      max_staleness_prefix: 100000,
    });
  });

  test("backs up continuously with 30 days of point-in-time restore", () => {
    expect(accountResource().backup).toEqual({ type: "Continuous", tier: "Continuous30Days" });
  });

  test("takes the 7-day continuous tier", () => {
    expect(accountResource(accountProps({ backupTier: "Continuous7Days" })).backup).toEqual({
      type: "Continuous",
      tier: "Continuous7Days",
    });
  });

  test("connects a private endpoint to the Sql subresource in the given subnet", () => {
    const endpoint = onlyResource(synthAccount().synth, PrivateEndpoint.tfResourceType);
    expect(endpoint).toEqual(
      expect.objectContaining({
        name: "altinn-platform-at22-cosmos-pe",
        subnet_id: SUBNET,
        custom_network_interface_name: "altinn-platform-at22-cosmos-pe-nic",
      }),
    );
    expect(endpoint.private_service_connection).toEqual({
      name: "altinn-platform-at22-cosmos-sql",
      is_manual_connection: false,
      private_connection_resource_id: expect.stringMatching(/^\$\{azurerm_cosmosdb_account\..*\.id\}$/),
      subresource_names: ["Sql"],
    });
  });

  test("registers the endpoint in a created privatelink.documents.azure.com zone linked to the VNet", () => {
    const { synth } = synthAccount();
    expect(synth.json).toHaveResourceWithProperties(PrivateDnsZone, {
      name: "privatelink.documents.azure.com",
      lifecycle: { prevent_destroy: true },
    });
    expect(synth.json).toHaveResourceWithProperties(PrivateDnsZoneVirtualNetworkLink, {
      name: "altinn-platform-at22-cosmos-vnet-link",
      virtual_network_id: VNET,
      registration_enabled: false,
    });
    const endpoint = onlyResource(synth, PrivateEndpoint.tfResourceType);
    expect(endpoint.private_dns_zone_group).toEqual({
      name: "default",
      private_dns_zone_ids: [expect.stringMatching(/^\$\{azurerm_private_dns_zone\..*\.id\}$/)],
    });
  });

  test("registers the endpoint in an existing zone without creating one", () => {
    const zoneId =
      "/subscriptions/0/resourceGroups/hub/providers/Microsoft.Network/privateDnsZones/privatelink.documents.azure.com";
    const { synth } = synthAccount(accountProps({ privateDns: { existingZoneId: zoneId } }));
    expect(Object.keys(resourcesOf(synth, PrivateDnsZone.tfResourceType))).toHaveLength(0);
    expect(Object.keys(resourcesOf(synth, PrivateDnsZoneVirtualNetworkLink.tfResourceType))).toHaveLength(0);
    expect(onlyResource(synth, PrivateEndpoint.tfResourceType).private_dns_zone_group).toEqual({
      name: "default",
      private_dns_zone_ids: [zoneId],
    });
  });

  test("gives a database shared autoscale throughput, with prevent_destroy", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(CosmosdbSqlDatabase, {
      name: "Storage",
      autoscale_settings: { max_throughput: 4000 },
      account_name: expect.stringMatching(/^\$\{azurerm_cosmosdb_account\..*\.name\}$/),
      lifecycle: { prevent_destroy: true },
    });
  });

  test("creates containers with their partition keys, using version 2 hashing", () => {
    const container = containerNamed("applications");
    expect(container).toEqual(
      expect.objectContaining({
        partition_key_paths: ["/org"],
        partition_key_kind: "Hash",
        partition_key_version: 2,
        database_name: expect.stringMatching(/^\$\{azurerm_cosmosdb_sql_database\..*\.name\}$/),
      }),
    );
    expect(container.autoscale_settings).toBeUndefined();
  });

  test("gives a container its own autoscale throughput when asked", () => {
    expect(containerNamed("instances").autoscale_settings).toEqual({ max_throughput: 10000 });
  });

  test("takes a default time to live", () => {
    expect(containerNamed("leases").default_ttl).toBe(-1);
  });

  test("uses a hierarchical key for two or more paths", () => {
    const container = containerNamed(
      "events",
      withContainers([{ name: "events", partitionKeyPaths: ["/tenant", "/subject"], maxThroughput: 1000 }]),
    );
    expect(container.partition_key_kind).toBe("MultiHash");
    expect(container.partition_key_paths).toEqual(["/tenant", "/subject"]);
  });

  test("protects the account, databases and containers with prevent_destroy", () => {
    const { synth } = synthAccount();
    expect(onlyResource(synth, CosmosdbAccount.tfResourceType).lifecycle).toEqual({ prevent_destroy: true });
    const containers = Object.values(resourcesOf(synth, CosmosdbSqlContainer.tfResourceType));
    expect(containers).toHaveLength(3);
    for (const c of containers) expect(c.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("carries the submodule tag", () => {
    expect(accountResource().tags).toEqual({ ...TAGS, submodule: "cosmos-db-account" });
  });

  test("grants the built-in data roles on the account", () => {
    const principal = "11111111-2222-3333-4444-555555555555";
    const { synth } = synthAccount(accountProps(), (a) => {
      a.grantDataAccess("storage-readwrite", principal, "readwrite");
      a.grantDataAccess("reader", principal, "read");
    });
    const roles = resourcesOf(synth, CosmosdbSqlRoleAssignment.tfResourceType);
    const roleOf = (id: string) =>
      Object.entries(roles).find(([logicalId]) => logicalId.startsWith(`cosmos_${id}_`))?.[1]
        .role_definition_id;
    expect(roleOf("storage-readwrite")).toMatch(
      /\.id\}\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000002$/,
    );
    expect(roleOf("reader")).toMatch(/\.id\}\/sqlRoleDefinitions\/00000000-0000-0000-0000-000000000001$/);
    for (const role of Object.values(roles)) {
      expect(role.principal_id).toBe(principal);
      expect(role.scope).toMatch(/^\$\{azurerm_cosmosdb_account\..*\.id\}$/);
    }
  });

  test("exposes databases and containers by name, and references", () => {
    const { account } = synthAccount();
    expect(Object.keys(account.databases)).toEqual(["Storage"]);
    expect(Object.keys(account.containers)).toEqual([
      "Storage/applications",
      "Storage/instances",
      "Storage/leases",
    ]);
    for (const value of [account.id, account.name, account.endpoint, account.privateDnsZoneId]) {
      expect(Token.isUnresolved(value)).toBe(true);
    }
  });

  describe("validation", () => {
    test("fails if the name breaks Azure's rule", () => {
      failsWith(accountProps({ name: "Altinn-Cosmos" }), /lowercase letters, digits and hyphens/);
      failsWith(accountProps({ name: "ab" }), /3-44 characters/);
      failsWith(accountProps({ name: `altinn-platform-${"x".repeat(29)}` }), /3-44 characters/);
    });

    test("fails if the failover region is the write region", () => {
      failsWith(accountProps({ failoverLocation: "Norway East" }), /is the write region/);
    });

    test("fails if bounded staleness lacks or misplaces its limits", () => {
      failsWith(accountProps({ consistencyLevel: "BoundedStaleness" }), /needs boundedStaleness/);
      failsWith(
        accountProps({ boundedStaleness: { maxIntervalInSeconds: 300, maxStalenessPrefix: 100000 } }),
        /applies only to consistencyLevel "BoundedStaleness"/,
      );
    });

    test("fails if bounded staleness limits are too small for two regions", () => {
      failsWith(
        accountProps({
          consistencyLevel: "BoundedStaleness",
          boundedStaleness: { maxIntervalInSeconds: 5, maxStalenessPrefix: 100000 },
        }),
        /maxIntervalInSeconds 5/,
      );
    });

    test("fails if there are no databases, or a database has no containers", () => {
      failsWith(accountProps({ databases: [] }), /databases is empty/);
      failsWith(withContainers([], 1000), /has no containers/);
    });

    test("fails if a database or container is listed twice", () => {
      failsWith(accountProps({ databases: [STORAGE_DB, STORAGE_DB] }), /database "Storage" is listed twice/);
      failsWith(
        withContainers(
          [
            { name: "texts", partitionKeyPaths: ["/org"] },
            { name: "texts", partitionKeyPaths: ["/id"] },
          ],
          1000,
        ),
        /"Storage\/texts" is listed twice/,
      );
    });

    test("fails if two containers would share a Terraform address", () => {
      failsWith(
        accountProps({
          databases: [
            { name: "a-b", maxThroughput: 1000, containers: [{ name: "c", partitionKeyPaths: ["/id"] }] },
            { name: "a", maxThroughput: 1000, containers: [{ name: "b-c", partitionKeyPaths: ["/id"] }] },
          ],
        }),
        /would share a Terraform address/,
      );
    });

    test("fails if a container has no throughput of its own or shared", () => {
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["/org"] }]),
        /"Storage\/texts" has no throughput/,
      );
    });

    test("fails if autoscale throughput is not a multiple of 1000", () => {
      failsWith(withContainers([{ name: "texts", partitionKeyPaths: ["/org"] }], 400), /maxThroughput 400/);
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["/org"], maxThroughput: 1500 }]),
        /maxThroughput 1500/,
      );
    });

    test("fails if a partition key path is malformed, missing or repeated", () => {
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["org"] }], 1000),
        /must start with "\/"/,
      );
      failsWith(withContainers([{ name: "texts", partitionKeyPaths: [] }], 1000), /1-3 partition key paths/);
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["/a", "/b", "/c", "/d"] }], 1000),
        /1-3 partition key paths/,
      );
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["/a", "/a"] }], 1000),
        /repeats a partition key path/,
      );
    });

    test("fails if a container or database name has forbidden characters", () => {
      failsWith(
        withContainers([{ name: "texts#1", partitionKeyPaths: ["/org"] }], 1000),
        /without \/ \\ # \?/,
      );
      failsWith(
        accountProps({ databases: [{ ...STORAGE_DB, name: "Storage/1" }] }),
        /database name "Storage\/1"/,
      );
    });

    test("fails if the default time to live is zero", () => {
      failsWith(
        withContainers([{ name: "texts", partitionKeyPaths: ["/org"], defaultTtlSeconds: 0 }], 1000),
        /defaultTtlSeconds 0/,
      );
    });

    test("skips checks on unresolved tokens", () => {
      const stack = newStack();
      const name = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
      expect(() => new CosmosDbAccount(stack, "cosmos", accountProps({ name }))).not.toThrow();
    });
  });
});
