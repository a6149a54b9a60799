/**
 * What the pipeline identities must be allowed to do for each Terraform resource and data source
 * type the fleet emits: the Azure operations the azurerm provider (v4.55.0) calls to create,
 * update, read (every managed resource is refreshed at every plan) and delete it, each row with
 * where that comes from. `npm run permissions` reads this table; a type in the synthesized output
 * without a row is an error, so a new resource type cannot ship without its permissions.
 *
 * Sources, in order of preference:
 * - the Learn "Azure permissions" page of the resource provider
 *   (https://learn.microsoft.com/azure/role-based-access-control/permissions/<category>),
 * - the REST API operation the provider calls,
 * - the provider's source at hashicorp/terraform-provider-azurerm@v4.55.0, where it calls more
 *   than the resource's own GET/PUT/DELETE (credentials, linked resources, data planes).
 *
 * Phases: `read` is needed by plan and apply identities (refresh, data sources); `write` (create
 * and update, including the reads and polls around them) and `delete` by apply identities only.
 * `on` names the attribute that points at another resource the operation is checked against (a
 * role assignment's `scope`, a private endpoint's target): that resource may live in another
 * state scope (see cli/permissions/permissions-check.ts for how it is resolved).
 */
import type { Plane } from "./actions";

export type Phase = "read" | "write" | "delete";

export interface PermissionNeed {
  readonly phase: Phase;
  readonly actions: readonly string[];
  /** @default "control" */
  readonly plane?: Plane;
  /** Attribute path (dots) of the resource id the operations act on; default the resource itself. */
  readonly on?: string;
  /**
   * For `on` needs whose operation depends on the target's resource type: the operation suffix
   * appended to the target's ARM type (e.g. `privateEndpointConnectionsApproval/action`).
   */
  readonly onTypeSuffix?: string;
  /** Only when the resource's arguments ask for it. */
  readonly when?: (attributes: Readonly<Record<string, unknown>>) => boolean;
  /** Why, when it is not the resource's own GET/PUT/DELETE. */
  readonly why?: string;
}

export interface PermissionRow {
  readonly needs: readonly PermissionNeed[];
  readonly sources: readonly string[];
}

const PERMS = "https://learn.microsoft.com/azure/role-based-access-control/permissions";
const SRC = "hashicorp/terraform-provider-azurerm@v4.55.0:internal/services";

/** An ARM resource type's own read, write and delete operations. */
function crud(armType: string, extra: readonly PermissionNeed[] = []): PermissionNeed[] {
  return [
    { phase: "read", actions: [`${armType}/read`] },
    { phase: "write", actions: [`${armType}/read`, `${armType}/write`] },
    { phase: "delete", actions: [`${armType}/delete`] },
    ...extra,
  ];
}

function row(needs: readonly PermissionNeed[], ...sources: string[]): PermissionRow {
  return { needs, sources };
}

/** A data source: reads only. */
function dataSource(actions: readonly string[], ...sources: string[]): PermissionRow {
  return { needs: [{ phase: "read", actions }], sources };
}

const joinSubnet = (on: string): PermissionNeed => ({
  phase: "write",
  actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
  on,
  why: "joins a subnet",
});
const assignIdentity = (on: string): PermissionNeed => ({
  phase: "write",
  actions: ["Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"],
  on,
  why: "assigns a user-assigned identity",
});

/** Kubernetes objects through Azure RBAC for Kubernetes (data actions on the cluster). */
function kubernetes(kind: string): PermissionRow {
  const base = `Microsoft.ContainerService/managedClusters/${kind}`;
  return row(
    [
      { phase: "read", plane: "data", actions: [`${base}/read`] },
      { phase: "write", plane: "data", actions: [`${base}/read`, `${base}/write`] },
      { phase: "delete", plane: "data", actions: [`${base}/delete`] },
    ],
    `${PERMS}/containers#microsoftcontainerservice`,
    "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
  );
}

/** Resource types that call no Azure API at all. */
const NOTHING: PermissionRow = {
  needs: [],
  sources: ["https://developer.hashicorp.com/terraform/language/resources/terraform-data"],
};

