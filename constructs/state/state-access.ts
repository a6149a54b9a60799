/**
 * The per-scope access to remote state, shared by the two owners of state containers: the
 * `bootstrap-state` stack (its own scope's container) and the `state-scopes` stack (every other
 * scope's container). One container and one plan/apply identity pair per state scope.
 */
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Token } from "cdktf";
import type { Construct } from "constructs";

/** One unit of pipeline access: an environment's container and the identities that plan and apply it. */
export interface StateEnvironment {
  /**
   * Environment token (`at22`, `prod`, `shared`). Part of the Terraform addresses of the role
   * assignments.
   */
  readonly name: string;
  /** Its private container, e.g. `tfstate-at22`. Part of the Terraform address. Changing it replaces the container. */
  readonly containerName: string;
  /**
   * Object ID of the identity behind the environment's plan service connection. It gets
   * `Storage Blob Data Reader` on this container only, so plans must run with `-lock=false`.
   */
  readonly planPrincipalId: string;
  /**
   * Object ID of the identity behind the environment's apply service connection. It gets
   * `Storage Blob Data Contributor` on this container only, without blob delete.
   */
  readonly applyPrincipalId: string;
  /**
   * Other environments whose state this environment's plan and apply identities may read (for
   * `terraform_remote_state`, e.g. org stacks in `shared`).
   * @default []
   */
  readonly readsStateOf?: readonly string[];
}

/**
 * ABAC condition on the apply identities' `Storage Blob Data Contributor`: every data action of
 * the role except deleting blobs. Terraform writes state, takes and releases the lease and sets
 * lock metadata, but never deletes a state blob in plan or apply. One line, so Azure returns it
 * exactly as written and plans stay clean.
 */
export const STATE_APPLY_CONDITION =
  "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})))";

const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Built-in role definition ids (Learn: "Azure built-in roles", Storage). */
export const STORAGE_BLOB_DATA_READER_ROLE_ID = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
export const STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";

/** Problems with a list of state environments, one sentence each (names, containers, identities, reads). */
export function stateEnvironmentProblems(environments: readonly StateEnvironment[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const containers = new Set<string>();
  for (const env of environments) {
    if (Token.isUnresolved(env.name) || Token.isUnresolved(env.containerName)) {
      problems.push(
        "environment and container names must be literal strings: they are part of Terraform addresses",
      );
      continue;
    }
    if (!ENVIRONMENT_NAME.test(env.name)) {
      problems.push(
        `environment name "${env.name}" must be 1-24 lowercase letters, digits and hyphens (e.g. "at22")`,
      );
    }
    if (names.has(env.name)) problems.push(`environment "${env.name}" is listed twice`);
    names.add(env.name);
    if (containers.has(env.containerName)) {
      problems.push(
        `container "${env.containerName}" is used by two environments; each environment needs its own, ` +
          "so its identities cannot touch another's state",
      );
    }
    containers.add(env.containerName);

    for (const [field, value] of [
      ["planPrincipalId", env.planPrincipalId],
      ["applyPrincipalId", env.applyPrincipalId],
    ] as const) {
      if (!Token.isUnresolved(value) && !UUID.test(value)) {
        problems.push(`environment "${env.name}": ${field} "${value}" is not an object ID (GUID)`);
      }
    }
    if (
      !Token.isUnresolved(env.planPrincipalId) &&
      env.planPrincipalId.toLowerCase() === env.applyPrincipalId.toLowerCase()
    ) {
      problems.push(
        `environment "${env.name}": plan and apply use the same identity ${env.planPrincipalId}; pull ` +
          "request plans would then be able to write state. Give plan its own service connection",
      );
    }
  }
  for (const env of environments) {
    const seen = new Set<string>();
    for (const other of env.readsStateOf ?? []) {
      if (other === env.name) {
        problems.push(
          `environment "${env.name}" lists itself in readsStateOf; it reads its own state already`,
        );
      } else if (!names.has(other)) {
        problems.push(
          `environment "${env.name}" reads the state of "${other}", which is not listed; ` +
            `known environments: ${[...names].join(", ")}`,
        );
      } else if (seen.has(other)) {
        problems.push(`environment "${env.name}" lists "${other}" twice in readsStateOf`);
      }
      seen.add(other);
    }
  }
  return problems;
}

export interface StateAccess {
  /** Plan identities' `Storage Blob Data Reader` on their own container, by environment name. */
  readonly planAccess: Readonly<Record<string, RoleAssignment>>;
  /** Apply identities' conditioned `Storage Blob Data Contributor`, by environment name. */
  readonly applyAccess: Readonly<Record<string, RoleAssignment>>;
}

/**
 * Per environment: the plan identity reads, the apply identity writes (never deletes) its own
 * container; `readsStateOf` adds reads of other containers. `containerIds` are Resource Manager
 * ids by environment name (a container's data-plane URL is no RBAC scope).
 */
export function grantStateAccess(
  scope: Construct,
  environments: readonly StateEnvironment[],
  containerIds: Readonly<Record<string, string>>,
): StateAccess {
  const planAccess: Record<string, RoleAssignment> = {};
  const applyAccess: Record<string, RoleAssignment> = {};
  for (const env of environments) {
    const own = containerIds[env.name]!;
    planAccess[env.name] = new RoleAssignment(scope, `plan-${env.name}`, {
      scope: own,
      roleDefinitionName: "Storage Blob Data Reader",
      principalId: env.planPrincipalId,
      principalType: "ServicePrincipal",
      description: `terraform plan -lock=false for ${env.name}: reads ${env.containerName}`,
    });
    applyAccess[env.name] = new RoleAssignment(scope, `apply-${env.name}`, {
      scope: own,
      roleDefinitionName: "Storage Blob Data Contributor",
      principalId: env.applyPrincipalId,
      principalType: "ServicePrincipal",
      description: `terraform apply for ${env.name}: writes and locks ${env.containerName}, never deletes`,
      condition: STATE_APPLY_CONDITION,
      conditionVersion: "2.0",
    });
    for (const other of env.readsStateOf ?? []) {
      for (const [role, principalId] of [
        ["plan", env.planPrincipalId],
        ["apply", env.applyPrincipalId],
      ] as const) {
        new RoleAssignment(scope, `${role}-${env.name}-reads-${other}`, {
          scope: containerIds[other]!,
          roleDefinitionName: "Storage Blob Data Reader",
          principalId,
          principalType: "ServicePrincipal",
          description: `terraform ${role} for ${env.name} reads the state of ${other}`,
        });
      }
    }
  }
  return { planAccess, applyAccess };
}
