import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator";
import { PostgresqlFlexibleServerConfiguration } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration";
import { PostgresqlFlexibleServerDatabase } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-database";
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack, TerraformVariable, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { PostgresFlexibleServer, type PostgresFlexibleServerProps } from "../../constructs/database";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "altinn" };
const TENANT = "cd0026d8-283b-4a55-9bfa-d0ef4a8ba21c";
const ADMIN_GROUP = "3f2b1a6c-8d4e-4b7a-9c15-2e6f0a1d7b34";
const SUBNET =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/altinnplatform-at22-rg/providers/Microsoft.Network/virtualNetworks/altinnplatform-at22-vnet/subnets/postgres";
const VNET =
  "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/altinnplatform-at22-rg/providers/Microsoft.Network/virtualNetworks/altinnplatform-at22-vnet";

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function serverProps(overrides: Partial<PostgresFlexibleServerProps> = {}): PostgresFlexibleServerProps {
  return {
    name: "altinn-platform-at22-psql",
    resourceGroupName: "altinnplatform-at22-rg",
    location: "norwayeast",
    tenantId: TENANT,
    delegatedSubnetId: SUBNET,
    privateDns: { virtualNetworkId: VNET },
    administrator: { objectId: ADMIN_GROUP, principalName: "altinn-platform-dba", principalType: "Group" },
    sku: "GP_Standard_D2ds_v5",
    geoRedundantBackup: false,
    databases: ["events", "gitea"],
    tags: TAGS,
    ...overrides,
  };
}

function synthServer(props: PostgresFlexibleServerProps = serverProps(), stack = newStack()) {
  const server = new PostgresFlexibleServer(stack, "postgres", props);
  return { server, synth: synthStack(stack) };
}

function serverResource(props?: PostgresFlexibleServerProps): Record<string, unknown> {
  return onlyResource(synthServer(props).synth, PostgresqlFlexibleServer.tfResourceType);
}

function parameterValues(props?: PostgresFlexibleServerProps): Record<string, unknown> {
  const all = resourcesOf(synthServer(props).synth, PostgresqlFlexibleServerConfiguration.tfResourceType);
  return Object.fromEntries(Object.values(all).map((p) => [p.name, p.value]));
}

function failsWith(props: PostgresFlexibleServerProps, message: RegExp): void {
  expect(() => new PostgresFlexibleServer(newStack(), "postgres", props)).toThrow(ConstructValidationError);
  expect(() => new PostgresFlexibleServer(newStack(), "postgres", props)).toThrow(message);
}

