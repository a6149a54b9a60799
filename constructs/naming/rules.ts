/**
 * Azure naming rules for the resource types this project names, from Microsoft's "Naming rules
 * and restrictions for Azure resources" (resource-name-rules, 2025-03) plus the AKS FAQ for
 * dnsPrefix and the node resource group. The common naming modules get some of these wrong
 * (container registry length and scope, AKS dnsPrefix), so the rules live here, tested one by one.
 */

export type NameScope = "global" | "subscription" | "resource group" | "parent resource";

export interface NamingRule {
  /** Human name of the resource type, used in messages. */
  readonly resource: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** Full-string pattern the name must match. */
  readonly pattern: RegExp;
  /** The allowed characters and shape, in words, for messages. */
  readonly charset: string;
  /** Where the name must be unique. */
  readonly scope: NameScope;
  /** Extra rule a pattern cannot express nicely (e.g. no consecutive hyphens). */
  readonly forbidden?: { readonly pattern: RegExp; readonly description: string };
}

export const NAMING_RULES = {
  resourceGroup: {
    resource: "resource group",
    minLength: 1,
    maxLength: 90,
    pattern: /^[-\w.()]*[-\w()]$/u,
    charset: "letters, digits, underscores, hyphens, periods and parentheses; not ending with a period",
    scope: "subscription",
  },
  storageAccount: {
    resource: "storage account",
    minLength: 3,
    maxLength: 24,
    pattern: /^[a-z0-9]+$/,
    charset: "lowercase letters and digits only",
    scope: "global",
  },
  blobContainer: {
    resource: "blob container",
    minLength: 3,
    maxLength: 63,
    pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    charset: "lowercase letters, digits and hyphens, starting and ending with a letter or digit",
    scope: "parent resource",
    forbidden: { pattern: /--/, description: "consecutive hyphens" },
  },
  keyVault: {
    resource: "Key Vault",
    minLength: 3,
    maxLength: 24,
    pattern: /^[a-zA-Z][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    charset: "letters, digits and hyphens, starting with a letter and ending with a letter or digit",
    scope: "global",
    forbidden: { pattern: /--/, description: "consecutive hyphens" },
  },
  containerRegistry: {
    resource: "container registry",
    minLength: 5,
    maxLength: 50,
    pattern: /^[a-zA-Z0-9]+$/,
    charset: "letters and digits only",
    scope: "global",
  },
  aksCluster: {
    resource: "AKS cluster",
    minLength: 1,
    maxLength: 63,
    pattern: /^[a-zA-Z0-9]([a-zA-Z0-9_-]*[a-zA-Z0-9])?$/,
    charset: "letters, digits, underscores and hyphens, starting and ending with a letter or digit",
    scope: "resource group",
  },
  aksDnsPrefix: {
    resource: "AKS dnsPrefix",
    minLength: 1,
    maxLength: 54,
    pattern: /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    charset: "letters, digits and hyphens, starting and ending with a letter or digit",
    scope: "global",
  },
  aksNodePool: {
    resource: "AKS node pool",
    minLength: 1,
    maxLength: 12,
    pattern: /^[a-z][a-z0-9]*$/,
    charset: "lowercase letters and digits, starting with a letter",
    scope: "parent resource",
  },
  aksNodeResourceGroup: {
    resource: "AKS node resource group (MC_{resourceGroup}_{cluster}_{location})",
    minLength: 1,
    maxLength: 80,
    pattern: /^[-\w.()]*[-\w()]$/u,
    charset: "as a resource group",
    scope: "subscription",
  },
  virtualNetwork: {
    resource: "virtual network",
    minLength: 2,
    maxLength: 64,
    pattern: /^[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$/,
    charset:
      "letters, digits, underscores, periods and hyphens; start alphanumeric, end alphanumeric or underscore",
    scope: "resource group",
  },
  logAnalyticsWorkspace: {
    resource: "Log Analytics workspace",
    minLength: 4,
    maxLength: 63,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    charset: "letters, digits and hyphens, starting and ending with a letter or digit",
    scope: "resource group",
  },
  dataCollectionEndpoint: {
    resource: "data collection endpoint",
    minLength: 3,
    maxLength: 44,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]$/,
    charset: "letters, digits and hyphens, starting and ending with a letter or digit",
    scope: "resource group",
  },
  applicationInsights: {
    resource: "Application Insights",
    minLength: 1,
    maxLength: 255,
    pattern: /^[^%&\\?/]*[^%&\\?/.]$/,
    charset: "any characters except % & \\ ? /, not ending with a period",
    scope: "resource group",
  },
  userAssignedIdentity: {
    resource: "user-assigned identity",
    minLength: 3,
    maxLength: 128,
    pattern: /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/,
    charset: "letters, digits, hyphens and underscores, starting with a letter or digit",
    scope: "resource group",
  },
  publicIp: {
    resource: "public IP address",
    minLength: 1,
    maxLength: 80,
    pattern: /^[a-zA-Z0-9]([a-zA-Z0-9_.-]*[a-zA-Z0-9_])?$/,
    charset:
      "letters, digits, underscores, periods and hyphens; start alphanumeric, end alphanumeric or underscore",
    scope: "resource group",
  },
  postgresqlServer: {
    resource: "PostgreSQL flexible server",
    minLength: 3,
    maxLength: 63,
    pattern: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/,
    charset: "lowercase letters, digits and hyphens, not starting or ending with a hyphen",
    scope: "global",
  },
  cosmosDbAccount: {
    resource: "Cosmos DB account",
    minLength: 3,
    maxLength: 44,
    pattern: /^[a-z0-9][a-z0-9-]*$/,
    charset: "lowercase letters, digits and hyphens, starting with a letter or digit",
    scope: "global",
  },
  apiManagement: {
    resource: "API Management service",
    minLength: 1,
    maxLength: 50,
    pattern: /^[a-zA-Z]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/,
    charset: "letters, digits and hyphens, starting with a letter and ending with a letter or digit",
    scope: "global",
  },
  dnsZone: {
    resource: "DNS zone",
    minLength: 1,
    maxLength: 253,
    pattern: /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/,
    charset: "dot-separated lowercase labels of letters, digits and hyphens, each 1-63 characters",
    scope: "resource group",
  },
} as const satisfies Record<string, NamingRule>;

export type NamingRuleKey = keyof typeof NAMING_RULES;

/** Why a name breaks its rule, or undefined when it is valid. */
export function checkName(rule: NamingRule, name: string): string | undefined {
  if (name.length < rule.minLength || name.length > rule.maxLength) {
    return `${rule.resource} names must be ${rule.minLength}-${rule.maxLength} characters; "${name}" has ${name.length}`;
  }
  if (!rule.pattern.test(name)) {
    return `${rule.resource} names allow ${rule.charset}; "${name}" does not match`;
  }
  if (rule.forbidden?.pattern.test(name)) {
    return `${rule.resource} names must not contain ${rule.forbidden.description}; "${name}" does`;
  }
  return undefined;
}
