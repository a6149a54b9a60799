/**
 * Organisation isolation and stack ownership, checked on the committed fleet's synthesized
 * output (issue 11, finding 6), and on small stacks shaped like the old design, so each check
 * is seen to fail.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stackIds } from "../../constructs/naming";
import type { Fleet } from "../../fleet/model";
import {
  DELEGATED_FIELDS,
  formatFindings,
  isolationFindings,
  type OwnedStack,
  ownershipFindings,
  type SharedGrantException,
  type StackJson,
} from "../../safety/ownership";
import { readStackMetadata } from "../../stacks/metadata";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";

/** Every stack of a synthesized output directory, with the org it belongs to (from stacks.json). */
function ownedStacks(outdir: string): OwnedStack[] {
  const meta = readStackMetadata(outdir);
  if (!meta) throw new Error(`${outdir} has no stacks.json`);
  return readdirSync(join(outdir, "stacks")).map((id) => ({
    id,
    org: meta.get(id)?.org,
    json: JSON.parse(readFileSync(join(outdir, "stacks", id, "cdk.tf.json"), "utf8")) as StackJson,
  }));
}

/**
 * The one shared resource org identities are granted access to, with the reason. Altinn's
 * runtime operator reads the platform's Maskinporten and monitoring credentials from the
 * environment's vault `mpo-{env}-kv` (research/altinn.md §6, altinn-studio
 * src/Runtime/operator internal/config/config.go): it holds the platform's credentials for every
 * org's operator, no org's data, and no stack of the fleet owns it.
 */
function maskinportenExceptions(fleet: Fleet): SharedGrantException[] {
  return fleet.environments.map((e) => ({
    type: "azurerm_key_vault",
    name: fleet.settings.operators.maskinportenVault.name.replace("{env}", e.token),
    reason: "the environment's Maskinporten vault: platform credentials every runtime operator reads",
  }));
}

const fleet = committedFleet();
const stacks = ownedStacks(sharedFleetOutput());
const apps = stacks.filter((s) =>
  fleet.apps.some((a) => stackIds.apps(a.org.code, a.environment.token) === s.id),
);

describe("the committed fleet", () => {
  test("reads every stack, and every Apps stack", () => {
    expect(stacks.length).toBeGreaterThan(300);
    expect(apps).toHaveLength(fleet.apps.length);
  });

  test("no stack creates or changes anything in another stack's resource groups, networks or servers", () => {
    expect(formatFindings(ownershipFindings(stacks))).toBe("");
  });

  test("no org's identity is granted anything on another org's resource or on a shared one", () => {
    expect(formatFindings(isolationFindings(stacks, maskinportenExceptions(fleet)))).toBe("");
  });

  test("no Apps stack contains a VNet peering", () => {
    const peerings = apps.flatMap((s) =>
      Object.keys(s.json.resource?.azurerm_virtual_network_peering ?? {}).map(
        (name) => `${s.id}: azurerm_virtual_network_peering.${name}`,
      ),
    );
    expect(peerings).toEqual([]);
  });

  test("each Apps environment's config-sync server is administered by exactly its own runtime operator and the DBA group", () => {
    const dba = fleet.settings.platform.databaseAdmin;
    for (const a of fleet.apps) {
      const id = stackIds.apps(a.org.code, a.environment.token);
      const json = stacks.find((s) => s.id === id)!.json;
      const servers = Object.entries(json.resource?.azurerm_postgresql_flexible_server ?? {});
      expect([id, servers.map(([, s]) => s.name)]).toEqual([id, [a.names.configSyncServer]]);
      const [serverKey] = servers[0]!;
      const [identityKey] = Object.entries(json.resource?.azurerm_user_assigned_identity ?? {}).find(
        ([, i]) => i.name === a.names.runtimeOperatorIdentity,
      )!;
      const admins = Object.values(
        json.resource?.azurerm_postgresql_flexible_server_active_directory_administrator ?? {},
      );
      for (const admin of admins) {
        expect([id, admin.server_name]).toEqual([
          id,
          `\${azurerm_postgresql_flexible_server.${serverKey}.name}`,
        ]);
      }
      expect([id, admins.map((x) => [x.object_id, x.principal_name, x.principal_type]).sort()]).toEqual([
        id,
        [
          [
            `\${azurerm_user_assigned_identity.${identityKey}.principal_id}`,
            a.names.runtimeOperatorIdentity,
            "ServicePrincipal",
          ],
          [dba.objectId, dba.principalName, dba.principalType],
        ].sort(),
      ]);
    }
  });

  test("the Platform stacks hold no configuration-sync server any more", () => {
    for (const p of fleet.platforms) {
      const json = stacks.find((s) => s.id === stackIds.platform(p.environment.token))!.json;
      const names = Object.values(json.resource?.azurerm_postgresql_flexible_server ?? {}).map((s) => s.name);
      expect(names).toEqual([p.names.postgresServer]);
    }
  });
});

