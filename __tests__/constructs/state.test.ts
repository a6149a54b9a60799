import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { TerraformStack, TerraformVariable, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import {
  STATE_APPLY_CONDITION,
  type StateEnvironment,
  StateStorage,
  type StateStorageProps,
} from "../../constructs/state";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "prod", org: "altinn" };
const AGENTS =
  "/subscriptions/0/resourceGroups/ado-rg/providers/Microsoft.Network/virtualNetworks/ado/subnets/agents";

const AT22: StateEnvironment = {
  name: "at22",
  containerName: "tfstate-at22",
  planPrincipalId: "a0000000-0000-4000-8000-000000000001",
  applyPrincipalId: "a0000000-0000-4000-8000-000000000002",
  readsStateOf: ["shared"],
};
const PROD: StateEnvironment = {
  name: "prod",
  containerName: "tfstate-prod",
  planPrincipalId: "b0000000-0000-4000-8000-000000000001",
  applyPrincipalId: "b0000000-0000-4000-8000-000000000002",
};
const SHARED: StateEnvironment = {
  name: "shared",
  containerName: "tfstate-shared",
  planPrincipalId: "c0000000-0000-4000-8000-000000000001",
  applyPrincipalId: "c0000000-0000-4000-8000-000000000002",
};

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}], storageUseAzuread: true });
  return stack;
}

function stateProps(overrides: Partial<StateStorageProps> = {}): StateStorageProps {
  return {
    name: "altinnfleettfstate01",
    resourceGroupName: "altinn-fleet-tfstate-rg",
    location: "norwayeast",
    environments: [AT22, PROD, SHARED],
    allowedSubnetIds: [AGENTS],
    ipRules: ["203.0.113.0/24"],
    tags: TAGS,
    ...overrides,
  };
}

function synthState(props: StateStorageProps = stateProps()) {
  const stack = newStack();
  const state = new StateStorage(stack, "state", props);
  return { state, synth: synthStack(stack) };
}

function accountResource(props?: StateStorageProps): Record<string, unknown> {
  return onlyResource(synthState(props).synth, StorageAccount.tfResourceType);
}

/** Role assignments by construct id (`plan-at22`, `apply-prod`, ...). */
function assignments(props?: StateStorageProps): Record<string, Record<string, unknown>> {
  const all = resourcesOf(synthState(props).synth, RoleAssignment.tfResourceType);
  return Object.fromEntries(
    Object.entries(all).map(([logicalId, r]) => [
      logicalId.replace(/^state_/, "").replace(/_[0-9A-F]{8}$/, ""),
      r,
    ]),
  );
}

/** The `${azurerm_storage_container.<id>.resource_manager_id}` reference of a container. */
const containerArmId = (container: string) =>
  expect.stringMatching(
    new RegExp(
      `^\\$\\{azurerm_storage_container\\.state_account_container-${container}_[0-9A-F]+\\.resource_manager_id\\}$`,
    ),
  );

function failsWith(props: StateStorageProps, message: RegExp): void {
  expect(() => new StateStorage(newStack(), "state", props)).toThrow(ConstructValidationError);
  expect(() => new StateStorage(newStack(), "state", props)).toThrow(message);
}

