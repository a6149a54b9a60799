/**
 * Who reaches which data plane, how, and as whom: the fleet's reachability table, written once.
 * README.md ("Reachability") shows it as rendered by `renderReachabilityTable()`, and
 * __tests__/safety/reachability.test.ts checks the synthesized output against it: every data
 * plane the fleet creates is covered by a row, has no public endpoint (except where a row says
 * so), and has the private endpoints the rows promise.
 */

/** Terraform types whose resources have a data plane (data, secrets, images, telemetry). */
export const DATA_PLANE_TYPES = [
  "azurerm_storage_account",
  "azurerm_key_vault",
  "azurerm_container_registry",
  "azurerm_log_analytics_workspace",
  "azurerm_application_insights",
  "azurerm_monitor_data_collection_endpoint",
  "azurerm_postgresql_flexible_server",
  "azurerm_cosmosdb_account",
] as const;

export type DataPlaneType = (typeof DATA_PLANE_TYPES)[number];

/** Stack kinds (PlannedStack.kind in stacks/app.ts) that hold or reach data planes. */
export type ReachabilityStackKind = "bootstrap" | "org" | "apps" | "platform" | "studio";

/**
 * How an actor gets to the data plane.
 * - `private endpoint`: an endpoint in the actor's network (`endpoints` subnet), created by the
 *   stack of `from`, resolving through that network's private DNS zones;
 * - `VNet integration`: the service sits in a delegated subnet of the actor's network;
 * - `public endpoint, firewall`: the public endpoint, narrowed by the resource's firewall;
 * - `management plane only`: the actor never touches the data plane, only Azure Resource Manager.
 */
export type ReachabilityPath =
  | { readonly kind: "private endpoint"; readonly subresource: string; readonly from: ReachabilityStackKind }
  | { readonly kind: "VNet integration" }
  | { readonly kind: "public endpoint, firewall" }
  | { readonly kind: "management plane only" };

export interface ReachabilityRow {
  readonly actor: string;
  /** The data plane, in words. */
  readonly dataPlane: string;
  /** The resources the row is about: their type and the kind of stack that creates them. */
  readonly target: { readonly type: DataPlaneType; readonly kind: ReachabilityStackKind };
  readonly path: ReachabilityPath;
  readonly identity: string;
  readonly role: string;
}

const CLUSTER_KINDS = ["apps", "platform", "studio"] as const;
const PRODUCT = { apps: "Apps", platform: "Platform", studio: "Studio" } as const;

/** The rows every cluster environment (Apps, Platform, Studio) has: vault and monitoring. */
function clusterEnvironmentRows(kind: (typeof CLUSTER_KINDS)[number]): ReachabilityRow[] {
  const cluster = `${PRODUCT[kind]} cluster of the same environment`;
  return [
    {
      actor: `${cluster} (Key Vault secrets provider, workloads)`,
      dataPlane: "the environment's Key Vault",
      target: { type: "azurerm_key_vault", kind },
      path: { kind: "private endpoint", subresource: "vault", from: kind },
      identity: "the secrets provider add-on identity, workload identities",
      role: "Key Vault Secrets User, granted per secret or vault by the workload's owner",
    },
    {
      actor: `${cluster} (Container Insights agent)`,
      dataPlane: "Log Analytics ingestion through the data collection endpoint",
      target: { type: "azurerm_monitor_data_collection_endpoint", kind },
      path: { kind: "private endpoint", subresource: "azuremonitor", from: kind },
      identity: "the monitoring add-on's managed identity (`msi_auth_for_monitoring_enabled`)",
      role: "set up by AKS for its add-on",
    },
    {
      actor: `${cluster} (Container Insights agent, queries by workloads)`,
      dataPlane: "the environment's Log Analytics workspace",
      target: { type: "azurerm_log_analytics_workspace", kind },
      path: { kind: "private endpoint", subresource: "azuremonitor", from: kind },
      identity:
        kind === "apps"
          ? "the add-on identity; the runtime gateway's workload identity for queries"
          : "the add-on identity",
      role:
        kind === "apps"
          ? "Log Analytics Reader on the monitor resource group (runtime gateway)"
          : "none granted",
    },
    {
      actor: `${cluster} (workloads sending telemetry)`,
      dataPlane: "the environment's Application Insights",
      target: { type: "azurerm_application_insights", kind },
      path: { kind: "private endpoint", subresource: "azuremonitor", from: kind },
      identity: "workload identities (local authentication is off)",
      role: "Monitoring Metrics Publisher, granted per app by its owner",
    },
  ];
}

const SHARED_KINDS = ["platform", "studio"] as const;
const SHARED_WORKLOADS = { platform: "workloads", studio: "Designer, Gitea" } as const;

/** The services every shared environment (Platform, Studio) adds: storage and PostgreSQL. */
function sharedServiceRows(kind: (typeof SHARED_KINDS)[number]): ReachabilityRow[] {
  const actor = `${PRODUCT[kind]} cluster of the same environment (${SHARED_WORKLOADS[kind]})`;
  return [
    {
      actor,
      dataPlane: `${PRODUCT[kind]} storage, blob`,
      target: { type: "azurerm_storage_account", kind },
      path: { kind: "private endpoint", subresource: "blob", from: kind },
      identity: `${PRODUCT[kind]} workload identities`,
      role: "Storage Blob Data Contributor, granted per service by its owner",
    },
    {
      actor,
      dataPlane: `${PRODUCT[kind]} PostgreSQL servers`,
      target: { type: "azurerm_postgresql_flexible_server", kind },
      path: { kind: "VNet integration" },
      identity: "Entra ID principals only (password authentication is off)",
      role: "the database administrator group from fleet.yaml; database roles per service",
    },
  ];
}

