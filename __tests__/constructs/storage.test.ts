import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { TerraformStack, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { HardenedStorageAccount, type HardenedStorageAccountProps } from "../../constructs/storage";
import { dataPlaneUses } from "../../constructs/storage/data-plane";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}], storageUseAzuread: true });
  return stack;
}

function accountProps(overrides: Partial<HardenedStorageAccountProps> = {}): HardenedStorageAccountProps {
  return {
    name: "ttdaltinnat22strg01",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    replication: "GRS",
    containers: ["ttd-at22-appsdata-blob-db"],
    tags: TAGS,
    ...overrides,
  };
}

function synthAccount(props: HardenedStorageAccountProps = accountProps()) {
  const stack = newStack();
  const account = new HardenedStorageAccount(stack, "storage", props);
  return { account, synth: synthStack(stack) };
}

function accountResource(props?: HardenedStorageAccountProps): Record<string, unknown> {
  return onlyResource(synthAccount(props).synth, StorageAccount.tfResourceType);
}

function failsWith(props: HardenedStorageAccountProps, message: RegExp): void {
  expect(() => new HardenedStorageAccount(newStack(), "storage", props)).toThrow(ConstructValidationError);
  expect(() => new HardenedStorageAccount(newStack(), "storage", props)).toThrow(message);
}

describe("HardenedStorageAccount", () => {
  test("is a StorageV2 account with the requested replication and tier", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(StorageAccount, {
      name: "ttdaltinnat22strg01",
      account_kind: "StorageV2",
      account_tier: "Standard",
      account_replication_type: "GRS",
    });
  });

  test("allows only HTTPS with TLS 1.2 and no public blobs", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(StorageAccount, {
      https_traffic_only_enabled: true,
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
    });
  });

  test("uses Entra ID only: no shared keys, OAuth by default, no local users", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(StorageAccount, {
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      local_user_enabled: false,
      sftp_enabled: false,
    });
  });

  test("blocks cross-tenant replication and encrypts twice", () => {
    expect(synthAccount().synth.json).toHaveResourceWithProperties(StorageAccount, {
      cross_tenant_replication_enabled: false,
      infrastructure_encryption_enabled: true,
    });
  });

  test("has no public endpoint by default, and a firewall that admits nothing", () => {
    const account = accountResource();
    expect(account.public_network_access_enabled).toBe(false);
    expect(account.network_rules).toEqual({
      default_action: "Deny",
      bypass: ["AzureServices"],
      virtual_network_subnet_ids: [],
      ip_rules: [],
    });
  });

  test("refuses firewall rules together with publicNetworkAccess: false", () => {
    failsWith(
      accountProps({ publicNetworkAccess: false, allowedSubnetIds: ["/subnets/aks"] }),
      /publicNetworkAccess: false turns off/,
    );
  });

  test("admits the given subnets and public addresses", () => {
    const props = accountProps({
      allowedSubnetIds: ["/subnets/aks"],
      ipRules: ["203.0.113.0/24", "198.51.100.7"],
    });
    expect(accountResource(props).network_rules).toEqual(
      expect.objectContaining({
        virtual_network_subnet_ids: ["/subnets/aks"],
        ip_rules: ["203.0.113.0/24", "198.51.100.7"],
      }),
    );
    // Firewall rules only mean something on the public endpoint, so they keep it.
    expect(accountResource(props).public_network_access_enabled).toBe(true);
  });

  test("keeps versions and soft-deleted blobs and containers for 30 days", () => {
    expect(accountResource().blob_properties).toEqual({
      versioning_enabled: true,
      change_feed_enabled: false,
      delete_retention_policy: { days: 30 },
      container_delete_retention_policy: { days: 30 },
    });
  });

  test("takes soft delete, versioning and change feed settings", () => {
    const props = accountProps({
      blobSoftDeleteDays: 90,
      containerSoftDeleteDays: 14,
      versioning: false,
      changeFeed: { retentionDays: 35 },
    });
    expect(accountResource(props).blob_properties).toEqual({
      versioning_enabled: false,
      change_feed_enabled: true,
      change_feed_retention_in_days: 35,
      delete_retention_policy: { days: 90 },
      container_delete_retention_policy: { days: 14 },
    });
  });

  test("keeps a change feed forever when set to true", () => {
    const blob = accountResource(accountProps({ changeFeed: true })).blob_properties as Record<
      string,
      unknown
    >;
    expect(blob.change_feed_enabled).toBe(true);
    expect(blob.change_feed_retention_in_days).toBeUndefined();
  });

  test("loosens shared keys, firewall and double encryption only when asked", () => {
    const account = accountResource(
      accountProps({
        allowSharedKeyAccess: true,
        networkDefaultAction: "Allow",
        infrastructureEncryption: false,
      }),
    );
    expect(account.shared_access_key_enabled).toBe(true);
    expect(account.infrastructure_encryption_enabled).toBe(false);
    expect((account.network_rules as Record<string, unknown>).default_action).toBe("Allow");
  });

  test("carries prevent_destroy and the submodule tag", () => {
    const account = accountResource();
    expect(account.lifecycle).toEqual({ prevent_destroy: true });
    expect(account.tags).toEqual({ ...TAGS, submodule: "storage-account" });
  });

  test("creates private containers through the account ID, each with prevent_destroy", () => {
    const { synth } = synthAccount(accountProps({ containers: ["ttd-at22-appsdata-blob-db", "backups"] }));
    const containers = Object.values(resourcesOf(synth, StorageContainer.tfResourceType));
    expect(containers).toHaveLength(2);
    expect(synth.json).toHaveResourceWithProperties(StorageContainer, {
      name: "ttd-at22-appsdata-blob-db",
      container_access_type: "private",
      storage_account_id: expect.stringMatching(
        /^\$\{azurerm_storage_account\.storage_account_[0-9A-F]+\.id\}$/,
      ),
      lifecycle: { prevent_destroy: true },
    });
    for (const container of containers) expect(container.storage_account_name).toBeUndefined();
  });

  test("exposes container IDs by name", () => {
    const { account } = synthAccount();
    expect(Object.keys(account.containerIds)).toEqual(["ttd-at22-appsdata-blob-db"]);
    expect(Token.isUnresolved(account.containerIds["ttd-at22-appsdata-blob-db"])).toBe(true);
  });

  describe("validation", () => {
    test("fails if the account name breaks Azure's rule", () => {
      failsWith(accountProps({ name: "TTDaltinnat22strg01" }), /lowercase letters and digits only/);
      failsWith(accountProps({ name: "ttdaltinnat22strg01xxxxxx" }), /3-24 characters/);
    });

    test("fails if a container name breaks Azure's rule", () => {
      failsWith(accountProps({ containers: ["Data"] }), /blob container names allow/);
      failsWith(accountProps({ containers: ["ttd--data"] }), /consecutive hyphens/);
      failsWith(accountProps({ containers: ["ab"] }), /3-63 characters/);
    });

    test("fails if a container name ends with a hyphen", () => {
      failsWith(accountProps({ containers: ["data-"] }), /ending with a letter or digit/);
    });

    test("fails if a container is listed twice", () => {
      failsWith(accountProps({ containers: ["data", "data"] }), /listed twice/);
    });

    test("fails if Premium is combined with geo replication", () => {
      failsWith(accountProps({ accountTier: "Premium", replication: "GRS" }), /only LRS and ZRS/);
    });

    test("fails if soft delete days are out of range", () => {
      failsWith(accountProps({ blobSoftDeleteDays: 0 }), /blobSoftDeleteDays 0/);
      failsWith(accountProps({ containerSoftDeleteDays: 366 }), /containerSoftDeleteDays 366/);
    });

    test("fails if the change feed retention is out of range", () => {
      failsWith(accountProps({ changeFeed: { retentionDays: 0 } }), /changeFeed\.retentionDays 0/);
    });

    test("fails if an IP rule is malformed", () => {
      failsWith(accountProps({ ipRules: ["203.0.113.300"] }), /not an IPv4 address or CIDR/);
      failsWith(accountProps({ ipRules: ["203.0.113.1/24"] }), /not a network address/);
    });

    test("fails if an IP rule uses a /31 or /32 prefix", () => {
      failsWith(accountProps({ ipRules: ["203.0.113.7/32"] }), /\/31 or \/32/);
    });

    test("fails if an IP rule is a private range", () => {
      failsWith(accountProps({ ipRules: ["10.0.0.0/8"] }), /not a public address/);
    });
  });
});