describe("StateStorage", () => {
  test("is a GZRS StorageV2 account with HTTPS and TLS 1.2 only and no public blobs", () => {
    expect(synthState().synth.json).toHaveResourceWithProperties(StorageAccount, {
      name: "altinnfleettfstate01",
      account_kind: "StorageV2",
      account_replication_type: "GZRS",
      https_traffic_only_enabled: true,
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
    });
  });

  test("turns shared keys off and encrypts twice", () => {
    expect(synthState().synth.json).toHaveResourceWithProperties(StorageAccount, {
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      infrastructure_encryption_enabled: true,
    });
  });

  test("keeps blob versions and 90 days of soft-deleted blobs and containers", () => {
    expect(accountResource().blob_properties).toEqual(
      expect.objectContaining({
        versioning_enabled: true,
        delete_retention_policy: { days: 90 },
        container_delete_retention_policy: { days: 90 },
      }),
    );
  });

  test("denies the network except the pipeline agents' subnets and addresses", () => {
    expect(accountResource().network_rules).toEqual({
      default_action: "Deny",
      bypass: ["AzureServices"],
      virtual_network_subnet_ids: [AGENTS],
      ip_rules: ["203.0.113.0/24"],
    });
  });

  test("takes another redundancy and soft delete window", () => {
    const account = accountResource(stateProps({ replication: "RAGZRS", softDeleteDays: 365 }));
    expect(account.account_replication_type).toBe("RAGZRS");
    expect(account.blob_properties).toEqual(
      expect.objectContaining({ delete_retention_policy: { days: 365 } }),
    );
  });

  test("creates one private container per environment, each with prevent_destroy", () => {
    const { synth } = synthState();
    const containers = Object.values(resourcesOf(synth, StorageContainer.tfResourceType));
    expect(containers.map((c) => c.name).sort()).toEqual(["tfstate-at22", "tfstate-prod", "tfstate-shared"]);
    for (const c of containers) {
      expect(c.container_access_type).toBe("private");
      expect(c.lifecycle).toEqual({ prevent_destroy: true });
    }
    expect(onlyResource(synth, StorageAccount.tfResourceType).lifecycle).toEqual({ prevent_destroy: true });
  });

  test("locks the account against deletion", () => {
    const lock = onlyResource(synthState().synth, ManagementLock.tfResourceType);
    expect(lock).toEqual(
      expect.objectContaining({
        name: "altinnfleettfstate01-do-not-delete",
        lock_level: "CanNotDelete",
        scope: expect.stringMatching(/^\$\{azurerm_storage_account\.state_account_[0-9A-F]+\.id\}$/),
      }),
    );
  });

  test("lets each plan identity read only its own container", () => {
    const roles = assignments();
    for (const env of [AT22, PROD, SHARED]) {
      expect(roles[`plan-${env.name}`]).toEqual(
        expect.objectContaining({
          role_definition_name: "Storage Blob Data Reader",
          principal_id: env.planPrincipalId,
          principal_type: "ServicePrincipal",
          scope: containerArmId(env.containerName),
        }),
      );
      expect(roles[`plan-${env.name}`]!.condition).toBeUndefined();
    }
  });

  test("lets each apply identity write only its own container, without deleting blobs", () => {
    const roles = assignments();
    for (const env of [AT22, PROD, SHARED]) {
      expect(roles[`apply-${env.name}`]).toEqual(
        expect.objectContaining({
          role_definition_name: "Storage Blob Data Contributor",
          principal_id: env.applyPrincipalId,
          principal_type: "ServicePrincipal",
          scope: containerArmId(env.containerName),
          condition: STATE_APPLY_CONDITION,
          condition_version: "2.0",
        }),
      );
    }
    expect(STATE_APPLY_CONDITION).toContain(
      "!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})",
    );
  });

  test("never scopes a role to the account, a data-plane URL or another environment's container by default", () => {
    const roles = assignments(stateProps({ environments: [{ ...AT22, readsStateOf: [] }, PROD] }));
    expect(Object.keys(roles).sort()).toEqual(["apply-at22", "apply-prod", "plan-at22", "plan-prod"]);
    for (const [id, role] of Object.entries(roles)) {
      const env = id.endsWith("at22") ? AT22 : PROD;
      expect(role.scope).toEqual(containerArmId(env.containerName));
    }
  });

  test("lets an environment read the state of the environments it names", () => {
    const roles = assignments();
    for (const role of ["plan", "apply"] as const) {
      expect(roles[`${role}-at22-reads-shared`]).toEqual(
        expect.objectContaining({
          role_definition_name: "Storage Blob Data Reader",
          principal_id: role === "plan" ? AT22.planPrincipalId : AT22.applyPrincipalId,
          scope: containerArmId("tfstate-shared"),
        }),
      );
    }
    expect(Object.keys(roles).filter((id) => id.includes("-reads-"))).toHaveLength(2);
  });

  test("exposes container Resource Manager IDs by environment", () => {
    const { state } = synthState();
    expect(Object.keys(state.containerIds)).toEqual(["at22", "prod", "shared"]);
    for (const value of [...Object.values(state.containerIds), state.id, state.name]) {
      expect(Token.isUnresolved(value)).toBe(true);
    }
    expect(Object.keys(state.planAccess)).toEqual(["at22", "prod", "shared"]);
    expect(Object.keys(state.applyAccess)).toEqual(["at22", "prod", "shared"]);
  });

  test("puts no key, SAS or secret in the synthesized JSON", () => {
    const json = synthState().synth.json;
    expect(json).not.toMatch(/"(access_key|sas_token|primary_access_key|connection_string)"/);
    expect(json).toMatch(/"shared_access_key_enabled": false/);
  });

  describe("validation", () => {
    test("fails if the account name breaks Azure's rule", () => {
      failsWith(stateProps({ name: "altinn-fleet-tfstate" }), /lowercase letters and digits only/);
      failsWith(stateProps({ name: "altinnfleettfstate0123456" }), /3-24 characters/);
    });

    test("fails if replication is LRS", () => {
      failsWith(stateProps({ replication: "LRS" as never }), /"LRS" keeps state in one zone/);
    });

    test("fails if nothing can reach the data plane", () => {
      failsWith(stateProps({ allowedSubnetIds: [], ipRules: [] }), /shut the pipeline agents out/);
    });

    test("fails if an IP rule is private", () => {
      failsWith(stateProps({ ipRules: ["10.0.0.0/8"] }), /not a public address/);
    });

    test("fails if soft delete is shorter than a week", () => {
      failsWith(stateProps({ softDeleteDays: 3 }), /softDeleteDays 3/);
    });

    test("fails if there are no environments", () => {
      failsWith(stateProps({ environments: [] }), /environments is empty/);
    });

    test("fails if an environment is listed twice", () => {
      failsWith(
        stateProps({ environments: [PROD, { ...PROD, containerName: "tfstate-prod2" }] }),
        /"prod" is listed twice/,
      );
    });

    test("fails if two environments share a container", () => {
      failsWith(
        stateProps({ environments: [PROD, { ...SHARED, containerName: "tfstate-prod" }] }),
        /container "tfstate-prod" is used by two environments/,
      );
    });

    test("fails if a container name breaks Azure's rule", () => {
      failsWith(
        stateProps({ environments: [{ ...PROD, containerName: "TfState" }] }),
        /blob container names allow/,
      );
    });

    test("fails if plan and apply are the same identity", () => {
      failsWith(
        stateProps({ environments: [{ ...PROD, applyPrincipalId: PROD.planPrincipalId.toUpperCase() }] }),
        /plan and apply use the same identity/,
      );
    });

    test("fails if a principal ID is not a GUID", () => {
      failsWith(
        stateProps({ environments: [{ ...PROD, planPrincipalId: "sc-altinn-prod-plan" }] }),
        /planPrincipalId "sc-altinn-prod-plan" is not an object ID/,
      );
    });

    test("fails if an environment name is not a token", () => {
      failsWith(
        stateProps({ environments: [{ ...PROD, name: "Production" }] }),
        /environment name "Production"/,
      );
    });

    test("fails if readsStateOf names an unknown environment, itself, or repeats", () => {
      failsWith(
        stateProps({ environments: [{ ...AT22, readsStateOf: ["tt02"] }, SHARED] }),
        /"tt02", which is not listed/,
      );
      failsWith(stateProps({ environments: [{ ...AT22, readsStateOf: ["at22"] }] }), /lists itself/);
      failsWith(
        stateProps({ environments: [{ ...AT22, readsStateOf: ["shared", "shared"] }, SHARED] }),
        /lists "shared" twice/,
      );
    });

    test("skips checks on unresolved tokens", () => {
      const stack = newStack();
      const principal = new TerraformVariable(stack, "plan", { type: "string" }).stringValue;
      const props = stateProps({ environments: [{ ...PROD, planPrincipalId: principal }] });
      expect(() => new StateStorage(stack, "state", props)).not.toThrow();
    });
  });
});