describe("PostgresFlexibleServer", () => {
  test("runs PostgreSQL 16 on the requested SKU with 32 GiB of auto-growing storage", () => {
    expect(synthServer().synth.json).toHaveResourceWithProperties(PostgresqlFlexibleServer, {
      name: "altinn-platform-at22-psql",
      version: "16",
      sku_name: "GP_Standard_D2ds_v5",
      storage_mb: 32768,
      auto_grow_enabled: true,
    });
  });

  test("has no public endpoint: it lives in the delegated subnet and the private DNS zone", () => {
    const server = serverResource();
    expect(server.public_network_access_enabled).toBe(false);
    expect(server.delegated_subnet_id).toBe(SUBNET);
    expect(server.private_dns_zone_id).toMatch(
      /^\$\{azurerm_private_dns_zone\.postgres_private-dns-zone_[0-9A-F]+\.id\}$/,
    );
  });

  test("creates a private DNS zone named after the server and links it to the VNet", () => {
    const { synth } = synthServer();
    expect(synth.json).toHaveResourceWithProperties(PrivateDnsZone, {
      name: "altinn-platform-at22-psql.private.postgres.database.azure.com",
      resource_group_name: "altinnplatform-at22-rg",
      lifecycle: { prevent_destroy: true },
    });
    expect(synth.json).toHaveResourceWithProperties(PrivateDnsZoneVirtualNetworkLink, {
      name: "altinn-platform-at22-psql-vnet-link",
      virtual_network_id: VNET,
      registration_enabled: false,
      private_dns_zone_name: expect.stringMatching(/^\$\{azurerm_private_dns_zone\..*\.name\}$/),
    });
  });

  test("waits for the VNet link before creating the server", () => {
    const server = serverResource();
    expect(server.depends_on).toEqual([
      expect.stringMatching(
        /^azurerm_private_dns_zone_virtual_network_link\.postgres_private-dns-zone-link_/,
      ),
    ]);
  });

  test("uses an existing zone as given, without creating or linking one", () => {
    const zoneId =
      "/subscriptions/0/resourceGroups/hub/providers/Microsoft.Network/privateDnsZones/private.postgres.database.azure.com";
    const { synth } = synthServer(serverProps({ privateDns: { existingZoneId: zoneId } }));
    expect(Object.keys(resourcesOf(synth, PrivateDnsZone.tfResourceType))).toHaveLength(0);
    expect(Object.keys(resourcesOf(synth, PrivateDnsZoneVirtualNetworkLink.tfResourceType))).toHaveLength(0);
    const server = onlyResource(synth, PostgresqlFlexibleServer.tfResourceType);
    expect(server.private_dns_zone_id).toBe(zoneId);
    expect(server.depends_on).toBeUndefined();
  });

  test("authenticates with Entra ID only", () => {
    expect(serverResource().authentication).toEqual({
      active_directory_auth_enabled: true,
      password_auth_enabled: false,
      tenant_id: TENANT,
    });
  });

  test("has no administrator login and no password anywhere in the synthesized JSON", () => {
    const { synth } = synthServer();
    const server = onlyResource(synth, PostgresqlFlexibleServer.tfResourceType);
    for (const key of Object.keys(server)) expect(key).not.toMatch(/^administrator_/);
    // The only occurrence of "password" is the switch that turns password authentication off.
    const occurrences = synth.json.match(/password/gi) ?? [];
    expect(occurrences).toHaveLength(1);
    expect(synth.json).toMatch(/"password_auth_enabled": false/);
    expect(synth.parsed.variable).toBeUndefined();
  });

  test("makes the given Entra principal the administrator", () => {
    expect(synthServer().synth.json).toHaveResourceWithProperties(
      PostgresqlFlexibleServerActiveDirectoryAdministrator,
      {
        object_id: ADMIN_GROUP,
        principal_name: "altinn-platform-dba",
        principal_type: "Group",
        tenant_id: TENANT,
        resource_group_name: "altinnplatform-at22-rg",
        server_name: expect.stringMatching(/^\$\{azurerm_postgresql_flexible_server\..*\.name\}$/),
      },
    );
  });

  test("adds further Entra administrators, each its own resource on the server", () => {
    const operator = "7d1f3c2a-5b6e-4f80-9a1b-c2d3e4f5a6b7";
    const { server, synth } = synthServer(
      serverProps({
        additionalAdministrators: [
          {
            objectId: operator,
            principalName: "ttd-tt02-runtime-operator-id",
            principalType: "ServicePrincipal",
          },
        ],
      }),
    );
    const admins = Object.entries(
      resourcesOf(synth, PostgresqlFlexibleServerActiveDirectoryAdministrator.tfResourceType),
    );
    expect(admins.map(([, a]) => [a.object_id, a.principal_name, a.principal_type]).sort()).toEqual([
      [ADMIN_GROUP, "altinn-platform-dba", "Group"],
      [operator, "ttd-tt02-runtime-operator-id", "ServicePrincipal"],
    ]);
    for (const [, a] of admins)
      expect(a.server_name).toMatch(/^\$\{azurerm_postgresql_flexible_server\..*\.name\}$/);
    expect(Object.keys(server.additionalAdministrators)).toEqual(["ttd-tt02-runtime-operator-id"]);
    expect(admins.map(([key]) => key).find((k) => k.includes("runtime-operator"))).toMatch(
      /^postgres_entra-administrator-ttd-tt02-runtime-operator-id_/,
    );
  });

  test("requires TLS, version 1.2 or later", () => {
    expect(parameterValues()).toEqual({
      require_secure_transport: "on",
      ssl_min_protocol_version: "TLSv1.2",
    });
  });

  test("can require TLS 1.3 and take further server parameters", () => {
    const values = parameterValues(
      serverProps({ minTlsVersion: "TLSv1.3", serverParameters: { "azure.extensions": "PGCRYPTO" } }),
    );
    expect(values).toEqual({
      "azure.extensions": "PGCRYPTO",
      require_secure_transport: "on",
      ssl_min_protocol_version: "TLSv1.3",
    });
  });

  test("keeps 35 days of backups, locally redundant unless asked", () => {
    const server = serverResource();
    expect(server.backup_retention_days).toBe(35);
    expect(server.geo_redundant_backup_enabled).toBe(false);
  });

  test("keeps geo-redundant backups when asked", () => {
    const server = serverResource(serverProps({ geoRedundantBackup: true, backupRetentionDays: 14 }));
    expect(server.geo_redundant_backup_enabled).toBe(true);
    expect(server.backup_retention_days).toBe(14);
  });

  test("has no standby unless asked", () => {
    expect(serverResource().high_availability).toBeUndefined();
  });

  test("runs a zone-redundant standby when asked", () => {
    const server = serverResource(
      serverProps({ zone: "1", highAvailability: { mode: "ZoneRedundant", standbyZone: "2" } }),
    );
    expect(server.zone).toBe("1");
    expect(server.high_availability).toEqual({ mode: "ZoneRedundant", standby_availability_zone: "2" });
  });

  test("ignores zone swaps after a failover and auto-grown storage", () => {
    const server = serverResource(serverProps({ highAvailability: { mode: "ZoneRedundant" } }));
    expect(server.lifecycle).toEqual({
      prevent_destroy: true,
      ignore_changes: ["zone", "high_availability[0].standby_availability_zone", "storage_mb"],
    });
  });

  test("manages storage size when auto-grow is off", () => {
    const server = serverResource(serverProps({ autoGrow: false, storageMb: 131072 }));
    expect(server.auto_grow_enabled).toBe(false);
    expect(server.storage_mb).toBe(131072);
    expect(server.lifecycle).toEqual({ prevent_destroy: true, ignore_changes: ["zone"] });
  });

  test("takes the version and a maintenance window in UTC", () => {
    const server = serverResource(
      serverProps({
        version: "17",
        maintenanceWindow: { dayOfWeek: "Tuesday", startHour: 2, startMinute: 30 },
      }),
    );
    expect(server.version).toBe("17");
    expect(server.maintenance_window).toEqual({ day_of_week: 2, start_hour: 2, start_minute: 30 });
  });

  test("has a system-managed maintenance window unless given one", () => {
    expect(serverResource().maintenance_window).toBeUndefined();
  });

  test("creates each database with prevent_destroy", () => {
    const { synth, server } = synthServer();
    const databases = Object.values(resourcesOf(synth, PostgresqlFlexibleServerDatabase.tfResourceType));
    expect(databases.map((d) => d.name)).toEqual(["events", "gitea"]);
    for (const database of databases) {
      expect(database).toEqual(
        expect.objectContaining({
          charset: "UTF8",
          collation: "en_US.utf8",
          server_id: expect.stringMatching(/^\$\{azurerm_postgresql_flexible_server\..*\.id\}$/),
          lifecycle: { prevent_destroy: true },
        }),
      );
    }
    expect(Object.keys(server.databases)).toEqual(["events", "gitea"]);
  });

  test("carries prevent_destroy and the submodule tag", () => {
    const server = serverResource();
    expect((server.lifecycle as Record<string, unknown>).prevent_destroy).toBe(true);
    expect(server.tags).toEqual({ ...TAGS, submodule: "postgres-flexible-server" });
  });

  test("exposes ID, name, FQDN and zone ID as references", () => {
    const { server } = synthServer();
    for (const value of [server.id, server.name, server.fqdn, server.privateDnsZoneId]) {
      expect(Token.isUnresolved(value)).toBe(true);
    }
  });

  describe("password authentication (opt-in)", () => {
    function withPassword(sensitive: boolean, stack = newStack()) {
      const password = new TerraformVariable(stack, "postgres_admin_password", { type: "string", sensitive });
      const props = serverProps({
        passwordAuthentication: { administratorLogin: "altinnadmin", password, passwordVersion: 1 },
      });
      return { stack, props };
    }

    test("sends the password write-only from a sensitive variable, never as a literal", () => {
      const { stack, props } = withPassword(true);
      const { synth } = synthServer(props, stack);
      const server = onlyResource(synth, PostgresqlFlexibleServer.tfResourceType);
      expect(server.authentication).toEqual(expect.objectContaining({ password_auth_enabled: true }));
      expect(server.administrator_login).toBe("altinnadmin");
      expect(server.administrator_password_wo).toMatch(/^\$\{var\.postgres_admin_password\}$/);
      expect(server.administrator_password_wo_version).toBe(1);
      expect(server.administrator_password).toBeUndefined();
      expect(synth.parsed.variable).toEqual({
        postgres_admin_password: { type: "string", sensitive: true },
      });
    });

    test("fails if the variable is not sensitive", () => {
      const { props } = withPassword(false);
      failsWith(props, /must be declared with sensitive: true/);
    });

    test("fails if the administrator login is reserved", () => {
      const stack = newStack();
      const password = new TerraformVariable(stack, "pw", { type: "string", sensitive: true });
      const props = serverProps({
        passwordAuthentication: { administratorLogin: "azure_superuser", password, passwordVersion: 1 },
      });
      expect(() => new PostgresFlexibleServer(stack, "postgres", props)).toThrow(/reserved by Azure/);
    });

    test("fails if the password version is not a positive whole number", () => {
      const stack = newStack();
      const password = new TerraformVariable(stack, "pw", { type: "string", sensitive: true });
      const props = serverProps({
        passwordAuthentication: { administratorLogin: "altinnadmin", password, passwordVersion: 0 },
      });
      expect(() => new PostgresFlexibleServer(stack, "postgres", props)).toThrow(/passwordVersion 0/);
    });
  });

  describe("validation", () => {
    test("fails if the name breaks Azure's rule", () => {
      failsWith(serverProps({ name: "Altinn-Platform-psql" }), /lowercase letters, digits and hyphens/);
      failsWith(serverProps({ name: "ab" }), /3-63 characters/);
      failsWith(serverProps({ name: `a${"b".repeat(63)}` }), /3-63 characters/);
      failsWith(serverProps({ name: "altinn-psql-" }), /does not match/);
    });

    test("fails if the SKU is not a flexible server SKU", () => {
      failsWith(serverProps({ sku: "Standard_D2ds_v5" as never }), /not a flexible server SKU/);
    });

    test("fails if high availability is asked of a Burstable SKU", () => {
      failsWith(
        serverProps({ sku: "B_Standard_B1ms", highAvailability: { mode: "ZoneRedundant" } }),
        /Burstable, which has no standby/,
      );
    });

    test("fails if a zone-redundant standby is in the primary's zone", () => {
      failsWith(
        serverProps({ zone: "1", highAvailability: { mode: "ZoneRedundant", standbyZone: "1" } }),
        /another zone than the primary/,
      );
    });

    test("fails if a same-zone standby is in another zone", () => {
      failsWith(
        serverProps({ zone: "1", highAvailability: { mode: "SameZone", standbyZone: "2" } }),
        /SameZone standby lives in the primary's zone/,
      );
    });

    test("fails if geo-redundant backup is left undecided (it is immutable)", () => {
      failsWith(
        serverProps({ geoRedundantBackup: undefined as unknown as boolean }),
        /geoRedundantBackup must be set.*replaces the server/,
      );
    });

    test("fails if backup retention is outside 7-35 days", () => {
      failsWith(serverProps({ backupRetentionDays: 6 }), /backupRetentionDays 6/);
      failsWith(serverProps({ backupRetentionDays: 36 }), /backupRetentionDays 36/);
    });

    test("fails if the storage size is not one Azure offers", () => {
      failsWith(serverProps({ storageMb: 50000 as never }), /storageMb 50000 is not a size Azure offers/);
    });

    test("fails if the maintenance window is out of range", () => {
      failsWith(
        serverProps({ maintenanceWindow: { dayOfWeek: "Sunday", startHour: 24 } }),
        /maintenanceWindow.startHour 24/,
      );
      failsWith(
        serverProps({ maintenanceWindow: { dayOfWeek: "Sunday", startHour: 1, startMinute: 60 } }),
        /maintenanceWindow.startMinute 60/,
      );
    });

    test("fails if a database is listed twice", () => {
      failsWith(serverProps({ databases: ["events", "events"] }), /"events" is listed twice/);
    });

    test("fails if a database name needs quoting or is reserved", () => {
      failsWith(serverProps({ databases: ["Events-DB"] }), /lowercase letters, digits and underscores/);
      failsWith(serverProps({ databases: ["postgres"] }), /reserved/);
    });

    test("fails if server parameters try to override TLS", () => {
      failsWith(
        serverProps({ serverParameters: { require_secure_transport: "off" } }),
        /must not set "require_secure_transport"/,
      );
    });

    test("fails if the tenant or administrator is not a GUID", () => {
      failsWith(serverProps({ tenantId: "altinn.no" }), /tenantId "altinn.no" is not a GUID/);
      failsWith(
        serverProps({
          administrator: { objectId: "dba-group", principalName: "dba", principalType: "Group" },
        }),
        /administrator.objectId "dba-group" is not a GUID/,
      );
    });

    test("fails if a further administrator is not a GUID, is named twice or has no literal name", () => {
      const extra = (objectId: string, principalName: string) =>
        serverProps({
          additionalAdministrators: [{ objectId, principalName, principalType: "ServicePrincipal" }],
        });
      failsWith(extra("operator", "op"), /additionalAdministrators\[0\].objectId "operator" is not a GUID/);
      failsWith(
        extra(ADMIN_GROUP, "Altinn-Platform-DBA"),
        /additionalAdministrators\[0\].principalName "Altinn-Platform-DBA" is already administrator/,
      );
      failsWith(extra(ADMIN_GROUP, " "), /additionalAdministrators\[0\].principalName is empty/);
      failsWith(
        extra(ADMIN_GROUP, Token.asString({ Ref: "name" })),
        /additionalAdministrators\[0\].principalName must be a literal string/,
      );
    });

    test("fails if privateDns both creates and adopts a zone", () => {
      failsWith(
        serverProps({ privateDns: { virtualNetworkId: VNET, existingZoneId: "/zone" } as never }),
        /sets both existingZoneId and virtualNetworkId/,
      );
    });

    test("skips checks on unresolved tokens", () => {
      const stack = newStack();
      const name = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
      const days = new TerraformVariable(stack, "days", { type: "number" }).numberValue;
      expect(
        () => new PostgresFlexibleServer(stack, "postgres", serverProps({ name, backupRetentionDays: days })),
      ).not.toThrow();
    });
  });
});
