/**
 * Terraform resource types that hold data or a name that cannot be had back quickly: destroying
 * one loses data (storage, databases, vaults, registries), breaks every client (DNS zones), or
 * takes a whole cluster down. They carry prevent_destroy, the address lock guards their
 * addresses, and `npm run diff` flags their removal or replacement.
 */
export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "azurerm_storage_account",
  "azurerm_storage_container",
  "azurerm_key_vault",
  "azurerm_container_registry",
  "azurerm_postgresql_flexible_server",
  "azurerm_postgresql_flexible_server_database",
  "azurerm_cosmosdb_account",
  "azurerm_cosmosdb_sql_database",
  "azurerm_cosmosdb_sql_container",
  "azurerm_dns_zone",
  "azurerm_private_dns_zone",
  "azurerm_kubernetes_cluster",
  "azurerm_resource_group",
  "azurerm_log_analytics_workspace",
  "azurerm_api_management",
]);

export function isStatefulType(terraformType: string): boolean {
  return STATEFUL_RESOURCE_TYPES.has(terraformType);
}