describe("dataPlaneUses", () => {
  test("names every resource and block that needs the storage data plane, and nothing else", () => {
    expect(
      dataPlaneUses({
        azurerm_storage_account: {
          ok: { name: "a" },
          queues: { queue_properties: [{}] },
          site: { static_website: [{}] },
        },
        azurerm_storage_container: {
          byId: { storage_account_id: "x" },
          byName: { storage_account_name: "a" },
        },
        azurerm_storage_share: { byId: { storage_account_id: "x" } },
        azurerm_storage_blob: { b: { name: "b" } },
        azurerm_key_vault: { kv: { name: "kv" } },
      }),
    ).toEqual([
      "azurerm_storage_account.queues: queue_properties is written over the data plane",
      "azurerm_storage_account.site: static_website is written over the data plane",
      "azurerm_storage_container.byName: storage_account_name reaches the data plane; use storage_account_id",
      "azurerm_storage_blob.b: azurerm_storage_blob needs the data plane (storage_blob_resource.go (BlobsDataPlaneClient))",
    ]);
  });

  test("finds nothing in a hardened account with containers (they go through Resource Manager)", () => {
    const stack = new TerraformStack(testApp(), "s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    new HardenedStorageAccount(stack, "storage", accountProps({ containers: ["data"] }));
    expect(dataPlaneUses(synthStack(stack).parsed.resource ?? {})).toEqual([]);
  });
});
