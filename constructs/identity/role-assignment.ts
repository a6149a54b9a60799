import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import type { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { PrincipalType } from "./settings";

/** Kind of principal. Stating it lets Azure skip the directory lookup that fails for new principals. */
export { PRINCIPAL_TYPES, type PrincipalType } from "./settings";

export interface RoleAssignmentOptions {
  /** Resource ID the role applies to (a resource, resource group or subscription). */
  readonly scope: string;
  /**
   * Built-in role name, e.g. `AcrPull`. Give this or `roleDefinitionId`.
   * @default - `roleDefinitionId` is used
   */
  readonly roleDefinitionName?: string;
  /**
   * Resource ID of a role definition, for custom roles created in the same apply (a name would
   * be looked up before the role exists).
   * @default - `roleDefinitionName` is used
   */
  readonly roleDefinitionId?: string;
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
  if ((options.roleDefinitionName === undefined) === (options.roleDefinitionId === undefined)) {
    throw new ConstructValidationError(
      `${scope.node.path}/${id}`,
      "give exactly one of roleDefinitionName (built-in roles) and roleDefinitionId (custom roles)",
    );
  }
  return new RoleAssignment(scope, id, {
    scope: options.scope,
    ...(options.roleDefinitionName !== undefined
      ? { roleDefinitionName: options.roleDefinitionName }
      : { roleDefinitionId: options.roleDefinitionId }),
    principalId: options.principalId,
    principalType: options.principalType,
    description: options.description,
  });
}
