import { ManagementLock } from "@cdktf/provider-azurerm/lib/management-lock";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { Tags } from "../common/tags";
import { HardenedStorageAccount, type StorageReplication } from "../storage/hardened-storage-account";

/** Redundancy of the state account: anything but LRS, so a zone outage cannot take state away. */
export type StateReplication = Exclude<StorageReplication, "LRS">;

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
  /** One container and one plan/apply identity pair per environment. */
  readonly environments: readonly StateEnvironment[];
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
 * ABAC condition on the apply identities' `Storage Blob Data Contributor`: every data action of
 * the role except deleting blobs. Terraform writes state, takes and releases the lease and sets
 * lock metadata, but never deletes a state blob in plan or apply. One line, so Azure returns it
 * exactly as written and plans stay clean.
 */
export const STATE_APPLY_CONDITION =
  "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})))";

const ENVIRONMENT_NAME = /^[a-z0-9][a-z0-9-]{0,23}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  readonly planAccess: Readonly<Record<string, RoleAssignment>>;
  /** Apply identities' conditioned `Storage Blob Data Contributor`, by environment name. */
  readonly applyAccess: Readonly<Record<string, RoleAssignment>>;
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

    const planAccess: Record<string, RoleAssignment> = {};
    const applyAccess: Record<string, RoleAssignment> = {};
    for (const env of props.environments) {
      const own = containerIds[env.name]!;
      planAccess[env.name] = new RoleAssignment(this, `plan-${env.name}`, {
        scope: own,
        roleDefinitionName: "Storage Blob Data Reader",
        principalId: env.planPrincipalId,
        principalType: "ServicePrincipal",
        description: `terraform plan -lock=false for ${env.name}: reads ${env.containerName}`,
      });
      applyAccess[env.name] = new RoleAssignment(this, `apply-${env.name}`, {
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
          new RoleAssignment(this, `${role}-${env.name}-reads-${other}`, {
            scope: containerIds[other]!,
            roleDefinitionName: "Storage Blob Data Reader",
            principalId,
            principalType: "ServicePrincipal",
            description: `terraform ${role} for ${env.name} reads the state of ${other}`,
          });
        }
      }
    }
    this.planAccess = planAccess;
    this.applyAccess = applyAccess;

    this.id = this.storage.id;
    this.name = this.storage.name;
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
    const names = new Set<string>();
    const containers = new Set<string>();
    for (const env of props.environments) {
      if (Token.isUnresolved(env.name) || Token.isUnresolved(env.containerName)) {
        throw err(
          "environment and container names must be literal strings: they are part of Terraform addresses",
        );
      }
      if (!ENVIRONMENT_NAME.test(env.name)) {
        throw err(
          `environment name "${env.name}" must be 1-24 lowercase letters, digits and hyphens (e.g. "at22")`,
        );
      }
      if (names.has(env.name)) throw err(`environment "${env.name}" is listed twice`);
      names.add(env.name);
      if (containers.has(env.containerName)) {
        throw err(
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
          throw err(`environment "${env.name}": ${field} "${value}" is not an object ID (GUID)`);
        }
      }
      if (
        !Token.isUnresolved(env.planPrincipalId) &&
        env.planPrincipalId.toLowerCase() === env.applyPrincipalId.toLowerCase()
      ) {
        throw err(
          `environment "${env.name}": plan and apply use the same identity ${env.planPrincipalId}; pull ` +
            "request plans would then be able to write state. Give plan its own service connection",
        );
      }
    }

    for (const env of props.environments) {
      const seen = new Set<string>();
      for (const other of env.readsStateOf ?? []) {
        if (other === env.name) {
          throw err(`environment "${env.name}" lists itself in readsStateOf; it reads its own state already`);
        }
        if (!names.has(other)) {
          throw err(
            `environment "${env.name}" reads the state of "${other}", which is not listed; ` +
              `known environments: ${[...names].join(", ")}`,
          );
        }
        if (seen.has(other)) throw err(`environment "${env.name}" lists "${other}" twice in readsStateOf`);
        seen.add(other);
      }
    }
  }
}
