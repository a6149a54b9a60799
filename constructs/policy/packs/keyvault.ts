import { UNKNOWN } from "../attributes";
import {
  allOf,
  anyOf,
  expectAtLeast,
  expectBool,
  expectOneOf,
  expectPresent,
  fail,
  PASS,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn, trivy } from "./sources";

const VAULT = "azurerm_key_vault";
const SECRET = "azurerm_key_vault_secret";
const KEY = "azurerm_key_vault_key";

export const KEYVAULT_PACK: RulePack = {
  name: "keyvault",
  description: "Key Vaults, their secrets and keys (Checkov, trivy, Microsoft Key Vault guidance)",
  rules: [
    {
      id: "AZ-KV-001",
      title: "Purge protection is enabled",
      pack: "keyvault",
      resourceTypes: [VAULT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_110"), checkov("CKV_AZURE_42"), trivy("AVD-AZU-0016")],
      why: "Without purge protection a deleted vault or secret can be purged at once, destroying keys data depends on.",
      fix: "Set purge_protection_enabled = true (HardenedKeyVault does). It cannot be turned off again.",
      check: (r) => expectBool(r, "purge_protection_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-KV-002",
      title: "Soft delete keeps deleted objects for at least 7 days",
      pack: "keyvault",
      resourceTypes: [VAULT],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_111")],
      why: "Soft delete is the window in which a deleted secret or key can be recovered.",
      fix: "Leave soft_delete_retention_days at 90 (the fleet default) or at least 7.",
      check: (r) => expectAtLeast(r, "soft_delete_retention_days", 7, { whenUnset: "pass" }),
    },
    {
      id: "AZ-KV-003",
      title: "Access is authorized with Azure RBAC, not access policies",
      pack: "keyvault",
      resourceTypes: [VAULT],
      severity: "medium",
      environments: "all",
      sources: [learn("Azure RBAC for Key Vault data plane operations", "key-vault/general/rbac-guide")],
      why: "Access policies are vault-wide, cannot be scoped to one secret and are invisible to Azure role reviews.",
      fix: "Set rbac_authorization_enabled = true (azurerm 4.42+; enable_rbac_authorization before) and no access_policy blocks.",
      check: (r) => {
        const rbac = anyOf(
          expectBool(r, "rbac_authorization_enabled", true, { whenUnset: "fail" }),
          expectBool(r, "enable_rbac_authorization", true, { whenUnset: "fail" }),
        );
        const policies = r.blocks("access_policy");
        if (policies === UNKNOWN) return allOf(rbac, UNKNOWN_VERDICT);
        return allOf(rbac, policies.length > 0 ? fail(`${policies.length} access_policy block(s)`) : PASS);
      },
    },
    {
      id: "AZ-KV-004",
      title: "The vault firewall denies by default, or public network access is off",
      pack: "keyvault",
      resourceTypes: [VAULT],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_109"), checkov("CKV_AZURE_189"), trivy("AVD-AZU-0013")],
      why: "A vault reachable from every network relies on credentials alone.",
      fix: 'Set network_acls { default_action = "Deny" } and admit subnets, or public_network_access_enabled = false.',
      check: (r) =>
        anyOf(
          expectBool(r, "public_network_access_enabled", false, { whenUnset: "fail" }),
          expectOneOf(r, "network_acls.default_action", ["Deny"], {
            whenUnset: "fail",
            unsetNote: "no network_acls: every network is admitted",
          }),
        ),
    },
    {
      id: "AZ-KV-005",
      title: "Secrets have an expiration date",
      pack: "keyvault",
      resourceTypes: [SECRET],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_41"), trivy("AVD-AZU-0017")],
      why: "Secrets without an expiry are never rotated.",
      fix: "Set expiration_date and rotate before it.",
      check: (r) => expectPresent(r, "expiration_date"),
    },
    {
      id: "AZ-KV-006",
      title: "Secrets declare a content type",
      pack: "keyvault",
      resourceTypes: [SECRET],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_114"), trivy("AVD-AZU-0015")],
      why: "The content type tells readers how to interpret the secret and avoids misuse (a password read as a key).",
      fix: 'Set content_type, e.g. "text/plain" or "application/x-pkcs12".',
      check: (r) => expectPresent(r, "content_type"),
    },
    {
      id: "AZ-KV-007",
      title: "Keys expire or rotate automatically",
      pack: "keyvault",
      resourceTypes: [KEY],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_40"), trivy("AVD-AZU-0014")],
      why: "Keys that never expire are never rotated.",
      fix: "Set expiration_date or a rotation_policy with expire_after.",
      check: (r) =>
        anyOf(expectPresent(r, "expiration_date"), expectPresent(r, "rotation_policy.expire_after")),
    },
    {
      id: "AZ-KV-008",
      title: "Secret values are write-only, never kept in Terraform state",
      pack: "keyvault",
      resourceTypes: [SECRET],
      severity: "medium",
      environments: "all",
      sources: [
        {
          name: "Terraform write-only arguments (azurerm_key_vault_secret.value_wo)",
          url: "https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only",
        },
      ],
      why: "value is stored in plain text in the state blob, readable by everyone who can read state.",
      fix: "Use value_wo with value_wo_version (Terraform 1.11+), fed from an ephemeral source.",
      check: (r) => {
        const value = r.get("value");
        if (value === undefined || value === null) return PASS;
        return fail("value is set (it is stored in state); use value_wo");
      },
    },
    {
      id: "AZ-KV-009",
      title: "Public network access to the vault is off",
      pack: "keyvault",
      resourceTypes: [VAULT],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV_AZURE_189"),
        learn("Integrate Key Vault with Azure Private Link", "key-vault/general/private-link-service"),
      ],
      why: "Secrets behind a public endpoint are one leaked credential away from any network; a private endpoint admits only networks that have one. With public access off, the provider also skips its data-plane calls (key_vault_resource.go at v4.55.0).",
      fix: "Leave HardenedKeyVault's publicNetworkAccess at its default (false); ClusterEnvironment gives the vault a private endpoint (subresource vault).",
      check: (r) =>
        expectBool(r, "public_network_access_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the azurerm default is true",
        }),
    },
  ],
};
