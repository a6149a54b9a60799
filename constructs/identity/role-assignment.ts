import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { Construct } from "constructs";

/** Kind of principal. Stating it lets Azure skip the directory lookup that fails for new principals. */
export type PrincipalType = "ServicePrincipal" | "Group" | "User";

export interface RoleAssignmentOptions {
  /** Resource ID the role applies to (a resource, resource group or subscription). */
  readonly scope: string;
  /** Built-in or custom role name, e.g. `AcrPull`. */
  readonly roleDefinitionName: string;
  /** Object (principal) ID of the identity, group or user. */
  readonly principalId: string;
  /** Managed identities, including the AKS kubelet identity, are `ServicePrincipal`. */
  readonly principalType: PrincipalType;
  /**
   * Why the assignment exists, shown in the portal.
   * @default - none
   */
  readonly description?: string;
}

/**
 * One `azurerm_role_assignment`, e.g. `AcrPull` for a cluster's kubelet identity on the org
 * registry. Changing any option replaces the assignment.
 */
export function roleAssignment(scope: Construct, id: string, options: RoleAssignmentOptions): RoleAssignment {
  return new RoleAssignment(scope, id, {
    scope: options.scope,
    roleDefinitionName: options.roleDefinitionName,
    principalId: options.principalId,
    principalType: options.principalType,
    description: options.description,
  });
}
