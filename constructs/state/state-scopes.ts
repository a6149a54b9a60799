import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { statefulLifecycle } from "../common";
import { ConstructValidationError } from "../common/errors";
import { checkName, NAMING_RULES } from "../naming/rules";
import {
  grantStateAccess,
  STATE_APPLY_CONDITION,
  type StateAccess,
  type StateEnvironment,
  stateEnvironmentProblems,
} from "./state-access";

export interface StateScopesProps {
  /**
   * Resource Manager id of the state account (`StateStorage`, another stack): derived from
   * declared names, so planning needs no read of it.
   */
  readonly storageAccountId: string;
  /** One container and one plan/apply identity pair per state scope. */
  readonly environments: readonly StateEnvironment[];
  /**
   * Object ID of the identity that creates the state blobs of never-applied stacks before they
   * are planned (`pipeline init-state`, the `state` scope's apply identity): `terraform init`
   * writes an empty state under a lease when the blob is missing, which the plan identities may
   * not. It gets the apply identities' conditioned Storage Blob Data Contributor (no blob delete)
   * on every container here.
   * @default none
   */
  readonly initializerPrincipalId?: string;
}

/**
 * The state containers of every state scope but the one that applies them, with the same
 * per-scope access as `StateStorage` gives its own: the `state-scopes` stack, planned and
 * applied by the pipeline before every other scope, so a new environment's container and
 * access exist before its first `terraform init`. Containers go through Resource Manager
 * (`storage_account_id`), never the account's firewalled data plane.
 */
export class StateScopes extends Construct {
  /** Containers by environment name. */
  readonly containers: Readonly<Record<string, StorageContainer>>;
  /** Resource Manager ids of the containers, by environment name. */
  readonly containerIds: Readonly<Record<string, string>>;
  readonly planAccess: StateAccess["planAccess"];
  readonly applyAccess: StateAccess["applyAccess"];
  /** The initializer's access, by environment name (empty without `initializerPrincipalId`). */
  readonly initAccess: Readonly<Record<string, RoleAssignment>>;

  constructor(scope: Construct, id: string, props: StateScopesProps) {
    super(scope, id);
    const problems = stateEnvironmentProblems(props.environments);
    for (const env of props.environments) {
      if (Token.isUnresolved(env.containerName)) continue;
      const problem = checkName(NAMING_RULES.blobContainer, env.containerName);
      if (problem) problems.push(`container "${env.containerName}": ${problem}`);
    }
    if (problems.length > 0) throw new ConstructValidationError(this.node.path, problems.join("; "));

    const containers: Record<string, StorageContainer> = {};
    const containerIds: Record<string, string> = {};
    for (const env of props.environments) {
      // Same construct id as HardenedStorageAccount's containers: `container-<name>`.
      const container = new StorageContainer(this, `container-${env.containerName}`, {
        name: env.containerName,
        storageAccountId: props.storageAccountId,
        containerAccessType: "private",
        lifecycle: statefulLifecycle(),
      });
      containers[env.name] = container;
      containerIds[env.name] = container.resourceManagerId;
    }
    this.containers = containers;
    this.containerIds = containerIds;
    const access = grantStateAccess(this, props.environments, containerIds);
    this.planAccess = access.planAccess;
    this.applyAccess = access.applyAccess;
    const initAccess: Record<string, RoleAssignment> = {};
    const initializer = props.initializerPrincipalId;
    if (initializer !== undefined) {
      for (const env of props.environments) {
        initAccess[env.name] = new RoleAssignment(this, `init-${env.name}`, {
          scope: containerIds[env.name]!,
          roleDefinitionName: "Storage Blob Data Contributor",
          principalId: initializer,
          principalType: "ServicePrincipal",
          description: `pipeline init-state: creates missing state blobs in ${env.containerName}, never deletes`,
          condition: STATE_APPLY_CONDITION,
          conditionVersion: "2.0",
        });
      }
    }
    this.initAccess = initAccess;
  }
}