export const RESOURCE_PERMISSIONS: Readonly<Record<string, PermissionRow>> = {
  // --- Resources, Authorization ---------------------------------------------------------------
  azurerm_resource_group: row(
    crud("Microsoft.Resources/subscriptions/resourceGroups", [
      {
        phase: "delete",
        actions: ["Microsoft.Resources/subscriptions/resourceGroups/resources/read"],
        why: "features.resource_group.prevent_deletion_if_contains_resources lists the group's resources first",
      },
    ]),
    `${PERMS}/management-and-governance#microsoftresources`,
    `${SRC}/resource/resource_group_resource.go`,
  ),
  azurerm_resource_provider_registration: row(
    [
      {
        phase: "read",
        actions: [
          "Microsoft.Resources/subscriptions/providers/read",
          "Microsoft.Features/providers/features/read",
        ],
      },
      {
        phase: "write",
        actions: ["Microsoft.Resources/subscriptions/providers/read", "*/register/action"],
        why: "registers the provider (`<namespace>/register/action`)",
      },
      {
        phase: "write",
        actions: ["Microsoft.Features/providers/features/register/action"],
        when: (a) => Array.isArray(a.feature) && a.feature.length > 0,
        why: "registers the listed preview features",
      },
      { phase: "delete", actions: ["*/unregister/action"], why: "unregisters the provider" },
    ],
    `${SRC}/resource/resource_provider_registration_resource.go`,
    "https://learn.microsoft.com/rest/api/resources/providers/register",
    `${PERMS}/management-and-governance#microsoftfeatures`,
  ),
  azurerm_role_assignment: row(
    [
      {
        phase: "read",
        actions: [
          "Microsoft.Authorization/roleAssignments/read",
          "Microsoft.Authorization/roleDefinitions/read",
        ],
        on: "scope",
        why: "reads the assignment and its role definition (role_definition_name)",
      },
      {
        phase: "write",
        actions: [
          "Microsoft.Authorization/roleDefinitions/read",
          "Microsoft.Authorization/roleAssignments/read",
          "Microsoft.Authorization/roleAssignments/write",
        ],
        on: "scope",
        why: "looks the role up by name, creates the assignment at `scope` and polls it until it reads back five times",
      },
      { phase: "delete", actions: ["Microsoft.Authorization/roleAssignments/delete"], on: "scope" },
    ],
    `${SRC}/authorization/role_assignment_resource.go`,
    `${PERMS}/management-and-governance#microsoftauthorization`,
    "https://learn.microsoft.com/rest/api/authorization/role-assignments/create",
  ),
  azurerm_role_definition: row(
    [
      { phase: "read", actions: ["Microsoft.Authorization/roleDefinitions/read"], on: "scope" },
      {
        phase: "write",
        actions: [
          "Microsoft.Authorization/roleDefinitions/read",
          "Microsoft.Authorization/roleDefinitions/write",
        ],
        on: "scope",
        why: "checks for an existing definition, creates it and reads it back; updates poll until the change is visible",
      },
      {
        phase: "delete",
        actions: [
          "Microsoft.Authorization/roleDefinitions/delete",
          "Microsoft.Authorization/roleDefinitions/read",
        ],
        on: "scope",
        why: "deletes and polls until the definition reads as gone twenty times",
      },
    ],
    `${SRC}/authorization/role_definition_resource.go`,
    `${PERMS}/management-and-governance#microsoftauthorization`,
    "https://learn.microsoft.com/rest/api/authorization/role-definitions/create-or-update",
  ),
  azurerm_management_lock: row(
    crud("Microsoft.Authorization/locks"),
    `${SRC}/resource/management_lock_resource.go`,
    `${PERMS}/management-and-governance#microsoftauthorization`,
  ),

  // --- Networking -------------------------------------------------------------------------------
  azurerm_virtual_network: row(
    crud("Microsoft.Network/virtualNetworks"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_subnet: row(
    crud("Microsoft.Network/virtualNetworks/subnets", [
      {
        phase: "write",
        actions: ["Microsoft.Network/virtualNetworks/read"],
        why: "locks and reads the parent network",
      },
    ]),
    `${PERMS}/networking#microsoftnetwork`,
    `${SRC}/network/subnet_resource.go`,
  ),
  azurerm_network_security_group: row(
    crud("Microsoft.Network/networkSecurityGroups"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_network_security_rule: row(
    crud("Microsoft.Network/networkSecurityGroups/securityRules"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_subnet_network_security_group_association: row(
    [
      { phase: "read", actions: ["Microsoft.Network/virtualNetworks/subnets/read"] },
      {
        phase: "write",
        actions: [
          "Microsoft.Network/virtualNetworks/subnets/read",
          "Microsoft.Network/virtualNetworks/subnets/write",
        ],
      },
      {
        phase: "write",
        actions: ["Microsoft.Network/networkSecurityGroups/join/action"],
        on: "network_security_group_id",
        why: "attaches the NSG to the subnet",
      },
      {
        phase: "delete",
        actions: ["Microsoft.Network/virtualNetworks/subnets/write"],
        why: "detaches by rewriting the subnet",
      },
    ],
    `${SRC}/network/subnet_network_security_group_association_resource.go`,
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_virtual_network_peering: row(
    crud("Microsoft.Network/virtualNetworks/virtualNetworkPeerings", [
      {
        phase: "write",
        actions: ["Microsoft.Network/virtualNetworks/peer/action"],
        on: "remote_virtual_network_id",
        why: "peering needs peer/action on the remote network",
      },
    ]),
    `${PERMS}/networking#microsoftnetwork`,
    "https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-peering#permissions",
  ),
  azurerm_public_ip: row(crud("Microsoft.Network/publicIPAddresses"), `${PERMS}/networking#microsoftnetwork`),
  azurerm_private_endpoint: row(
    crud("Microsoft.Network/privateEndpoints", [
      {
        phase: "read",
        actions: [
          "Microsoft.Network/networkInterfaces/read",
          "Microsoft.Network/privateEndpoints/privateDnsZoneGroups/read",
        ],
        why: "reads the endpoint's NIC and DNS zone group",
      },
      joinSubnet("subnet_id"),
      {
        phase: "write",
        actions: [],
        onTypeSuffix: "privateEndpointConnectionsApproval/action",
        on: "private_service_connection.private_connection_resource_id",
        why: "an automatically approved connection needs approval rights on the target",
      },
      {
        phase: "write",
        actions: ["Microsoft.Network/privateDnsZones/join/action"],
        on: "private_dns_zone_group.private_dns_zone_ids",
        why: "the DNS zone group writes A records into the private DNS zones",
      },
      { phase: "write", actions: ["Microsoft.Network/privateEndpoints/privateDnsZoneGroups/write"] },
    ]),
    `${SRC}/network/private_endpoint_resource.go`,
    "https://learn.microsoft.com/azure/private-link/rbac-permissions",
  ),
  azurerm_private_dns_zone: row(
    crud("Microsoft.Network/privateDnsZones"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_private_dns_zone_virtual_network_link: row(
    crud("Microsoft.Network/privateDnsZones/virtualNetworkLinks", [
      {
        phase: "write",
        actions: ["Microsoft.Network/virtualNetworks/join/action"],
        on: "virtual_network_id",
        why: "linking a network to a zone needs join/action on the network",
      },
    ]),
    `${PERMS}/networking#microsoftnetwork`,
    "https://learn.microsoft.com/azure/dns/dns-protect-private-zones-recordsets",
  ),
  azurerm_private_dns_a_record: row(
    crud("Microsoft.Network/privateDnsZones/A"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_dns_zone: row(crud("Microsoft.Network/dnsZones"), `${PERMS}/networking#microsoftnetwork`),
  azurerm_dns_a_record: row(crud("Microsoft.Network/dnsZones/A"), `${PERMS}/networking#microsoftnetwork`),
  azurerm_dns_caa_record: row(crud("Microsoft.Network/dnsZones/CAA"), `${PERMS}/networking#microsoftnetwork`),
  azurerm_dns_cname_record: row(
    crud("Microsoft.Network/dnsZones/CNAME"),
    `${PERMS}/networking#microsoftnetwork`,
  ),
  azurerm_dns_ns_record: row(crud("Microsoft.Network/dnsZones/NS"), `${PERMS}/networking#microsoftnetwork`),
  azurerm_dns_txt_record: row(crud("Microsoft.Network/dnsZones/TXT"), `${PERMS}/networking#microsoftnetwork`),

  // --- Containers -------------------------------------------------------------------------------
  azurerm_kubernetes_cluster: row(
    crud("Microsoft.ContainerService/managedClusters", [
      {
        phase: "read",
        actions: [
          "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
          "Microsoft.ContainerService/managedClusters/maintenanceConfigurations/read",
        ],
        why: "every refresh lists the user credentials (kube_config) and reads the maintenance windows",
      },
      {
        phase: "read",
        actions: ["Microsoft.ContainerService/managedClusters/listClusterAdminCredential/action"],
        when: (a) => a.local_account_disabled !== true,
        why: "with local accounts on, every refresh also lists the admin credentials",
      },
      {
        phase: "write",
        actions: ["Microsoft.ContainerService/managedClusters/maintenanceConfigurations/write"],
        when: (a) =>
          a.maintenance_window_auto_upgrade !== undefined || a.maintenance_window_node_os !== undefined,
        why: "maintenance windows are separate configurations",
      },
      joinSubnet("default_node_pool.vnet_subnet_id"),
      assignIdentity("identity.identity_ids"),
      assignIdentity("kubelet_identity.user_assigned_identity_id"),
    ]),
    `${SRC}/containers/kubernetes_cluster_resource.go`,
    `${PERMS}/containers#microsoftcontainerservice`,
    "https://learn.microsoft.com/azure/aks/kubernetes-service-principal#delegate-access-to-other-azure-resources",
  ),
  azurerm_kubernetes_cluster_node_pool: row(
    crud("Microsoft.ContainerService/managedClusters/agentPools", [
      {
        phase: "write",
        actions: ["Microsoft.ContainerService/managedClusters/read"],
        why: "reads the parent cluster",
      },
      joinSubnet("vnet_subnet_id"),
    ]),
    `${SRC}/containers/kubernetes_cluster_node_pool_resource.go`,
    `${PERMS}/containers#microsoftcontainerservice`,
  ),
  azurerm_container_registry: row(
    crud("Microsoft.ContainerRegistry/registries"),
    `${SRC}/containers/container_registry_resource.go`,
    `${PERMS}/containers#microsoftcontainerregistry`,
  ),

  // --- Identity ---------------------------------------------------------------------------------
  azurerm_user_assigned_identity: row(
    crud("Microsoft.ManagedIdentity/userAssignedIdentities"),
    `${PERMS}/identity#microsoftmanagedidentity`,
  ),
  azurerm_federated_identity_credential: row(
    crud("Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials"),
    `${SRC}/managedidentity/federated_identity_credential_resource.go`,
    `${PERMS}/identity#microsoftmanagedidentity`,
  ),

  // --- Storage ----------------------------------------------------------------------------------
  azurerm_storage_account: row(
    crud("Microsoft.Storage/storageAccounts", [
      {
        phase: "read",
        actions: [
          "Microsoft.Storage/storageAccounts/blobServices/read",
          "Microsoft.Storage/storageAccounts/fileServices/read",
        ],
        why: "reads the blob and file service properties (ARM); listKeys is tried too, a 403 is tolerated",
      },
      {
        phase: "write",
        actions: [
          "Microsoft.Storage/storageAccounts/blobServices/write",
          "Microsoft.Storage/storageAccounts/fileServices/write",
        ],
        why: "blob properties (versioning, retention) are set after the account",
      },
    ]),
    `${SRC}/storage/storage_account_resource.go`,
    `${PERMS}/storage#microsoftstorage`,
  ),
  azurerm_storage_container: row(
    crud("Microsoft.Storage/storageAccounts/blobServices/containers"),
    `${SRC}/storage/storage_container_resource.go`,
    `${PERMS}/storage#microsoftstorage`,
  ),

  // --- Security ---------------------------------------------------------------------------------
  azurerm_key_vault: row(
    crud("Microsoft.KeyVault/vaults", [
      {
        phase: "read",
        actions: ["Microsoft.KeyVault/deletedVaults/read"],
        why: "recover_soft_deleted_key_vaults looks for a soft-deleted vault of the same name",
      },
    ]),
    `${SRC}/keyvault/key_vault_resource.go`,
    `${PERMS}/security#microsoftkeyvault`,
  ),
  azurerm_key_vault_certificate: row(
    [
      {
        phase: "read",
        plane: "data",
        actions: ["Microsoft.KeyVault/vaults/certificates/read"],
        on: "key_vault_id",
      },
      {
        phase: "read",
        actions: ["Microsoft.KeyVault/vaults/read"],
        on: "key_vault_id",
        why: "resolves the vault's URI",
      },
      {
        phase: "write",
        plane: "data",
        actions: [
          "Microsoft.KeyVault/vaults/certificates/read",
          "Microsoft.KeyVault/vaults/certificates/create/action",
          "Microsoft.KeyVault/vaults/certificates/update/action",
        ],
        on: "key_vault_id",
        why: "creates (or imports) the certificate over the vault's data plane",
      },
      {
        phase: "delete",
        plane: "data",
        actions: ["Microsoft.KeyVault/vaults/certificates/delete"],
        on: "key_vault_id",
      },
    ],
    `${SRC}/keyvault/key_vault_certificate_resource.go`,
    `${PERMS}/security#microsoftkeyvault`,
  ),

  // --- Monitoring -------------------------------------------------------------------------------
  azurerm_log_analytics_workspace: row(
    // Refresh also tries sharedKeys/action; the provider only logs a failure, so it is not needed.
    crud("Microsoft.OperationalInsights/workspaces"),
    `${SRC}/loganalytics/log_analytics_workspace_resource.go`,
    `${PERMS}/monitor#microsoftoperationalinsights`,
  ),
  azurerm_application_insights: row(
    crud("Microsoft.Insights/components", [
      {
        phase: "write",
        actions: ["Microsoft.OperationalInsights/workspaces/read"],
        on: "workspace_id",
        why: "links the workspace",
      },
    ]),
    `${SRC}/applicationinsights/application_insights_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_private_link_scope: row(
    crud("Microsoft.Insights/privateLinkScopes"),
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_private_link_scoped_service: row(
    crud("Microsoft.Insights/privateLinkScopes/scopedResources", [
      {
        phase: "write",
        actions: ["*/read"],
        on: "linked_resource_id",
        why: "reads the linked workspace or endpoint",
      },
    ]),
    `${SRC}/monitor/monitor_private_link_scoped_service_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_data_collection_rule: row(
    crud("Microsoft.Insights/dataCollectionRules"),
    `${SRC}/monitor/monitor_data_collection_rule_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_data_collection_endpoint: row(
    crud("Microsoft.Insights/dataCollectionEndpoints"),
    `${SRC}/monitor/monitor_data_collection_endpoint_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_data_collection_rule_association: row(
    crud("Microsoft.Insights/dataCollectionRuleAssociations", [
      {
        phase: "write",
        actions: ["Microsoft.Insights/dataCollectionRules/read"],
        on: "data_collection_rule_id",
        why: "associating a rule reads it",
      },
    ]),
    `${SRC}/monitor/monitor_data_collection_rule_association_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),
  azurerm_monitor_diagnostic_setting: row(
    crud("Microsoft.Insights/diagnosticSettings"),
    `${SRC}/monitor/monitor_diagnostic_setting_resource.go`,
    `${PERMS}/monitor#microsoftinsights`,
  ),

  // --- Databases --------------------------------------------------------------------------------
  azurerm_postgresql_flexible_server: row(
    crud("Microsoft.DBforPostgreSQL/flexibleServers", [
      joinSubnet("delegated_subnet_id"),
      {
        phase: "write",
        actions: ["Microsoft.Network/privateDnsZones/join/action"],
        on: "private_dns_zone_id",
        why: "VNet integration registers the server in the private DNS zone",
      },
    ]),
    `${SRC}/postgres/postgresql_flexible_server_resource.go`,
    `${PERMS}/databases#microsoftdbforpostgresql`,
  ),
  azurerm_postgresql_flexible_server_configuration: row(
    crud("Microsoft.DBforPostgreSQL/flexibleServers/configurations"),
    `${PERMS}/databases#microsoftdbforpostgresql`,
  ),
  azurerm_postgresql_flexible_server_database: row(
    crud("Microsoft.DBforPostgreSQL/flexibleServers/databases"),
    `${PERMS}/databases#microsoftdbforpostgresql`,
  ),
  azurerm_postgresql_flexible_server_active_directory_administrator: row(
    crud("Microsoft.DBforPostgreSQL/flexibleServers/administrators"),
    `${SRC}/postgres/postgresql_flexible_server_active_directory_administrator_resource.go`,
    `${PERMS}/databases#microsoftdbforpostgresql`,
  ),
  azurerm_cosmosdb_account: row(
    crud("Microsoft.DocumentDB/databaseAccounts", [
      {
        phase: "read",
        actions: [
          "Microsoft.DocumentDB/databaseAccounts/listKeys/action",
          "Microsoft.DocumentDB/databaseAccounts/readonlykeys/action",
          "Microsoft.DocumentDB/databaseAccounts/listConnectionStrings/action",
        ],
        why: "every refresh lists the keys, read-only keys and connection strings; a 403 fails the refresh",
      },
    ]),
    `${SRC}/cosmos/cosmosdb_account_resource.go`,
    `${PERMS}/databases#microsoftdocumentdb`,
  ),
  azurerm_cosmosdb_sql_database: row(
    crud("Microsoft.DocumentDB/databaseAccounts/sqlDatabases", [
      {
        phase: "read",
        actions: ["Microsoft.DocumentDB/databaseAccounts/sqlDatabases/throughputSettings/read"],
      },
    ]),
    `${PERMS}/databases#microsoftdocumentdb`,
  ),
  azurerm_cosmosdb_sql_container: row(
    crud("Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers", [
      {
        phase: "read",
        actions: ["Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers/throughputSettings/read"],
      },
    ]),
    `${PERMS}/databases#microsoftdocumentdb`,
  ),
  azurerm_cosmosdb_sql_role_assignment: row(
    crud("Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"),
    `${SRC}/cosmos/cosmosdb_sql_role_assignment_resource.go`,
    `${PERMS}/databases#microsoftdocumentdb`,
  ),

  // --- Integration ------------------------------------------------------------------------------
  azurerm_api_management: row(
    crud("Microsoft.ApiManagement/service", [
      joinSubnet("virtual_network_configuration.subnet_id"),
      {
        phase: "read",
        actions: [
          "Microsoft.ApiManagement/service/policies/read",
          "Microsoft.ApiManagement/service/portalsettings/read",
          "Microsoft.ApiManagement/service/portalsettings/listSecrets/action",
          "Microsoft.ApiManagement/service/tenant/listSecrets/action",
        ],
        when: (a) => typeof a.sku_name !== "string" || !/^Consumption|V2/.test(a.sku_name),
        why: "every refresh (classic SKUs) reads the global policy, the portal's sign-in, sign-up and delegation settings with the delegation validation key, and the tenant access secrets; a 403 fails the refresh",
      },
      {
        phase: "write",
        actions: [
          "Microsoft.ApiManagement/service/portalsettings/write",
          "Microsoft.ApiManagement/service/policies/write",
        ],
      },
    ]),
    `${SRC}/apimanagement/api_management_resource.go`,
    `${PERMS}/integration#microsoftapimanagement`,
  ),
  azurerm_api_management_custom_domain: row(
    [
      { phase: "read", actions: ["Microsoft.ApiManagement/service/read"], on: "api_management_id" },
      {
        phase: "write",
        actions: ["Microsoft.ApiManagement/service/read", "Microsoft.ApiManagement/service/write"],
        on: "api_management_id",
        why: "host names are a property of the service: the provider rewrites the whole service and polls",
      },
      {
        phase: "delete",
        actions: ["Microsoft.ApiManagement/service/write"],
        on: "api_management_id",
        why: "removes the host names by rewriting the service",
      },
    ],
    `${SRC}/apimanagement/api_management_custom_domain_resource.go`,
    `${PERMS}/integration#microsoftapimanagement`,
  ),

  // --- Data sources -----------------------------------------------------------------------------
  "data.azurerm_client_config": { needs: [], sources: [`${SRC}/authorization/client_config_data_source.go`] },
  "data.azurerm_subscription": dataSource(
    ["Microsoft.Resources/subscriptions/read"],
    `${PERMS}/management-and-governance#microsoftresources`,
  ),
  "data.azurerm_resource_group": dataSource(
    ["Microsoft.Resources/subscriptions/resourceGroups/read"],
    `${PERMS}/management-and-governance#microsoftresources`,
  ),
  "data.azurerm_virtual_network": dataSource(
    ["Microsoft.Network/virtualNetworks/read"],
    `${PERMS}/networking#microsoftnetwork`,
  ),
  "data.azurerm_subnet": dataSource(
    ["Microsoft.Network/virtualNetworks/subnets/read"],
    `${PERMS}/networking#microsoftnetwork`,
  ),
  "data.azurerm_public_ip": dataSource(
    ["Microsoft.Network/publicIPAddresses/read"],
    `${PERMS}/networking#microsoftnetwork`,
  ),
  "data.azurerm_dns_zone": dataSource(
    ["Microsoft.Network/dnsZones/read"],
    `${PERMS}/networking#microsoftnetwork`,
  ),
  "data.azurerm_private_dns_zone": dataSource(
    ["Microsoft.Network/privateDnsZones/read"],
    `${PERMS}/networking#microsoftnetwork`,
  ),
  "data.azurerm_user_assigned_identity": dataSource(
    ["Microsoft.ManagedIdentity/userAssignedIdentities/read"],
    `${PERMS}/identity#microsoftmanagedidentity`,
  ),
  "data.azurerm_key_vault": dataSource(
    ["Microsoft.KeyVault/vaults/read"],
    `${PERMS}/security#microsoftkeyvault`,
  ),
  "data.azurerm_container_registry": dataSource(
    ["Microsoft.ContainerRegistry/registries/read"],
    `${SRC}/containers/container_registry_data_source.go`,
  ),
  "data.azurerm_postgresql_flexible_server": dataSource(
    ["Microsoft.DBforPostgreSQL/flexibleServers/read"],
    `${PERMS}/databases#microsoftdbforpostgresql`,
  ),
  "data.azurerm_log_analytics_workspace": dataSource(
    [
      "Microsoft.OperationalInsights/workspaces/read",
      "Microsoft.OperationalInsights/workspaces/sharedKeys/action",
    ],
    `${SRC}/loganalytics/log_analytics_workspace_data_source.go`,
  ),
  "data.azurerm_kubernetes_cluster": row(
    [
      {
        phase: "read",
        actions: [
          "Microsoft.ContainerService/managedClusters/read",
          "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
        ],
        why: "the data source lists the user credentials (kube_config); admin credentials are tried and a 403 tolerated",
      },
    ],
    `${SRC}/containers/kubernetes_cluster_data_source.go`,
  ),

  // --- The provider itself ---------------------------------------------------------------------
  // At start-up the provider lists the subscription's resource providers; with registrations other
  // than "none" it then registers those of its set that are not registered (`<namespace>/register/
  // action`), which depends on the subscription's state, not on the configuration: plan identities
  // cannot do it, so every provider the fleet needs must be registered beforehand.
  "provider.azurerm": row(
    [{ phase: "read", actions: ["Microsoft.Resources/subscriptions/providers/read"] }],
    "hashicorp/terraform-provider-azurerm@v4.55.0:internal/resourceproviders/registration.go",
    "https://learn.microsoft.com/rest/api/resources/providers/list",
  ),

  // --- Kubernetes and Helm: Azure RBAC for Kubernetes only (no Azure Resource Manager calls) -----
  kubernetes_namespace_v1: kubernetes("namespaces"),
  kubernetes_config_map_v1: kubernetes("configmaps"),
  kubernetes_service_v1: kubernetes("services"),
  kubernetes_service_account_v1: kubernetes("serviceaccounts"),
  kubernetes_deployment_v1: kubernetes("apps/deployments"),
  kubernetes_role_v1: kubernetes("rbac.authorization.k8s.io/roles"),
  kubernetes_role_binding_v1: kubernetes("rbac.authorization.k8s.io/rolebindings"),
  kubernetes_secret_v1: kubernetes("secrets"),
  helm_release: row(
    [
      {
        phase: "read",
        plane: "data",
        actions: ["Microsoft.ContainerService/managedClusters/secrets/read"],
        why: "Helm keeps each release in Secrets of its namespace; plan reads them",
      },
      {
        phase: "write",
        plane: "data",
        actions: ["Microsoft.ContainerService/managedClusters/*"],
        why: "a chart installs objects of any kind (CRDs, cluster roles, webhooks)",
      },
      { phase: "delete", plane: "data", actions: ["Microsoft.ContainerService/managedClusters/*"] },
    ],
    "https://helm.sh/docs/topics/advanced/#storage-backends",
    "https://learn.microsoft.com/azure/aks/manage-azure-rbac",
  ),

  // --- Nothing in Azure ----------------------------------------------------------------------
  terraform_data: NOTHING,
  null_resource: NOTHING,
  time_sleep: NOTHING,
};

/** The row key of a resource (`azurerm_x`) or data source (`data.azurerm_x`) type. */
export function permissionKey(kind: "resource" | "data", type: string): string {
  return kind === "data" ? `data.${type}` : type;
}