/** A Terraform reference as cdktf writes it, `${expr}`. */
const ref = (expr: string) => `\${${expr}}`;

/** Stacks shaped like the old design: an Apps stack that peers into the Platform network. */
function oldDesign(): OwnedStack[] {
  const platform: OwnedStack = {
    id: "platform-tt02",
    json: {
      resource: {
        azurerm_resource_group: { rg: { name: "altinnplatform-tt02-rg" } },
        azurerm_virtual_network: {
          vnet: {
            name: "altinnplatform-tt02-vnet",
            resource_group_name: ref("azurerm_resource_group.rg.name"),
          },
        },
        azurerm_postgresql_flexible_server: {
          sync: {
            name: "altinn-opsync-tt02-psql",
            resource_group_name: ref("azurerm_resource_group.rg.name"),
          },
        },
      },
    },
  };
  const appsStack = (org: string): OwnedStack => ({
    id: `apps-${org}-tt02`,
    org,
    json: {
      resource: {
        azurerm_resource_group: { rg: { name: `altinnapps-${org}-tt02-rg` } },
        azurerm_user_assigned_identity: {
          op: {
            name: `${org}-tt02-runtime-operator-id`,
            resource_group_name: ref("azurerm_resource_group.rg.name"),
          },
        },
        azurerm_virtual_network_peering: {
          from: {
            name: `platform-to-${org}`,
            resource_group_name: "altinnplatform-tt02-rg",
            virtual_network_name: "altinnplatform-tt02-vnet",
          },
        },
        azurerm_postgresql_flexible_server_active_directory_administrator: {
          admin: {
            server_name: ref("data.azurerm_postgresql_flexible_server.sync.name"),
            resource_group_name: "altinnplatform-tt02-rg",
            object_id: ref("azurerm_user_assigned_identity.op.principal_id"),
          },
        },
        azurerm_role_assignment: {
          vault: {
            scope: ref("data.azurerm_key_vault.mpo.id"),
            principal_id: ref("azurerm_user_assigned_identity.op.principal_id"),
          },
        },
      },
      data: {
        azurerm_postgresql_flexible_server: {
          sync: { name: "altinn-opsync-tt02-psql", resource_group_name: "altinnplatform-tt02-rg" },
        },
        azurerm_key_vault: {
          mpo: { name: "mpo-tt02-kv", resource_group_name: "altinn-maskinporten-tt02-rg" },
        },
      },
    },
  });
  return [platform, appsStack("ttd"), appsStack("brg")];
}

