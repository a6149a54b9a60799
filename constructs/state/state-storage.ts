import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { RoleDefinition } from "@cdktf/provider-azurerm/lib/role-definition";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { Tags } from "../common/tags";
import { suppress } from "../policy/suppressions";
import { HardenedStorageAccount, type StorageReplication } from "../storage/hardened-storage-account";
import {
  grantStateAccess,
  STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID,
  STORAGE_BLOB_DATA_READER_ROLE_ID,
  type StateAccess,
  type StateEnvironment,
  stateEnvironmentProblems,
} from "./state-access";

/** Redundancy of the state account: anything but LRS, so a zone outage cannot take state away. */
export type StateReplication = Exclude<StorageReplication, "LRS">;

export interface StateStorageProps {
  /** Account name: 3-24 lowercase letters and digits, globally unique. Changing this replaces the account. */
  readonly name: string;
  /** Resource group. Changing this replaces the account. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the account. */
  readonly location: string;
  /**
   * Redundancy. Moving between kinds is a Microsoft-run conversion; check before changing it.
   * @default "GZRS"
   */
  readonly replication?: StateReplication;
  /**
   * One container and one plan/apply identity pair per environment owned here (in the fleet:
   * only the `state` scope, whose stack then creates every other scope's container).
   */
  readonly environments: readonly StateEnvironment[];
  /**
   * The environment (one of `environments`) whose identities manage further state containers
   * and their access through Resource Manager (`StateScopes`, the `state-scopes` stack): its
   * apply identity may create containers and assign exactly `Storage Blob Data Reader` and
   * `Storage Blob Data Contributor` on the account, its plan identity reads the account.
   * The custom role is defined on `resourceGroupId` (the resource group holding only the state
   * account): custom roles are assignable at management group, subscription and resource group
   * scopes.
   * @default - nobody: every container is created here
   */
  readonly scopeManager?: { readonly environment: string; readonly resourceGroupId: string };
  /**
   * Subnets of self-hosted pipeline agents (they need the `Microsoft.Storage` service
   * endpoint). At least one of this and `ipRules` is required: Terraform's backend talks to
   * the data plane, which the firewall closes to everyone else.
   * @default []
   */
  readonly allowedSubnetIds?: readonly string[];
  /**
   * Public egress addresses or CIDRs of pipeline agents and operators (no /31 or /32; list
   * single addresses without a prefix).
   * @default []
   */
  readonly ipRules?: readonly string[];
  /**
   * Days a deleted or overwritten state blob version, and a deleted container, stays
   * recoverable (7-365).
   * @default 90
   */
  readonly softDeleteDays?: number;
  /** FinOps tags; `submodule = "storage-account"` is added by the account. */
  readonly tags: Tags;
}

/**
 * The storage behind every stack's remote state (the `bootstrap-<...>` stack, applied once with
 * local state): a hardened, geo- and zone-redundant account with versioning and soft delete, a
 * deny-by-default firewall, a delete lock, one private container per environment, and
 * least-privilege data-plane roles per environment: plan identities read their own container,
 * apply identities write it but cannot delete state. Nothing here grants key or SAS access;
 * shared keys are off.
 */
