import { isReference, type ResourceView, UNKNOWN } from "../attributes";
import {
  allOf,
  anyOf,
  eachBlock,
  expectBool,
  expectOneOf,
  expectPresent,
  fail,
  NOT_APPLICABLE,
  PASS,
  show,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack, Verdict } from "../rule";
import { checkov, learn } from "./sources";

const SERVICE = "azurerm_api_management";
const BACKEND = "azurerm_api_management_backend";
const CUSTOM_DOMAIN = "azurerm_api_management_custom_domain";
/** The host name blocks of a custom domain resource. */
const HOST_NAME_BLOCKS = ["gateway", "management", "portal", "developer_portal", "scm"];

/** Protocol switches of the `security` block that enable SSL 3.0, TLS 1.0 or TLS 1.1 (4.x names, then the deprecated ones). */
const LEGACY_PROTOCOLS = [
  "frontend_ssl30_enabled",
  "frontend_tls10_enabled",
  "frontend_tls11_enabled",
  "backend_ssl30_enabled",
  "backend_tls10_enabled",
  "backend_tls11_enabled",
  "enable_frontend_ssl30",
  "enable_frontend_tls10",
  "enable_frontend_tls11",
  "enable_backend_ssl30",
  "enable_backend_tls10",
  "enable_backend_tls11",
];

/** The oldest management API version that enforces current access rules (Azure Policy built-in). */
const MIN_API_VERSION = "2019-12-01";

function skuName(value: unknown): string | undefined {
  return typeof value === "string" ? value.split("_")[0] : undefined;
}

export const APIM_PACK: RulePack = {
  name: "apim",
  description: "API Management (Checkov, Azure Policy built-ins, Well-Architected)",
  rules: [
    {
      id: "AZ-APIM-001",
      title: "API Management accepts TLS 1.2 or later only, front and back",
      pack: "apim",
      resourceTypes: [SERVICE],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV_AZURE_173"),
        learn(
          "Manage protocols and ciphers in API Management",
          "api-management/api-management-howto-manage-protocols-ciphers",
        ),
      ],
      why: "SSL 3.0, TLS 1.0 and TLS 1.1 have known weaknesses.",
      fix: "Leave the security block's *_ssl30_enabled, *_tls10_enabled and *_tls11_enabled at false.",
      check: (r) =>
        allOf(
          ...LEGACY_PROTOCOLS.map((name) => expectBool(r, `security.${name}`, false, { whenUnset: "pass" })),
        ),
    },
    {
      id: "AZ-APIM-002",
      title: "API Management is deployed into a virtual network",
      pack: "apim",
      resourceTypes: [SERVICE],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_107")],
      why: "VNet integration lets NSGs control traffic and keeps backend calls on private addresses.",
      fix: 'Set virtual_network_type = "External" (public gateway) or "Internal" with virtual_network_configuration.',
      check: (r) => {
        const sku = r.str("sku_name");
        if (sku === UNKNOWN) return UNKNOWN_VERDICT;
        if (skuName(sku) === "Consumption") return NOT_APPLICABLE;
        return expectOneOf(r, "virtual_network_type", ["External", "Internal"], {
          whenUnset: "fail",
          unsetNote: "the default is None",
        });
      },
    },
    {
      id: "AZ-APIM-003",
      title: `The minimum management API version is ${MIN_API_VERSION} or later`,
      pack: "apim",
      resourceTypes: [SERVICE],
      severity: "medium",
      environments: "all",
      sources: [
        {
          name: `Azure Policy built-in: API Management minimum API version should be set to ${MIN_API_VERSION} or higher`,
          url: "https://learn.microsoft.com/en-us/azure/api-management/policy-reference",
        },
      ],
      why: "Older control-plane API versions return secrets (subscription keys, named values) to read-only callers.",
      fix: `Set min_api_version = "${MIN_API_VERSION}" or later.`,
      check: (r) => {
        const version = r.str("min_api_version");
        if (version === UNKNOWN) return UNKNOWN_VERDICT;
        if (version === undefined) return fail("min_api_version is not set");
        return version.slice(0, 10) >= MIN_API_VERSION ? PASS : fail(`min_api_version is ${show(version)}`);
      },
    },
    {
      id: "AZ-APIM-004",
      title: "Backends are called over HTTPS",
      pack: "apim",
      resourceTypes: [BACKEND],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_215")],
      why: "Plain HTTP to a backend exposes tokens and payloads between the gateway and the service.",
      fix: "Use an https:// url.",
      check: (r) => {
        const url = r.get("url");
        if (url === UNKNOWN || isReference(url)) return UNKNOWN_VERDICT;
        if (typeof url !== "string") return NOT_APPLICABLE;
        return url.toLowerCase().startsWith("https://") ? PASS : fail(`url is ${show(url)}`);
      },
    },
    {
      id: "AZ-APIM-005",
      title: "Production Premium API Management spans at least two zones",
      pack: "apim",
      resourceTypes: [SERVICE],
      severity: "high",
      environments: "prod",
      sources: [
        learn(
          "Well-Architected: API Management reliability",
          "well-architected/service-guides/api-management/reliability",
        ),
      ],
      why: "A gateway in one zone goes down with that zone, taking every API behind it along.",
      fix: 'Set zones = ["1", "2", "3"] with capacity of at least the number of zones.',
      check: (r) => {
        const sku = r.str("sku_name");
        if (sku === UNKNOWN) return UNKNOWN_VERDICT;
        if (skuName(sku) !== "Premium") return NOT_APPLICABLE;
        const zones = r.list("zones");
        if (zones === UNKNOWN) return UNKNOWN_VERDICT;
        const count = new Set(zones ?? []).size;
        return count >= 2 ? PASS : fail(`zones has ${count} zone(s)`);
      },
    },
    {
      id: "AZ-APIM-006",
      title: "Custom domain certificates are referenced from Key Vault",
      pack: "apim",
      resourceTypes: [CUSTOM_DOMAIN],
      severity: "medium",
      environments: "all",
      sources: [
        learn("Configure a custom domain name for API Management", "api-management/configure-custom-domain"),
      ],
      why: "An inline certificate and its password sit in configuration and state, and are not renewed when Key Vault rotates the certificate.",
      fix: "Set key_vault_certificate_id on each host name and grant API Management's identity access to the secret; no certificate or certificate_password.",
      check: (r) =>
        allOf(
          ...HOST_NAME_BLOCKS.map((block) =>
            eachBlockOrPass(r, block, (host) => {
              const inline = ["certificate", "certificate_password"].filter((a) => host.has(a));
              if (inline.length > 0) return fail(`${block}: ${inline.join(" and ")} set inline`);
              const fromVault = anyOf(
                expectPresent(host, "key_vault_certificate_id"),
                expectPresent(host, "key_vault_id"),
              );
              return Array.isArray(fromVault) ? fail(`${block}: no key_vault_certificate_id`) : fromVault;
            }),
          ),
        ),
    },
  ],
};

function eachBlockOrPass(r: ResourceView, path: string, check: (block: ResourceView) => Verdict): Verdict {
  const verdict = eachBlock(r, path, check);
  return verdict === NOT_APPLICABLE ? PASS : verdict;
}