describe("the checks fail on the old design", () => {
  test("ownership names the stack, the resource and the foreign group, network and server", () => {
    const text = formatFindings(ownershipFindings(oldDesign()));
    expect(text).toContain(
      'apps-ttd-tt02: azurerm_virtual_network_peering.from: resource_group_name = "altinnplatform-tt02-rg" is not created by this stack (it belongs to platform-tt02)',
    );
    expect(text).toContain(
      'apps-ttd-tt02: azurerm_virtual_network_peering.from: virtual_network_name = "altinnplatform-tt02-vnet" is not created by this stack (it belongs to platform-tt02)',
    );
    expect(text).toContain(
      "apps-brg-tt02: azurerm_postgresql_flexible_server_active_directory_administrator.admin: server_name refers to azurerm_postgresql_flexible_server altinn-opsync-tt02-psql in altinnplatform-tt02-rg, owned by stack platform-tt02",
    );
    // A role assignment may target another stack's resource (CROSS_STACK_FIELDS).
    expect(text).not.toContain("azurerm_role_assignment");
  });

  test("isolation names the stack, the grant, the org and the shared resource", () => {
    const findings = isolationFindings(oldDesign());
    expect(formatFindings(findings)).toContain(
      "apps-ttd-tt02: azurerm_postgresql_flexible_server_active_directory_administrator.admin: grants Entra administration to an identity of org ttd on azurerm_postgresql_flexible_server altinn-opsync-tt02-psql in altinnplatform-tt02-rg (stack platform-tt02, shared by several orgs)",
    );
    expect(formatFindings(findings)).toContain(
      "apps-brg-tt02: azurerm_role_assignment.vault: grants a role to an identity of org brg on azurerm_key_vault mpo-tt02-kv in altinn-maskinporten-tt02-rg (outside the fleet, shared by every org that is granted access)",
    );
    const excepted = isolationFindings(oldDesign(), [
      { type: "azurerm_key_vault", name: "mpo-tt02-kv", reason: "test" },
    ]);
    expect(excepted.map((f) => f.resource)).toEqual([
      "azurerm_postgresql_flexible_server_active_directory_administrator.admin",
      "azurerm_postgresql_flexible_server_active_directory_administrator.admin",
    ]);
  });

  test("isolation finds a grant on another org's resource", () => {
    const [, ttd, brg] = oldDesign();
    const crossOrg: OwnedStack = {
      ...ttd!,
      json: {
        resource: {
          ...ttd!.json.resource,
          azurerm_role_assignment: {
            peek: {
              scope: ref("data.azurerm_user_assigned_identity.other.id"),
              principal_id: ref("azurerm_user_assigned_identity.op.principal_id"),
            },
            group: {
              scope:
                "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/altinnapps-brg-tt02-rg",
              principal_id: ref("azurerm_user_assigned_identity.op.principal_id"),
            },
          },
        },
        data: {
          azurerm_user_assigned_identity: {
            other: { name: "brg-tt02-runtime-operator-id", resource_group_name: "altinnapps-brg-tt02-rg" },
          },
        },
      },
    };
    expect(formatFindings(isolationFindings([crossOrg, brg!]))).toContain(
      "apps-ttd-tt02: azurerm_role_assignment.peek: grants a role to an identity of org ttd on azurerm_user_assigned_identity brg-tt02-runtime-operator-id in altinnapps-brg-tt02-rg (stack apps-brg-tt02 of org brg)",
    );
    expect(formatFindings(isolationFindings([crossOrg, brg!]))).toContain(
      "apps-ttd-tt02: azurerm_role_assignment.group: grants a role to an identity of org ttd on /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/altinnapps-brg-tt02-rg (stack apps-brg-tt02 of org brg)",
    );
  });

  test("isolation follows references into other stacks' remote state and inside expressions", () => {
    const registry: OwnedStack = {
      id: "org-ttd",
      org: "ttd",
      json: { resource: { azurerm_resource_group: { rg: { name: "altinnapps-ttd-acr-rg" } } } },
    };
    const puller = (org: string): OwnedStack => ({
      id: `apps-${org}-tt02`,
      org,
      json: {
        resource: {
          azurerm_user_assigned_identity: { kubelet: { name: `${org}-kubelet` } },
          azurerm_role_assignment: {
            pull: {
              scope: `\${lower(data.terraform_remote_state.registry.outputs.registry_id)}`,
              principal_id: ref("azurerm_user_assigned_identity.kubelet.principal_id"),
            },
          },
        },
        data: {
          terraform_remote_state: { registry: { backend: "azurerm", config: { key: "org-ttd.tfstate" } } },
        },
      },
    });
    expect(formatFindings(isolationFindings([registry, puller("ttd"), puller("brg")]))).toBe(
      "apps-brg-tt02: azurerm_role_assignment.pull: grants a role to an identity of org brg on the remote state registry (stack org-ttd of org ttd)",
    );
  });
});

describe("delegations are per stack", () => {
  const account =
    "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/altinn-fleet-tfstate-rg/providers/Microsoft.Storage/storageAccounts/altinnfleettfstate01";
  const owner = {
    id: "bootstrap-state",
    json: {
      resource: {
        azurerm_resource_group: { rg: { name: "altinn-fleet-tfstate-rg" } },
        azurerm_storage_account: {
          state: { name: "altinnfleettfstate01", resource_group_name: "altinn-fleet-tfstate-rg" },
        },
      },
    },
  };
  const containerIn = (id: string) => ({
    id,
    json: {
      resource: { azurerm_storage_container: { c: { name: "tfstate-at25", storage_account_id: account } } },
    },
  });

  test("state-scopes may create containers in bootstrap-state's account (DELEGATED_FIELDS)", () => {
    expect(DELEGATED_FIELDS["state-scopes:azurerm_storage_container.storage_account_id"]).toMatch(
      /bootstrap-state/,
    );
    expect(formatFindings(ownershipFindings([owner, containerIn("state-scopes")]))).toBe("");
  });

  test("any other stack creating a container there is a finding", () => {
    expect(formatFindings(ownershipFindings([owner, containerIn("apps-ttd-tt02")]))).toContain(
      "apps-ttd-tt02: azurerm_storage_container.c: storage_account_id",
    );
  });
});