export class StateStorage extends Construct {
  readonly storage: HardenedStorageAccount;
  /** `CanNotDelete` on the account. */
  readonly deleteLock: ManagementLock;
  /** Resource Manager IDs of the containers, by environment name (role assignment scopes). */
  readonly containerIds: Readonly<Record<string, string>>;
  /** Plan identities' `Storage Blob Data Reader` on their own container, by environment name. */
  readonly planAccess: StateAccess["planAccess"];
  /** Apply identities' conditioned `Storage Blob Data Contributor`, by environment name. */
  readonly applyAccess: StateAccess["applyAccess"];
  /** The scope manager's grants on the account (see `scopeManager`). */
  readonly scopeManagerAccess?: {
    readonly containerWriter: RoleDefinition;
    readonly assignments: readonly RoleAssignment[];
  };
  /** Resource ID of the account. */
  readonly id: string;
  /** Account name (a reference, so users depend on the account). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    this.validate(props);

    const softDeleteDays = props.softDeleteDays ?? 90;
    this.storage = new HardenedStorageAccount(this, "account", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      replication: props.replication ?? "GZRS",
      containers: props.environments.map((e) => e.containerName),
      versioning: true,
      blobSoftDeleteDays: softDeleteDays,
      containerSoftDeleteDays: softDeleteDays,
      infrastructureEncryption: true,
      allowSharedKeyAccess: false,
      networkDefaultAction: "Deny",
      allowedSubnetIds: props.allowedSubnetIds,
      ipRules: props.ipRules,
      tags: props.tags,
    });

    // Resource Manager locks stop deleting the account itself; the blobs are protected by
    // versioning, soft delete and the roles below.
    this.deleteLock = new ManagementLock(this, "delete-lock", {
      name: `${props.name}-do-not-delete`,
      scope: this.storage.id,
      lockLevel: "CanNotDelete",
      notes: "Terraform remote state for the whole fleet. Remove only in a reviewed change.",
    });

    const containerIds: Record<string, string> = {};
    for (const env of props.environments) {
      // The ARM ID, not the data-plane URL: role assignments take Resource Manager scopes.
      containerIds[env.name] = this.storage.containers[env.containerName]!.resourceManagerId;
    }
    this.containerIds = containerIds;

    const access = grantStateAccess(this, props.environments, containerIds);
    this.planAccess = access.planAccess;
    this.applyAccess = access.applyAccess;

    if (props.scopeManager !== undefined) {
      const manager = props.environments.find((e) => e.name === props.scopeManager!.environment)!;
      this.scopeManagerAccess = this.delegateScopes(props.name, manager, props.scopeManager.resourceGroupId);
    }

    this.id = this.storage.id;
    this.name = this.storage.name;
  }

  /**
   * What the `state-scopes` stack's identities need on the account, and nothing more:
   * - apply: a custom role to read the account and read/write blob containers through Resource
   *   Manager (azurerm_storage_container with storage_account_id uses the BlobContainers client:
   *   hashicorp/terraform-provider-azurerm@v4.55.0 internal/services/storage/storage_container_resource.go),
   *   and Role Based Access Control Administrator on the account, constrained by an ABAC
   *   condition to assigning and removing the two state roles (Learn: "Delegate Azure role
   *   assignment management to others with conditions",
   *   https://learn.microsoft.com/azure/role-based-access-control/delegate-role-assignments-overview).
   *   Deleting containers is not granted: they carry prevent_destroy, and the account's lock stays.
   * - plan: Reader on the account (containers and role assignments are Resource Manager reads).
   */
  private delegateScopes(accountName: string, manager: StateEnvironment, resourceGroupId: string) {
    const containerWriter = new RoleDefinition(this, "scope-manager-role", {
      name: `${accountName} state container writer`,
      scope: resourceGroupId,
      description: "Creates Terraform state containers in the fleet's state account (state-scopes stack)",
      permissions: [
        {
          actions: [
            "Microsoft.Storage/storageAccounts/read",
            "Microsoft.Storage/storageAccounts/blobServices/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/read",
            "Microsoft.Storage/storageAccounts/blobServices/containers/write",
          ],
          notActions: [],
        },
      ],
      assignableScopes: [resourceGroupId],
    });
    const roles = [STORAGE_BLOB_DATA_READER_ROLE_ID, STORAGE_BLOB_DATA_CONTRIBUTOR_ROLE_ID].join(", ");
    const assignments = [
      new RoleAssignment(this, "scope-manager-containers", {
        scope: this.storage.id,
        roleDefinitionId: containerWriter.roleDefinitionResourceId,
        principalId: manager.applyPrincipalId,
        principalType: "ServicePrincipal",
        description: `terraform apply for ${manager.name}: creates the other scopes' state containers`,
      }),
      new RoleAssignment(this, "scope-manager-access", {
        scope: this.storage.id,
        roleDefinitionName: "Role Based Access Control Administrator",
        principalId: manager.applyPrincipalId,
        principalType: "ServicePrincipal",
        description: `terraform apply for ${manager.name}: grants the state roles on the other scopes' containers`,
        condition: stateRolesOnlyCondition(roles),
        conditionVersion: "2.0",
      }),
      new RoleAssignment(this, "scope-manager-read", {
        scope: this.storage.id,
        roleDefinitionName: "Reader",
        principalId: manager.planPrincipalId,
        principalType: "ServicePrincipal",
        description: `terraform plan for ${manager.name}: reads the containers and their role assignments`,
      }),
    ];
    suppress(
      assignments[1]!,
      "AZ-ID-002",
      "Constrained delegation: the ABAC condition lets this identity assign and remove only Storage Blob Data " +
        "Reader and Storage Blob Data Contributor, on the state account only (Learn: delegate role assignment " +
        "management with conditions); it is how the pipeline grants a new scope its state access.",
    );
    return { containerWriter, assignments };
  }

  private validate(props: StateStorageProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if ((props.replication as StorageReplication | undefined) === "LRS") {
      throw err('replication "LRS" keeps state in one zone; use "GZRS" (the default), "ZRS" or a geo kind');
    }
    const days = props.softDeleteDays;
    if (
      days !== undefined &&
      !Token.isUnresolved(days) &&
      (!Number.isInteger(days) || days < 7 || days > 365)
    ) {
      throw err(`softDeleteDays ${days} must be a whole number of days from 7 to 365`);
    }
    if ((props.allowedSubnetIds ?? []).length === 0 && (props.ipRules ?? []).length === 0) {
      throw err(
        "neither allowedSubnetIds nor ipRules is set: the firewall would shut the pipeline agents out of " +
          "the state; list the agents' subnets or public egress addresses",
      );
    }

    if (props.environments.length === 0) {
      throw err("environments is empty; list one container and plan/apply identity pair per environment");
    }
    const problems = stateEnvironmentProblems(props.environments);
    const manager = props.scopeManager?.environment;
    if (manager !== undefined && !props.environments.some((e) => e.name === manager)) {
      problems.push(`scopeManager "${manager}" is none of the environments listed here`);
    }
    if (problems.length > 0) throw err(problems.join("; "));
  }
}

/**
 * ABAC condition for Role Based Access Control Administrator: role assignments may be written and
 * deleted only for the listed role definition ids (Learn: "Examples to delegate Azure role
 * assignment management with conditions", constrain roles). One line, as Azure returns it.
 */
export function stateRolesOnlyCondition(roleIds: string): string {
  return (
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR " +
    `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleIds}})) AND ` +
    "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR " +
    `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${roleIds}}))`
  );
}
