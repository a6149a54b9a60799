/**
 * Altinn's naming conventions, in one place. Where Altinn's real names are public they are used
 * as they are (research/altinn.md): `altinnapps-{org}-{env}-rg`, `{org}altinn{env}strg01`,
 * `{org}altinnregistry01`, `monitor-{org}-{env}-rg`, `application-{org}-{env}-law`,
 * `{org}-{env}-ai`. The environment token is the name token (`prod`, never `production`).
 *
 * Names are a public contract: most of them force replacement when changed.
 */
import type { NamingRuleKey } from "./rules";

/** A derived name together with the rule it must satisfy, for validation before synth. */
export interface CheckedName {
  /** Which name this is, e.g. `storageAccount`. */
  readonly field: string;
  readonly rule: NamingRuleKey;
  readonly name: string;
}

export interface OrgNames {
  readonly resourceGroup: string;
  readonly registry: string;
}

/** Names of what an org shares across its environments. */
export function orgNames(org: string): OrgNames {
  return {
    // Inferred from Altinn's Grafana regex, which excludes an `acr` "environment".
    resourceGroup: `altinnapps-${org}-acr-rg`,
    registry: `${org}altinnregistry01`,
  };
}

export interface AppsNames {
  readonly resourceGroup: string;
  readonly monitorResourceGroup: string;
  readonly cluster: string;
  readonly dnsPrefix: string;
  readonly nodeResourceGroup: string;
  readonly virtualNetwork: string;
  readonly storageAccount: string;
  readonly appsDataContainer: string;
  readonly keyVault: string;
  readonly logAnalyticsWorkspace: string;
  /** The data collection endpoint in the environment's Azure Monitor Private Link Scope. */
  readonly dataCollectionEndpoint: string;
  readonly applicationInsights: string;
  readonly ingressPublicIp: string;
  readonly dnsZone: string;
  readonly runtimeOperatorIdentity: string;
  readonly runtimeGatewayIdentity: string;
  /** Where the operators create per-app Azure resources. */
  readonly operatorsResourceGroup: string;
  readonly serviceOperatorIdentity: string;
  /** Custom role of the operators; role names are unique in the tenant. */
  readonly operatorsRole: string;
  /** The runtime operator's configuration-sync database server (globally unique DNS name). */
  readonly configSyncServer: string;
}

/** Names of one org's Apps environment. `env` is the name token (`prod` for production). */
export function appsNames(org: string, env: string, hostname: string, location: string): AppsNames {
  const resourceGroup = `altinnapps-${org}-${env}-rg`;
  const cluster = `${org}-${env}-aks`;
  return {
    resourceGroup,
    monitorResourceGroup: `monitor-${org}-${env}-rg`,
    cluster,
    dnsPrefix: `${org}-${env}`,
    // AKS derives this name itself; it is checked because AKS rejects it above 80 characters.
    nodeResourceGroup: `MC_${resourceGroup}_${cluster}_${location}`,
    virtualNetwork: `altinnapps-${org}-${env}-vnet`,
    storageAccount: `${org}altinn${env}strg01`,
    appsDataContainer: `${org}-${env}-appsdata-blob-db`,
    keyVault: `${org}-${env}-keyvault`,
    logAnalyticsWorkspace: `application-${org}-${env}-law`,
    dataCollectionEndpoint: `${org}-${env}-dce`,
    applicationInsights: `${org}-${env}-ai`,
    ingressPublicIp: `${org}-${env}-ingress-pip4`,
    dnsZone: `${org}.apps.${hostname}`,
    runtimeOperatorIdentity: `${org}-${env}-runtime-operator-id`,
    runtimeGatewayIdentity: `${org}-${env}-runtime-gateway-id`,
    operatorsResourceGroup: `altinnapps-${org}-${env}-operators-rg`,
    serviceOperatorIdentity: `${org}-${env}-aso-id`,
    operatorsRole: `altinnapps-${org}-${env}-operators`,
    configSyncServer: `altinn-${org}-${env}-opsync-psql`,
  };
}

/** The rule each derived name must satisfy. */
const APPS_RULES: Record<keyof AppsNames, NamingRuleKey> = {
  resourceGroup: "resourceGroup",
  monitorResourceGroup: "resourceGroup",
  cluster: "aksCluster",
  dnsPrefix: "aksDnsPrefix",
  nodeResourceGroup: "aksNodeResourceGroup",
  virtualNetwork: "virtualNetwork",
  storageAccount: "storageAccount",
  appsDataContainer: "blobContainer",
  keyVault: "keyVault",
  logAnalyticsWorkspace: "logAnalyticsWorkspace",
  dataCollectionEndpoint: "dataCollectionEndpoint",
  applicationInsights: "applicationInsights",
  ingressPublicIp: "publicIp",
  dnsZone: "dnsZone",
  runtimeOperatorIdentity: "userAssignedIdentity",
  runtimeGatewayIdentity: "userAssignedIdentity",
  operatorsResourceGroup: "resourceGroup",
  serviceOperatorIdentity: "userAssignedIdentity",
  operatorsRole: "resourceGroup",
  configSyncServer: "postgresqlServer",
};

const ORG_RULES: Record<keyof OrgNames, NamingRuleKey> = {
  resourceGroup: "resourceGroup",
  registry: "containerRegistry",
};

