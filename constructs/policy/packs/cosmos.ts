import { UNKNOWN } from "../attributes";
import { anyOf, expectBool, expectOneOf, fail, literalStrings, PASS, UNKNOWN_VERDICT } from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn } from "./sources";

const ACCOUNT = "azurerm_cosmosdb_account";

export const COSMOS_PACK: RulePack = {
  name: "cosmos",
  description: "Azure Cosmos DB accounts (Checkov, Microsoft Learn)",
  rules: [
    {
      id: "AZ-COS-001",
      title: "Key-based (local) authentication is disabled",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_140")],
      why: "Account keys grant full data access, never expire and are not tied to an identity.",
      fix: "Set local_authentication_disabled = true and grant Cosmos DB data-plane roles to managed identities.",
      check: (r) => expectBool(r, "local_authentication_disabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-COS-002",
      title: "The account is not open to every network",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_101"), checkov("CKV_AZURE_99")],
      why: "An account reachable from any network relies on credentials alone.",
      fix: "Set public_network_access_enabled = false (private endpoints), or is_virtual_network_filter_enabled with virtual_network_rule, or ip_range_filter.",
      check: (r) => {
        const ranges = literalStrings(r, "ip_range_filter");
        const rangeVerdict =
          ranges === UNKNOWN
            ? UNKNOWN_VERDICT
            : ranges === undefined || ranges.length === 0
              ? fail("ip_range_filter is empty")
              : ranges.some((x) => x === "0.0.0.0/0" || x === "0.0.0.0")
                ? fail("ip_range_filter admits everyone")
                : PASS;
        return anyOf(
          expectBool(r, "public_network_access_enabled", false, { whenUnset: "fail" }),
          expectBool(r, "is_virtual_network_filter_enabled", true, { whenUnset: "fail" }),
          rangeVerdict,
        );
      },
    },
    {
      id: "AZ-COS-003",
      title: "Keys cannot change account metadata",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_132")],
      why: "With metadata writes allowed, anyone with a key can create, change or delete databases and containers.",
      fix: "Set access_key_metadata_writes_enabled = false; manage databases through Terraform.",
      check: (r) =>
        expectBool(r, "access_key_metadata_writes_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the default is true",
        }),
    },
    {
      id: "AZ-COS-004",
      title: "Clients must use TLS 1.2",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "all",
      sources: [
        learn(
          "Minimum TLS version enforcement in Azure Cosmos DB",
          "cosmos-db/self-serve-minimum-tls-enforcement",
        ),
      ],
      why: "TLS 1.0 and 1.1 have known weaknesses.",
      fix: 'Leave minimal_tls_version at "Tls12" (the azurerm 4.x default).',
      check: (r) => expectOneOf(r, "minimal_tls_version", ["Tls12"], { whenUnset: "pass" }),
    },
    {
      id: "AZ-COS-005",
      title: "Production accounts use continuous backup",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "prod",
      sources: [
        learn(
          "Continuous backup with point-in-time restore",
          "cosmos-db/continuous-backup-restore-introduction",
        ),
      ],
      why: "Periodic backups restore only whole snapshots through a support ticket; continuous backup restores to any second.",
      fix: 'Add backup { type = "Continuous", tier = "Continuous30Days" }.',
      check: (r) =>
        expectOneOf(r, "backup.type", ["Continuous"], {
          whenUnset: "fail",
          unsetNote: "the default is Periodic",
        }),
    },
    {
      id: "AZ-COS-006",
      title: "Production accounts survive a zone or region failure",
      pack: "cosmos",
      resourceTypes: [ACCOUNT],
      severity: "high",
      environments: "prod",
      sources: [learn("High availability in Azure Cosmos DB", "reliability/reliability-cosmos-db-nosql")],
      why: "A single-region, single-zone account goes down with its zone.",
      fix: "Add a second geo_location with automatic_failover_enabled = true, or set zone_redundant = true on the location.",
      check: (r) => {
        const locations = r.blocks("geo_location");
        if (locations === UNKNOWN) return UNKNOWN_VERDICT;
        if (locations.length >= 2) {
          return expectBool(r, "automatic_failover_enabled", true, {
            whenUnset: "fail",
            unsetNote: "regions do not fail over on their own",
          });
        }
        const only = locations[0];
        if (!only) return fail("no geo_location");
        return expectBool(only, "zone_redundant", true, {
          whenUnset: "fail",
          unsetNote: "one region, one zone",
        });
      },
    },
  ],
};
