import {
  DATA_PLANE_ACCOUNT_BLOCKS,
  DATA_PLANE_RESOURCE_TYPES,
  DATA_PLANE_WHEN_ADDRESSED_BY_NAME,
} from "../../storage/data-plane";
import { UNKNOWN } from "../attributes";
import {
  allOf,
  anyOf,
  expectAtLeast,
  expectBool,
  expectOneOf,
  fail,
  NOT_APPLICABLE,
  PASS,
  show,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn, trivy } from "./sources";

const ACCOUNT = "azurerm_storage_account";
const NETWORK_RULES = "azurerm_storage_account_network_rules";
const CONTAINER = "azurerm_storage_container";

/** Account kinds that have a blob service (soft delete and versioning apply). */
const BLOB_KINDS = ["StorageV2", "BlobStorage", "BlockBlobStorage"];

export const STORAGE_PACK: RulePack = {
  name: "storage",
  description: "Storage accounts and blob containers (Checkov, trivy, Microsoft data protection guidance)",
  rules: [
    {
      id: "AZ-ST-001",
      title: "Storage accepts HTTPS only",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_3"), trivy("AVD-AZU-0008")],
      why: "HTTP exposes data and SAS tokens to anyone on the path.",
      fix: "Leave https_traffic_only_enabled at its default (true).",
      check: (r) => expectBool(r, "https_traffic_only_enabled", true, { whenUnset: "pass" }),
    },
    {
      id: "AZ-ST-002",
      title: "Storage requires TLS 1.2 or later",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_44"), trivy("AVD-AZU-0011")],
      why: "TLS 1.0 and 1.1 have known weaknesses and are being retired by Azure Storage.",
      fix: 'Set min_tls_version = "TLS1_2" (the azurerm 4.x default).',
      check: (r) => expectOneOf(r, "min_tls_version", ["TLS1_2", "TLS1_3"], { whenUnset: "pass" }),
    },
    {
      id: "AZ-ST-003",
      title: "Blobs cannot be made publicly readable",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_190"), checkov("CKV2_AZURE_47"), trivy("AVD-AZU-0007")],
      why: "With nested public access allowed, one container set to `blob` publishes app data to the Internet.",
      fix: "Set allow_nested_items_to_be_public = false (HardenedStorageAccount does).",
      check: (r) =>
        expectBool(r, "allow_nested_items_to_be_public", false, {
          whenUnset: "fail",
          unsetNote: "the azurerm default is true",
        }),
    },
    {
      id: "AZ-ST-004",
      title: "The storage firewall denies by default, or public network access is off",
      pack: "storage",
      resourceTypes: [ACCOUNT, NETWORK_RULES],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_35"), checkov("CKV_AZURE_59"), trivy("AVD-AZU-0012")],
      why: "An account reachable from any network relies on credentials alone.",
      fix: 'Set network_rules.default_action = "Deny" and admit subnets (allowedSubnetIds), or public_network_access_enabled = false.',
      check: (r) => {
        if (r.type === NETWORK_RULES)
          return expectOneOf(r, "default_action", ["Deny"], { whenUnset: "fail" });
        return anyOf(
          expectBool(r, "public_network_access_enabled", false, { whenUnset: "fail" }),
          expectOneOf(r, "network_rules.default_action", ["Deny"], {
            whenUnset: "fail",
            unsetNote: "no network rules: every network is admitted",
          }),
        );
      },
    },
    {
      id: "AZ-ST-005",
      title: "Trusted Azure services can pass the storage firewall",
      pack: "storage",
      resourceTypes: [ACCOUNT, NETWORK_RULES],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_36"), trivy("AVD-AZU-0010")],
      why: "Without the bypass, Azure Backup, Monitor and other trusted services cannot reach a firewalled account.",
      fix: 'Include "AzureServices" in network_rules.bypass (HardenedStorageAccount does).',
      check: (r) => {
        const at = r.type === NETWORK_RULES ? "" : "network_rules.";
        const action = r.str(`${at}default_action`);
        if (action === UNKNOWN) return UNKNOWN_VERDICT;
        if (action !== "Deny") return NOT_APPLICABLE;
        const bypass = r.list(`${at}bypass`);
        if (bypass === UNKNOWN) return UNKNOWN_VERDICT;
        return bypass?.includes("AzureServices") ? PASS : fail(`${at}bypass is ${show(bypass ?? [])}`);
      },
    },
    {
      id: "AZ-ST-006",
      title: "Shared key (account key and SAS) authorization is disabled",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV2_AZURE_40"),
        learn("Prevent Shared Key authorization", "storage/common/shared-key-authorization-prevent"),
      ],
      why: "Account keys are all-powerful, never expire and are not tied to an identity; Entra ID is audited and revocable.",
      fix: "Set shared_access_key_enabled = false and storage_use_azuread = true on the provider (FleetStack does).",
      check: (r) =>
        expectBool(r, "shared_access_key_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the azurerm default is true",
        }),
    },
    {
      id: "AZ-ST-007",
      title: "Deleted blobs and containers stay recoverable for at least 7 days",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [
        checkov("CKV2_AZURE_38"),
        trivy("AVD-AZU-0056"),
        learn("Data protection overview for blobs", "storage/blobs/data-protection-overview"),
      ],
      why: "Without soft delete an accidental or malicious delete of app data is final.",
      fix: "Set blob_properties.delete_retention_policy.days and container_delete_retention_policy.days (HardenedStorageAccount: 30).",
      check: (r) => {
        const kind = r.str("account_kind");
        if (kind === UNKNOWN) return UNKNOWN_VERDICT;
        if (kind !== undefined && !BLOB_KINDS.includes(kind)) return NOT_APPLICABLE;
        return allOf(
          expectAtLeast(r, "blob_properties.delete_retention_policy.days", 7, { whenUnset: "fail" }),
          expectAtLeast(r, "blob_properties.container_delete_retention_policy.days", 7, {
            whenUnset: "fail",
          }),
        );
      },
    },
    {
      id: "AZ-ST-008",
      title: "Blob versioning keeps overwritten data",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [learn("Data protection overview for blobs", "storage/blobs/data-protection-overview")],
      why: "Soft delete does not protect against overwrites; versioning does.",
      fix: "Set blob_properties.versioning_enabled = true (HardenedStorageAccount's default).",
      check: (r) => {
        const kind = r.str("account_kind");
        if (kind === UNKNOWN) return UNKNOWN_VERDICT;
        if (kind !== undefined && !BLOB_KINDS.includes(kind)) return NOT_APPLICABLE;
        return expectBool(r, "blob_properties.versioning_enabled", true, { whenUnset: "fail" });
      },
    },
    {
      id: "AZ-ST-009",
      title: "Storage replicates beyond one datacenter",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_206")],
      why: "LRS keeps all copies in one datacenter; a datacenter failure loses access or data.",
      fix: "Use ZRS in test and GZRS in production (environments/fleet.yaml storage.replication).",
      check: (r) =>
        expectOneOf(r, "account_replication_type", ["ZRS", "GRS", "RAGRS", "GZRS", "RAGZRS"], {
          whenUnset: "fail",
        }),
    },
    {
      id: "AZ-ST-010",
      title: "Production storage is geo-zone-redundant",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "prod",
      sources: [
        trivy("AVD-AZU-0058"),
        learn(
          "Well-Architected: Azure Blob Storage reliability",
          "well-architected/service-guides/azure-blob-storage",
        ),
      ],
      why: "Production data must survive both a zone failure (zonal copies) and a regional disaster (geo copy).",
      fix: "Use GZRS or RAGZRS for the production class in environments/fleet.yaml.",
      check: (r) => expectOneOf(r, "account_replication_type", ["GZRS", "RAGZRS"], { whenUnset: "fail" }),
    },
    {
      id: "AZ-ST-011",
      title: "SFTP local users are disabled",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_244")],
      why: "Local users authenticate with their own passwords or keys, outside Entra ID.",
      fix: "Set local_user_enabled = false (HardenedStorageAccount does).",
      check: (r) =>
        expectBool(r, "local_user_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the azurerm default is true",
        }),
    },
    {
      id: "AZ-ST-012",
      title: "Cross-tenant object replication is disabled",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Prevent object replication across Microsoft Entra tenants",
          "storage/blobs/object-replication-prevent-cross-tenant-policies",
        ),
      ],
      why: "Cross-tenant replication can copy app data into a tenant the platform does not control.",
      fix: "Leave cross_tenant_replication_enabled unset or false.",
      check: (r) => expectBool(r, "cross_tenant_replication_enabled", false, { whenUnset: "pass" }),
    },
    {
      id: "AZ-ST-013",
      title: "Infrastructure (double) encryption is enabled",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "low",
      environments: "all",
      sources: [trivy("AVD-AZU-0061")],
      why: "A second, independent encryption layer protects data if one algorithm or key is compromised.",
      fix: "Set infrastructure_encryption_enabled = true at creation (changing it replaces the account).",
      check: (r) => expectBool(r, "infrastructure_encryption_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-ST-014",
      title: "Blob containers are private",
      pack: "storage",
      resourceTypes: [CONTAINER],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_34"), trivy("AVD-AZU-0007")],
      why: "A `blob` or `container` access level lets anyone on the Internet read (and list) the data.",
      fix: 'Leave container_access_type at "private".',
      check: (r) => expectOneOf(r, "container_access_type", ["private"], { whenUnset: "pass" }),
    },
    {
      id: "AZ-ST-015",
      title: "Terraform manages storage through Resource Manager only, never the data plane",
      pack: "storage",
      resourceTypes: [
        ACCOUNT,
        ...Object.keys(DATA_PLANE_WHEN_ADDRESSED_BY_NAME),
        ...Object.keys(DATA_PLANE_RESOURCE_TYPES),
      ],
      severity: "high",
      environments: "all",
      sources: [
        {
          name: "azurerm v4.55.0 internal/services/storage (data-plane clients)",
          url: "https://github.com/hashicorp/terraform-provider-azurerm/tree/v4.55.0/internal/services/storage",
        },
        learn("Azure Storage firewall rules", "storage/common/storage-network-security"),
      ],
      why:
        "Every account's firewall denies by default and the providers run with data_plane_available = false: a " +
        "resource or block that needs the blob, queue, table or file endpoint fails at plan or apply.",
      fix:
        "Address containers, queues and shares by storage_account_id; leave queue_properties and static_website " +
        "unset; create blobs, tables and files from the workloads, not Terraform (constructs/storage/README.md).",
      check: (r) => {
        if (DATA_PLANE_RESOURCE_TYPES[r.type] !== undefined) {
          return fail(`${r.type} is managed over the data plane (${DATA_PLANE_RESOURCE_TYPES[r.type]})`);
        }
        if (DATA_PLANE_WHEN_ADDRESSED_BY_NAME[r.type] !== undefined) {
          return r.has("storage_account_name") ? fail("storage_account_name is set (data plane)") : PASS;
        }
        const blocks = DATA_PLANE_ACCOUNT_BLOCKS.filter((b) => r.has(b));
        return blocks.length > 0 ? fail(`${blocks.join(" and ")} set (data plane)`) : PASS;
      },
    },
    {
      id: "AZ-ST-016",
      title: "Public network access to the storage account is off",
      pack: "storage",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV_AZURE_59"),
        learn("Use private endpoints for Azure Storage", "storage/common/storage-private-endpoints"),
      ],
      why: "A firewall on the public endpoint still exposes the account to every network it admits, and same-region Azure traffic bypasses IP rules; private endpoints admit exactly the networks that have one.",
      fix: "Leave HardenedStorageAccount's publicNetworkAccess at its default (false) and give each client network a private endpoint (ClusterEnvironment.privateEndpoint, subresource blob).",
      check: (r) =>
        expectBool(r, "public_network_access_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the azurerm default is true",
        }),
    },
  ],
};
