/**
 * Azure built-in role definitions the fleet's pipeline identities are given (environments/fleet.yaml,
 * `pipelineRoles`), as data: id, Actions, NotActions, DataActions, NotDataActions, and the Learn page
 * that lists them. Built-in role ids are the same in every tenant and cloud
 * (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
import type { RolePermissions } from "./actions";

export interface RoleDefinitionData extends RolePermissions {
  /** The role definition's GUID (`/providers/Microsoft.Authorization/roleDefinitions/<id>`). */
  readonly id: string;
  /** Where its permissions are listed. */
  readonly source: string;
}

const LEARN = "https://learn.microsoft.com/azure/role-based-access-control/built-in-roles";

export const BUILTIN_ROLES: Readonly<Record<string, RoleDefinitionData>> = {
  Reader: {
    id: "acdd72a7-3385-48ef-bd42-f606fba81ae7",
    source: `${LEARN}/general#reader`,
    actions: ["*/read"],
  },
  Contributor: {
    id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
    source: `${LEARN}/privileged#contributor`,
    actions: ["*"],
    notActions: [
      "Microsoft.Authorization/*/Delete",
      "Microsoft.Authorization/*/Write",
      "Microsoft.Authorization/elevateAccess/Action",
      "Microsoft.Blueprint/blueprintAssignments/write",
      "Microsoft.Blueprint/blueprintAssignments/delete",
      "Microsoft.Compute/galleries/share/action",
      "Microsoft.Purview/consents/write",
      "Microsoft.Purview/consents/delete",
      "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
      "Microsoft.Subscription/cancel/action",
      "Microsoft.Subscription/enable/action",
    ],
  },
  Owner: {
    id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
    source: `${LEARN}/privileged#owner`,
    actions: ["*"],
  },
  "Role Based Access Control Administrator": {
    id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    source: `${LEARN}/privileged#role-based-access-control-administrator`,
    // Role assignments only: no roleDefinitions/write, no locks, no policy.
    actions: [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleAssignments/delete",
      "*/read",
      "Microsoft.Support/*",
    ],
  },
  "User Access Administrator": {
    id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    source: `${LEARN}/privileged#user-access-administrator`,
    actions: ["*/read", "Microsoft.Authorization/*", "Microsoft.Support/*"],
  },
  "Network Contributor": {
    id: "4d97b98b-1d4f-4787-a291-c67834d212e7",
    source: `${LEARN}/networking#network-contributor`,
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Network/*",
      "Microsoft.ResourceHealth/availabilityStatuses/read",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
    ],
  },
  "Storage Blob Data Reader": {
    id: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1",
    source: `${LEARN}/storage#storage-blob-data-reader`,
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: ["Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"],
  },
  "Storage Blob Data Contributor": {
    id: "ba92f5b4-2d11-453d-a403-e96b0029c9fe",
    source: `${LEARN}/storage#storage-blob-data-contributor`,
    actions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/write",
      "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action",
    ],
    dataActions: [
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action",
      "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action",
    ],
  },
  "Azure Kubernetes Service Cluster User Role": {
    id: "4abbcc35-e782-43d8-92c5-2d3f1bd2253f",
    source: `${LEARN}/containers#azure-kubernetes-service-cluster-user-role`,
    actions: [
      "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      "Microsoft.ContainerService/managedClusters/read",
    ],
  },
  "Azure Kubernetes Service RBAC Cluster Admin": {
    id: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b",
    source: `${LEARN}/containers#azure-kubernetes-service-rbac-cluster-admin`,
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Resources/subscriptions/operationresults/read",
      "Microsoft.Resources/subscriptions/read",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
    ],
    dataActions: ["Microsoft.ContainerService/managedClusters/*"],
  },
};