export function checkedAppsNames(names: AppsNames): CheckedName[] {
  return (Object.keys(APPS_RULES) as (keyof AppsNames)[]).map((field) => ({
    field,
    rule: APPS_RULES[field],
    name: names[field],
  }));
}

export function checkedOrgNames(names: OrgNames): CheckedName[] {
  return (Object.keys(ORG_RULES) as (keyof OrgNames)[]).map((field) => ({
    field,
    rule: ORG_RULES[field],
    name: names[field],
  }));
}

/** Stack ids: a public contract (state keys, pipeline legs and `npm run affected` use them). */
export const stackIds = {
  org: (org: string) => `org-${org}`,
  apps: (org: string, env: string) => `apps-${org}-${env}`,
  appsK8s: (org: string, env: string) => `apps-${org}-${env}-k8s`,
  platform: (env: string) => `platform-${env}`,
  platformK8s: (env: string) => `platform-${env}-k8s`,
  studio: (env: string) => `studio-${env}`,
  studioK8s: (env: string) => `studio-${env}-k8s`,
  bootstrap: (name: string) => `bootstrap-${name}`,
  state: (name: string) => `state-${name}`,
  services: (cluster: string) => `services-${cluster}`,
} as const;

/** Names of the shared environments (Platform, Studio): a cluster environment plus services. */
export interface SharedEnvironmentNames {
  readonly resourceGroup: string;
  readonly monitorResourceGroup: string;
  readonly cluster: string;
  readonly dnsPrefix: string;
  readonly nodeResourceGroup: string;
  readonly virtualNetwork: string;
  readonly keyVault: string;
  readonly logAnalyticsWorkspace: string;
  /** The data collection endpoint in the environment's Azure Monitor Private Link Scope. */
  readonly dataCollectionEndpoint: string;
  readonly applicationInsights: string;
  readonly ingressPublicIp: string;
  readonly dnsZone: string;
  readonly storageAccount: string;
  readonly postgresServer: string;
}

export interface PlatformNames extends SharedEnvironmentNames {
  readonly apiManagement: string;
  readonly cosmosAccount: string;
}

function sharedNames(product: "platform" | "studio", env: string, dnsZone: string, location: string) {
  const resourceGroup = `altinn${product}-${env}-rg`;
  // Studio's clusters are really named studio-{env}-aks (research/altinn.md §1.4).
  const cluster = `${product}-${env}-aks`;
  return {
    resourceGroup,
    monitorResourceGroup: `monitor-${product}-${env}-rg`,
    cluster,
    dnsPrefix: `${product}-${env}`,
    nodeResourceGroup: `MC_${resourceGroup}_${cluster}_${location}`,
    virtualNetwork: `altinn${product}-${env}-vnet`,
    keyVault: `altinn-${product}-${env}-kv`,
    logAnalyticsWorkspace: `${product}-${env}-law`,
    dataCollectionEndpoint: `${product}-${env}-dce`,
    applicationInsights: `${product}-${env}-ai`,
    ingressPublicIp: `${product}-${env}-ingress-pip4`,
    dnsZone,
    // `{product}{env}strg01` would exceed 24 characters for studio-staging.
    storageAccount: `altinn${product}${env}01`,
    postgresServer: `altinn-${product}-${env}-psql`,
  };
}

/**
 * The Key Vault certificate API Management serves `platform.{hostname}` with, in the Platform's
 * Key Vault (imported by the certificate officers; README "Platform gateway certificate").
 */
export const GATEWAY_CERTIFICATE_NAME = "platform-gateway-certificate";

/** Names of one environment's Altinn Platform; the gateway host is `platform.{hostname}`. */
export function platformNames(env: string, hostname: string, location: string): PlatformNames {
  return {
    ...sharedNames("platform", env, `platform.${hostname}`, location),
    apiManagement: `altinn-platform-${env}-apim`,
    cosmosAccount: `altinn-platform-${env}-cosmos`,
  };
}

/** Names of one Altinn Studio environment; its zone is its host (`dev.altinn.studio`). */
export function studioNames(env: string, hostname: string, location: string): SharedEnvironmentNames {
  return sharedNames("studio", env, hostname, location);
}

const SHARED_RULES: Record<keyof SharedEnvironmentNames, NamingRuleKey> = {
  resourceGroup: "resourceGroup",
  monitorResourceGroup: "resourceGroup",
  cluster: "aksCluster",
  dnsPrefix: "aksDnsPrefix",
  nodeResourceGroup: "aksNodeResourceGroup",
  virtualNetwork: "virtualNetwork",
  keyVault: "keyVault",
  logAnalyticsWorkspace: "logAnalyticsWorkspace",
  dataCollectionEndpoint: "dataCollectionEndpoint",
  applicationInsights: "applicationInsights",
  ingressPublicIp: "publicIp",
  dnsZone: "dnsZone",
  storageAccount: "storageAccount",
  postgresServer: "postgresqlServer",
};

export function checkedSharedNames(names: SharedEnvironmentNames | PlatformNames): CheckedName[] {
  const rules: Record<string, NamingRuleKey> = { ...SHARED_RULES };
  if ("apiManagement" in names) {
    rules.apiManagement = "apiManagement";
    rules.cosmosAccount = "cosmosDbAccount";
  }
  return Object.entries(rules).map(([field, rule]) => ({
    field,
    rule,
    name: (names as unknown as Record<string, string>)[field]!,
  }));
}