export const REACHABILITY: readonly ReachabilityRow[] = [
  {
    actor: "Apps cluster of the same org and environment (app workloads)",
    dataPlane: "the org's app-data storage, blob",
    target: { type: "azurerm_storage_account", kind: "apps" },
    path: { kind: "private endpoint", subresource: "blob", from: "apps" },
    identity: "app workload identities",
    role: "Storage Blob Data Contributor on the org's container, granted per app by its owner",
  },
  {
    actor: "Apps cluster of the same org and environment (runtime operator)",
    dataPlane: "the environment's own configuration-sync PostgreSQL server",
    target: { type: "azurerm_postgresql_flexible_server", kind: "apps" },
    path: { kind: "VNet integration" },
    identity: "the runtime operator's workload identity (Entra ID only, password authentication off)",
    role: "Entra administrator of this server only, beside the platform's DBA group (stacks/operators.ts)",
  },
  {
    actor: "Apps cluster of the org, every environment (kubelet)",
    dataPlane: "the org's container registry (pull)",
    target: { type: "azurerm_container_registry", kind: "org" },
    path: { kind: "private endpoint", subresource: "registry", from: "apps" },
    identity: "the cluster's kubelet identity",
    role: "AcrPull on the registry (apps-<org>-<env>)",
  },
  {
    actor: "Studio image builds (production Studio, altinn.studio)",
    dataPlane: "every org's container registry (push)",
    target: { type: "azurerm_container_registry", kind: "org" },
    path: { kind: "private endpoint", subresource: "registry", from: "studio" },
    identity: "the build agents' identity in the Studio network",
    role: "AcrPush on each registry, granted outside this fleet",
  },
  ...CLUSTER_KINDS.flatMap(clusterEnvironmentRows),
  {
    actor: "API Management (injected into the Platform network)",
    dataPlane: "the Platform Key Vault (gateway certificate)",
    target: { type: "azurerm_key_vault", kind: "platform" },
    path: { kind: "private endpoint", subresource: "vault", from: "platform" },
    identity: "API Management's system-assigned identity",
    role: "Key Vault Secrets User on the vault (constructs/apim)",
  },
  ...SHARED_KINDS.flatMap(sharedServiceRows),
  {
    actor: "Platform cluster of the same environment (workloads)",
    dataPlane: "Platform Cosmos DB (SQL API)",
    target: { type: "azurerm_cosmosdb_account", kind: "platform" },
    path: { kind: "private endpoint", subresource: "Sql", from: "platform" },
    identity: "Platform workload identities (account keys are off)",
    role: "Cosmos DB Built-in Data Reader or Contributor (CosmosDbAccount.grantDataAccess)",
  },
  {
    actor: "pipeline agents (Terraform backend)",
    dataPlane: "the remote-state account, blob",
    target: { type: "azurerm_storage_account", kind: "bootstrap" },
    path: { kind: "public endpoint, firewall" },
    identity: "fleet-<scope>-plan, fleet-<scope>-apply",
    role: "Storage Blob Data Reader / Contributor on tfstate-<scope> (constructs/state)",
  },
];

/**
 * What Terraform on the pipeline agents does NOT need: the data planes above are managed through
 * Azure Resource Manager only (see each construct README for the provider source read). Shown
 * under the table.
 */
export const PIPELINE_NOTE =
  "The pipeline agents (Terraform, plan and apply) reach none of these data planes except the " +
  "remote state: storage accounts and containers are managed through Azure Resource Manager with the " +
  "provider's `features.storage.data_plane_available = false`; Key Vault with public access off skips its " +
  "data-plane poll and ignores the certificate-contacts read; registries, workspaces, Application Insights, " +
  "the Azure Monitor Private Link Scope, PostgreSQL and Cosmos DB are management-plane resources " +
  "(hashicorp/terraform-provider-azurerm@v4.55.0, read per resource type in the construct READMEs).";

function describePath(row: ReachabilityRow): string {
  const path = row.path;
  if (path.kind !== "private endpoint") return path.kind;
  const consumer =
    path.from === row.target.kind
      ? "the same environment's"
      : `each consuming ${PRODUCT[path.from as keyof typeof PRODUCT]}`;
  return `private endpoint (\`${path.subresource}\`) in ${consumer} network`;
}

/** The README table, one line per row. */
export function renderReachabilityTable(rows: readonly ReachabilityRow[] = REACHABILITY): string {
  const header = ["actor", "data plane", "resource (stack kind)", "path", "identity", "role"];
  const lines = [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map(
      (r) =>
        `| ${[
          r.actor,
          r.dataPlane,
          `\`${r.target.type}\` (${r.target.kind})`,
          describePath(r),
          r.identity,
          r.role,
        ].join(" | ")} |`,
    ),
  ];
  return `${lines.join("\n")}\n\n${PIPELINE_NOTE}\n`;
}
