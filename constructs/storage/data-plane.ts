/**
 * What needs the storage data plane (blob, queue, table, file and Data Lake endpoints) when
 * Terraform plans or applies it. Every storage account in the fleet has a deny-by-default
 * firewall, and every azurerm provider runs with `features.storage.data_plane_available = false`
 * (stacks/fleet-stack.ts), so none of these may appear in the synthesized output: the pipeline
 * agents would be refused, or the provider errors at plan time.
 *
 * Sources: hashicorp/terraform-provider-azurerm@v4.55.0, `internal/services/storage/<file>`.
 */

/** Resource types whose create, read or delete always calls the data plane. */
export const DATA_PLANE_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  azurerm_storage_blob: "storage_blob_resource.go (BlobsDataPlaneClient)",
  azurerm_storage_table: "storage_table_resource.go (TablesDataPlaneClient)",
  azurerm_storage_table_entity: "storage_table_entity_resource.go (TableEntityDataPlaneClient)",
  azurerm_storage_share_file: "storage_share_file_resource.go (FileShareFilesDataPlaneClient)",
  azurerm_storage_share_directory:
    "storage_share_directory_resource.go (FileShareDirectoriesDataPlaneClient)",
  azurerm_storage_data_lake_gen2_filesystem:
    "storage_data_lake_gen2_filesystem_resource.go (DataLakeFilesystemsDataPlaneClient)",
  azurerm_storage_data_lake_gen2_path:
    "storage_data_lake_gen2_path_resource.go (DataLakeFilesystemsDataPlaneClient)",
  azurerm_storage_account_queue_properties:
    "storage_account_queue_properties_resource.go (QueuesDataPlaneClient)",
  azurerm_storage_account_static_website:
    "storage_account_static_website_resource.go (AccountsDataPlaneClient)",
};

/**
 * Resource types that use the data plane only when addressed by `storage_account_name` (the
 * deprecated form); with `storage_account_id` they go through Resource Manager
 * (storage_container_resource.go, storage_queue_resource.go, storage_share_resource.go:
 * `ExactlyOneOf storage_account_id, storage_account_name`).
 */
export const DATA_PLANE_WHEN_ADDRESSED_BY_NAME: Readonly<Record<string, string>> = {
  azurerm_storage_container: "storage_container_resource.go",
  azurerm_storage_queue: "storage_queue_resource.go",
  azurerm_storage_share: "storage_share_resource.go",
};

/**
 * Blocks of `azurerm_storage_account` written over the data plane; with `data_plane_available =
 * false` the provider refuses them (storage_account_resource.go: "cannot configure
 * 'queue_properties' when the Provider Feature 'data_plane_available' is set to 'false'").
 */
export const DATA_PLANE_ACCOUNT_BLOCKS: readonly string[] = ["queue_properties", "static_website"];

/** One line per resource in a synthesized stack (`resource` object of cdk.tf.json) that needs the data plane. */
export function dataPlaneUses(
  resources: Readonly<Record<string, Readonly<Record<string, unknown>>>>,
): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, config] of Object.entries(byName as Record<string, Record<string, unknown>>)) {
      const address = `${type}.${name}`;
      if (DATA_PLANE_RESOURCE_TYPES[type] !== undefined) {
        out.push(`${address}: ${type} needs the data plane (${DATA_PLANE_RESOURCE_TYPES[type]})`);
      } else if (
        DATA_PLANE_WHEN_ADDRESSED_BY_NAME[type] !== undefined &&
        config.storage_account_name !== undefined
      ) {
        out.push(`${address}: storage_account_name reaches the data plane; use storage_account_id`);
      } else if (type === "azurerm_storage_account") {
        for (const block of DATA_PLANE_ACCOUNT_BLOCKS) {
          if (config[block] !== undefined) out.push(`${address}: ${block} is written over the data plane`);
        }
      }
    }
  }
  return out;
}
