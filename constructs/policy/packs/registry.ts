import { expectAtLeast, expectBool } from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn } from "./sources";

const REGISTRY = "azurerm_container_registry";

export const REGISTRY_PACK: RulePack = {
  name: "registry",
  description: "Azure Container Registry (Checkov, Microsoft Learn)",
  rules: [
    {
      id: "AZ-ACR-001",
      title: "The registry admin user is disabled",
      pack: "registry",
      resourceTypes: [REGISTRY],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_137")],
      why: "The admin user is a shared username and password with push rights, outside Entra ID and its audit.",
      fix: "Leave admin_enabled at false; grant AcrPull/AcrPush to identities.",
      check: (r) => expectBool(r, "admin_enabled", false, { whenUnset: "pass" }),
    },
    {
      id: "AZ-ACR-002",
      title: "Anonymous pull is disabled",
      pack: "registry",
      resourceTypes: [REGISTRY],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_138")],
      why: "Anonymous pull publishes every image, and the code and configuration baked into it.",
      fix: "Leave anonymous_pull_enabled unset or false.",
      check: (r) => expectBool(r, "anonymous_pull_enabled", false, { whenUnset: "pass" }),
    },
    {
      id: "AZ-ACR-003",
      title: "Public network access to the registry is off",
      pack: "registry",
      resourceTypes: [REGISTRY],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV_AZURE_139"),
        learn(
          "Connect privately to a container registry using Azure Private Link",
          "container-registry/container-registry-private-link",
        ),
      ],
      why: "A public registry endpoint relies on credentials alone; IP rules do not apply to traffic from the same Azure region. Private endpoints admit exactly the networks that pull or push.",
      fix: "Use the Premium SKU with ContainerRegistry's default publicNetworkAccess (false); each consumer creates a private endpoint (subresource registry) in its own network.",
      check: (r) =>
        expectBool(r, "public_network_access_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the default is enabled",
        }),
    },
    {
      id: "AZ-ACR-004",
      title: "The registry is zone-redundant",
      pack: "registry",
      resourceTypes: [REGISTRY],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_233")],
      why: "Every cluster of an org pulls from its registry; a zone outage must not stop deployments and node scale-out.",
      fix: "Use the Premium SKU with zone_redundancy_enabled = true (ContainerRegistry's default). Set at creation only.",
      check: (r) => expectBool(r, "zone_redundancy_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-ACR-005",
      title: "Untagged manifests are purged by a retention policy",
      pack: "registry",
      resourceTypes: [REGISTRY],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_167")],
      why: "Untagged manifests pile up, cost storage and keep vulnerable images pullable by digest.",
      fix: "Set retention_policy_in_days (ContainerRegistry's retentionDays, Premium only).",
      check: (r) => expectAtLeast(r, "retention_policy_in_days", 1, { whenUnset: "fail" }),
    },
  ],
};
