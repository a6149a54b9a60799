/**
 * Which Azure resource provider namespace each azurerm resource type the fleet emits belongs to:
 * the one table the bootstrap stack derives its registrations from (and that the permissions
 * table may read). Every azurerm provider in the fleet runs with
 * `resource_provider_registrations = "none"` (stacks/fleet-stack.ts); the bootstrap stack,
 * applied by a person who may register providers, registers these namespaces once per
 * subscription. A test fails naming the resource type when the synthesized output has a type
 * without a row here.
 *
 * Namespaces: Microsoft Learn, "Resource providers for Azure services"
 * (https://learn.microsoft.com/azure/azure-resource-manager/management/azure-services-resource-providers),
 * and the provider's clients per service (hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/<service>/client/client.go).
 */

/** Managed azurerm resource type -> the namespace(s) Azure needs registered to create it. */
export const RESOURCE_PROVIDER_OF: Readonly<Record<string, readonly string[]>> = {
  azurerm_api_management: ["Microsoft.ApiManagement"],
  azurerm_api_management_custom_domain: ["Microsoft.ApiManagement"],
  azurerm_application_insights: ["Microsoft.Insights"],
  azurerm_container_registry: ["Microsoft.ContainerRegistry"],
  azurerm_cosmosdb_account: ["Microsoft.DocumentDB"],
  azurerm_cosmosdb_sql_container: ["Microsoft.DocumentDB"],
  azurerm_cosmosdb_sql_database: ["Microsoft.DocumentDB"],
  azurerm_dns_a_record: ["Microsoft.Network"],
  azurerm_dns_caa_record: ["Microsoft.Network"],
  azurerm_dns_ns_record: ["Microsoft.Network"],
  azurerm_dns_zone: ["Microsoft.Network"],
  azurerm_federated_identity_credential: ["Microsoft.ManagedIdentity"],
  azurerm_key_vault: ["Microsoft.KeyVault"],
  // AKS builds its node pools as virtual machine scale sets in the node resource group, and
  // encryption at host is a Microsoft.Compute feature (bootstrap registers it).
  azurerm_kubernetes_cluster: ["Microsoft.ContainerService", "Microsoft.Compute"],
  azurerm_kubernetes_cluster_node_pool: ["Microsoft.ContainerService", "Microsoft.Compute"],
  azurerm_log_analytics_workspace: ["Microsoft.OperationalInsights"],
  azurerm_management_lock: ["Microsoft.Authorization"],
  // Data collection rules and their associations (Container Insights).
  azurerm_monitor_data_collection_rule: ["Microsoft.Insights"],
  azurerm_monitor_data_collection_rule_association: ["Microsoft.Insights"],
  azurerm_monitor_data_collection_endpoint: ["Microsoft.Insights"],
  azurerm_monitor_private_link_scope: ["Microsoft.Insights"],
  azurerm_monitor_private_link_scoped_service: ["Microsoft.Insights"],
  azurerm_network_security_group: ["Microsoft.Network"],
  azurerm_network_security_rule: ["Microsoft.Network"],
  azurerm_postgresql_flexible_server: ["Microsoft.DBforPostgreSQL"],
  azurerm_postgresql_flexible_server_active_directory_administrator: ["Microsoft.DBforPostgreSQL"],
  azurerm_postgresql_flexible_server_configuration: ["Microsoft.DBforPostgreSQL"],
  azurerm_postgresql_flexible_server_database: ["Microsoft.DBforPostgreSQL"],
  azurerm_private_dns_zone: ["Microsoft.Network"],
  azurerm_private_dns_zone_virtual_network_link: ["Microsoft.Network"],
  azurerm_private_endpoint: ["Microsoft.Network"],
  azurerm_public_ip: ["Microsoft.Network"],
  azurerm_resource_group: ["Microsoft.Resources"],
  azurerm_role_assignment: ["Microsoft.Authorization"],
  azurerm_role_definition: ["Microsoft.Authorization"],
  azurerm_storage_account: ["Microsoft.Storage"],
  azurerm_storage_container: ["Microsoft.Storage"],
  azurerm_subnet: ["Microsoft.Network"],
  azurerm_subnet_network_security_group_association: ["Microsoft.Network"],
  azurerm_user_assigned_identity: ["Microsoft.ManagedIdentity"],
  azurerm_virtual_network: ["Microsoft.Network"],
  azurerm_virtual_network_peering: ["Microsoft.Network"],
};

/**
 * Namespaces registered in every subscription from the start; they are never listed for
 * registration (Learn: "Azure resource providers and types", which names the providers
 * registered by default:
 * https://learn.microsoft.com/azure/azure-resource-manager/management/resource-providers-and-types).
 */
export const ALWAYS_REGISTERED: readonly string[] = ["Microsoft.Authorization", "Microsoft.Resources"];

/** Resource types of the azurerm provider (the only ones that need a namespace row). */
export function isAzurermType(type: string): boolean {
  return type.startsWith("azurerm_");
}

/** azurerm resource types in `types` that have no row in RESOURCE_PROVIDER_OF. */
export function typesWithoutNamespace(types: Iterable<string>): string[] {
  return [...new Set(types)].filter((t) => isAzurermType(t) && RESOURCE_PROVIDER_OF[t] === undefined).sort();
}

/** The namespaces `types` need registered, sorted, without those registered everywhere already. */
export function namespacesToRegister(types: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const type of types) {
    for (const ns of RESOURCE_PROVIDER_OF[type] ?? []) if (!ALWAYS_REGISTERED.includes(ns)) out.add(ns);
  }
  return [...out].sort();
}

/** What the bootstrap stack registers in every fleet subscription: the namespaces of every row. */
export const FLEET_RESOURCE_PROVIDERS: readonly string[] = namespacesToRegister(
  Object.keys(RESOURCE_PROVIDER_OF),
);
