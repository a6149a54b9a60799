/**
 * The fleet model: Altinn's registry files plus the project's own settings, resolved into one
 * typed description of every unit of state. Everything downstream (stacks, pipeline matrix,
 * docs) reads this model, never the files.
 */
import type { AppsNames, OrgNames, PlatformNames, SharedEnvironmentNames } from "../constructs/naming";

// ---- Altinn's published formats (environments/altinn-orgs.json, environments/environments.json)

export interface RegistryOrg {
  readonly name: { readonly en: string; readonly nb: string; readonly nn: string };
  readonly orgnr: string;
  readonly environments: readonly string[];
  readonly logo?: string;
  readonly emblem?: string;
  readonly homepage?: string;
}

export interface RegistryEnvironment {
  readonly name: string;
  readonly hostname: string;
  readonly type: EnvironmentClassName;
  readonly platformUrl: string;
  readonly appPrefix: string;
  readonly platformPrefix: string;
}

// ---- The project's own settings (environments/fleet.yaml)

export type EnvironmentClassName = "test" | "production";
export type AksSkuTierSetting = "Free" | "Standard" | "Premium";
export type UpgradeChannelSetting = "patch" | "stable" | "rapid" | "node-image" | "none";
export type NodeOsChannelSetting = "NodeImage" | "SecurityPatch" | "Unmanaged" | "None";
export type StorageReplicationSetting = "LRS" | "ZRS" | "GRS" | "GZRS" | "RAGRS" | "RAGZRS";
export type KeyVaultSkuSetting = "standard" | "premium";
export type RegistrySkuSetting = "Basic" | "Standard" | "Premium";
export type DayOfWeek = "Monday" | "Tuesday" | "Wednesday" | "Thursday" | "Friday" | "Saturday" | "Sunday";

export interface MaintenanceWindowSetting {
  readonly frequency: "Weekly" | "Daily";
  readonly dayOfWeek?: DayOfWeek;
  /** "HH:MM", UTC unless utcOffset says otherwise. */
  readonly startTime: string;
  readonly durationHours: number;
  readonly utcOffset?: string;
}

export interface NodePoolSetting {
  readonly name: string;
  readonly vmSize: string;
  readonly minCount: number;
  readonly maxCount: number;
}

/** Everything that decides one cluster environment; resolved per org and environment. */
export interface ClusterSettings {
  readonly kubernetesVersion: string;
  readonly skuTier: AksSkuTierSetting;
  readonly apiServerAuthorizedIpRanges: readonly string[];
  readonly automaticUpgradeChannel: UpgradeChannelSetting;
  readonly nodeOsUpgradeChannel: NodeOsChannelSetting;
  readonly maintenance: {
    readonly autoUpgrade: MaintenanceWindowSetting;
    readonly nodeOs: MaintenanceWindowSetting;
  };
  readonly nodePools: { readonly system: NodePoolSetting; readonly user: NodePoolSetting };
  readonly zones: readonly string[];
  readonly storage: { readonly replication: StorageReplicationSetting };
  readonly keyVault: { readonly sku: KeyVaultSkuSetting; readonly softDeleteRetentionDays: number };
  readonly logAnalytics: { readonly retentionInDays: number };
  readonly ingress: { readonly replicas: number };
}

/** A partial override of cluster settings (any depth). */
export type ClusterSettingsOverride = DeepPartial<ClusterSettings>;

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

export type { AddressPlanSettings } from "./address-plan";

import type { AddressPlanSettings } from "./address-plan";

export interface StateSettings {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  /** Container name pattern; `{env}` is replaced by the environment token or `shared`. */
  readonly containerPattern: string;
  /**
   * Per state scope (environment token, Studio environment or `shared`): the Entra object ids of
   * the pipeline identities that plan (read) and apply (write) that scope's stacks, and the name
   * of their Azure role set in `pipelineRoles.sets`.
   */
  readonly principals: Readonly<
    Record<string, { readonly plan: string; readonly apply: string; readonly roles: string }>
  >;
  /**
   * Public egress ranges allowed through the state account's firewall: build agents outside the
   * account's region. Storage IP rules never match requests from the same Azure region.
   */
  readonly allowedIpRanges: readonly string[];
  /**
   * Resource ids of the subnets of build agents in the account's region (each subnet needs the
   * `Microsoft.Storage` service endpoint). At least one of this and `allowedIpRanges` is set.
   */
  readonly allowedSubnetIds?: readonly string[];
}

export type PrincipalTypeSetting = "Group" | "User" | "ServicePrincipal";

export interface EntraPrincipalSetting {
  readonly objectId: string;
  readonly principalName: string;
  readonly principalType: PrincipalTypeSetting;
}

export interface PostgresSetting {
  readonly sku: string;
  readonly version: string;
  readonly storageMb: number;
  readonly backupRetentionDays: number;
  readonly highAvailability: boolean;
  readonly geoRedundantBackup: boolean;
}

export interface PlatformClassSettings {
  readonly apiManagementSku: string;
  readonly postgres: PostgresSetting;
  readonly cosmosMaxThroughput: number;
  readonly storageReplication: StorageReplicationSetting;
}

export interface StudioClassSettings {
  readonly postgres: PostgresSetting;
  readonly storageReplication: StorageReplicationSetting;
}

/**
 * The TLS certificate API Management serves `platform.{hostname}` with: a Key Vault certificate
 * (`GATEWAY_CERTIFICATE_NAME`) that the officers import into each Platform Key Vault. The custom
 * domain is created only in the environments listed in `imported` (README "Platform gateway
 * certificate").
 */
export interface GatewayCertificateSetting {
  /** Who may import the certificate (`Key Vault Certificates Officer` on the Platform Key Vault). */
  readonly officers: EntraPrincipalSetting;
  /** CAs that issue it, e.g. `digicert.com` (CAA records of `platform.{hostname}`). */
  readonly caaIssuers: readonly string[];
  /** Environments (names as in environments.json) whose Key Vault holds the certificate. */
  readonly imported: readonly string[];
}

export interface PlatformSettings {
  /** Cluster settings on top of the environment class's. */
  readonly cluster?: ClusterSettingsOverride;
  readonly classes: Readonly<Record<EnvironmentClassName, PlatformClassSettings>>;
  readonly apiManagementPublisher: { readonly name: string; readonly email: string };
  readonly cosmosFailoverLocation: string;
  readonly gatewayCertificate: GatewayCertificateSetting;
  readonly cosmosContainers: readonly { readonly name: string; readonly partitionKey: string }[];
  readonly databaseAdmin: EntraPrincipalSetting;
  readonly postgresDatabases: readonly string[];
}

export interface StudioEnvironmentSetting {
  readonly name: string;
  readonly hostname: string;
  readonly type: EnvironmentClassName;
}

export interface StudioSettings {
  readonly environments: readonly StudioEnvironmentSetting[];
  readonly cluster?: ClusterSettingsOverride;
  readonly classes: Readonly<Record<EnvironmentClassName, StudioClassSettings>>;
  readonly databaseAdmin: EntraPrincipalSetting;
  readonly postgresDatabases: readonly string[];
}

export interface FleetSettings {
  readonly location: string;
  readonly repository: string;
  /** Who runs the shared environments (Platform, Studio): their FinOps service owner. */
  readonly operator: { readonly code: string; readonly orgnr: string };
  readonly nameTokens: Readonly<Record<string, string>>;
  readonly retiredEnvironments: Readonly<Record<string, string>>;
  readonly state: StateSettings;
  /**
   * The Azure subscription of every state scope, and `bootstrap`: where the state account lives
   * (the `bootstrap-state` and `state-scopes` stacks). Every stack's azurerm provider sets
   * `subscription_id` from here.
   */
  readonly subscriptions: Readonly<Record<string, string>>;
  readonly clusterAdminGroupObjectIds: Readonly<Record<EnvironmentClassName, readonly string[]>>;
  readonly registry: { readonly sku: RegistrySkuSetting };
  readonly environmentClasses: Readonly<Record<EnvironmentClassName, ClusterSettings>>;
  readonly environments: Readonly<Record<string, ClusterSettingsOverride>>;
  readonly orgs: Readonly<
    Record<
      string,
      {
        readonly orgnr?: string;
        readonly all?: ClusterSettingsOverride;
        readonly environments?: Readonly<Record<string, ClusterSettingsOverride>>;
      }
    >
  >;
  readonly addressPlan: AddressPlanSettings;
  /** Orgs, or an org's environments, whose stacks are destroyed deliberately (README "Decommission an organisation"). */
  readonly decommission?: Readonly<Record<string, DecommissionSetting>>;
  readonly platform: PlatformSettings;
  readonly studio: StudioSettings;
  readonly services?: ServicesSettings;
  readonly operators: OperatorsSettings;
  readonly pipelineRoles: PipelineRolesSettings;
  /** How apply stages roll a change out within a scope (cli/rollout.ts; defaults there). */
  readonly rollout?: RolloutSettings;
}

/**
 * fleet.yaml `rollout`: within a scope, each dependency wave applies the canary orgs first, then
 * the other orgs in `batches` batches, and the scope stops once more failed than the budget allows.
 */
export interface RolloutSettings {
  /** Org codes applied first in every scope they run in. */
  readonly canaries?: readonly string[];
  /** How many batches the other orgs of a wave are split into (by a hash of the org code). */
  readonly batches?: number;
  /** Stop the scope when more than `stacks` stacks, or more than `percent`% of those applied so far, failed. */
  readonly failureBudget?: { readonly stacks?: number; readonly percent?: number };
}

/**
 * `decommission.<org>` in fleet.yaml: what of an org that left the registry (or left some of its
 * environments) is destroyed. Its stacks keep being synthesized, in destroy mode, until the entry
 * is removed after the destruction was applied.
 */
export interface DecommissionSetting {
  /** Environments (names as in environments.json) whose `apps-<org>-<env>` and `-k8s` stacks are destroyed. */
  readonly environments?: readonly string[];
  /** Destroy `org-<org>`, the org's container registry (only once no Apps environment of the org is left). */
  readonly registry?: boolean;
  /**
   * The second, explicit setting: let the destruction take the stateful resources too (storage,
   * vaults, databases, registries, clusters, resource groups). Without it they keep
   * `prevent_destroy` and the destroy plan fails, naming each of them.
   */
  readonly destroyStatefulResources?: boolean;
}

/**
 * One Azure role assignment of a pipeline identity: a role name alone (on the subscription of the
 * identity's own state scope), or the role on another state scope's subscription (`scope`),
 * optionally limited by an ABAC condition to assigning only the listed roles (`onlyRoles`).
 */
export type PipelineRoleAssignmentSetting =
  | string
  | { readonly role: string; readonly scope?: string; readonly onlyRoles?: readonly string[] };

/** A custom role definition the pipeline identities are given (created with them, see README). */
export interface CustomRoleSetting {
  readonly description: string;
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
  readonly dataActions?: readonly string[];
  readonly notDataActions?: readonly string[];
}

/** The Azure roles of the pipeline identities: `npm run permissions` checks them against the output. */
export interface PipelineRolesSettings {
  readonly customRoles: Readonly<Record<string, CustomRoleSetting>>;
  /** Named sets of role assignments for the plan and apply identity of a state scope. */
  readonly sets: Readonly<
    Record<
      string,
      {
        readonly plan: readonly PipelineRoleAssignmentSetting[];
        readonly apply: readonly PipelineRoleAssignmentSetting[];
      }
    >
  >;
}

/** What the in-cluster operators need from Azure (research/altinn.md §6). */
export interface OperatorsSettings {
  /** The per-environment Maskinporten vault the runtime operator reads; `{env}` is the token. */
  readonly maskinportenVault: { readonly name: string; readonly resourceGroup: string };
  /**
   * The configuration-sync database server of every Apps environment (one per org and
   * environment, in its own stack), per environment class.
   */
  readonly configSync: Readonly<Record<EnvironmentClassName, PostgresSetting>>;
}

/**
 * Supporting services (constructs/services) switched on per cluster, service by service: a
 * service name maps to `true` or to that service's options. Checked in depth by the bundle.
 */
export type ServiceSelectionSetting = Readonly<Record<string, unknown>>;

export interface ExternalClusterSetting {
  /** Names the `services-<name>` stack. */
  readonly name: string;
  /** The kubeconfig context that reaches the cluster (on premises, or another cloud). */
  readonly kubeconfigContext: string;
  /** @default "~/.kube/config" (KUBE_CONFIG_PATH overrides it where Terraform runs) */
  readonly kubeconfigPath?: string;
  readonly services: ServiceSelectionSetting;
}

export interface ServicesSettings {
  /** By cluster key (the cluster's stack id: `apps-ttd-tt02`, `platform-tt02`, `studio-dev`). */
  readonly clusters?: Readonly<Record<string, ServiceSelectionSetting>>;
  readonly external?: readonly ExternalClusterSetting[];
}

// ---- The resolved fleet

export interface FleetEnvironment {
  /** Name as in environments.json (`production`). */
  readonly name: string;
  /** Token used in names, stack ids and tags (`prod`). */
  readonly token: string;
  readonly type: EnvironmentClassName;
  readonly hostname: string;
  readonly appPrefix: string;
  readonly platformPrefix: string;
}

export interface FleetOrg {
  readonly code: string;
  readonly displayName: string;
  /** 9 digits; from the registry, or the fleet's override where the registry has none. */
  readonly orgnr: string;
  readonly names: OrgNames;
  /** The environments of the fleet this org runs in (retired and unknown ones removed). */
  readonly environments: readonly FleetEnvironment[];
}

export interface SubnetPlan {
  readonly name: string;
  readonly cidr: string;
}

export interface AppsEnvironment {
  /** Supporting services switched on for this cluster (fleet.yaml `services.clusters`). */
  readonly services?: ServiceSelectionSetting;
  readonly org: FleetOrg;
  readonly environment: FleetEnvironment;
  readonly settings: ClusterSettings;
  readonly names: AppsNames;
  /** The key of this cluster in the address plan (equal to its stack id). */
  readonly clusterKey: string;
  readonly addressSpace: string;
  readonly subnets: readonly SubnetPlan[];
  readonly clusterAdminGroupObjectIds: readonly string[];
}

/** A Platform or Studio environment: a cluster environment plus the product's services. */
export interface SharedEnvironment {
  readonly environment: FleetEnvironment;
  /** Supporting services switched on for this cluster (fleet.yaml `services.clusters`). */
  readonly services?: ServiceSelectionSetting;
  readonly settings: ClusterSettings;
  readonly clusterKey: string;
  readonly addressSpace: string;
  readonly subnets: readonly SubnetPlan[];
  readonly clusterAdminGroupObjectIds: readonly string[];
}

export interface PlatformEnvironment extends SharedEnvironment {
  readonly names: PlatformNames;
  readonly platform: PlatformClassSettings;
  /** The gateway certificate is in the Platform Key Vault (`platform.gatewayCertificate.imported`). */
  readonly gatewayCertificateImported: boolean;
}

export interface StudioEnvironment extends SharedEnvironment {
  readonly names: SharedEnvironmentNames;
  readonly studio: StudioClassSettings;
}

export interface Fleet {
  /** The directory the definition was read from. */
  readonly dir: string;
  readonly settings: FleetSettings;
  readonly environments: readonly FleetEnvironment[];
  readonly orgs: readonly FleetOrg[];
  readonly apps: readonly AppsEnvironment[];
  readonly platforms: readonly PlatformEnvironment[];
  readonly studios: readonly StudioEnvironment[];
  /** Clusters outside Azure that get supporting services (`services-<name>` stacks). */
  readonly externalClusters: readonly ExternalClusterSetting[];
  /** Every state scope (container): environment tokens, Studio environments and `shared`. */
  readonly stateScopes: readonly string[];
  /** Every cluster that needs an address block (the address plan's required keys). */
  readonly clusterKeys: readonly string[];
  readonly addressPlan: AddressPlanSettings;
  readonly allocations: ReadonlyMap<string, string>;
  /** Stacks of orgs (or org environments) that left the registry (fleet.yaml `decommission`). */
  readonly decommission?: Decommission;
}

/** What `decommission` in fleet.yaml keeps synthesizing after the registry dropped it. */
export interface Decommission {
  /** Apps environments whose `apps-<org>-<env>` and `-k8s` stacks are synthesized in destroy mode. */
  readonly apps: readonly { readonly apps: AppsEnvironment; readonly destroyStateful: boolean }[];
  /**
   * Orgs that left the registry whose `org-<org>` stack is still synthesized: as before until
   * `registry: true` (`destroy`), then in destroy mode.
   */
  readonly registries: readonly {
    readonly org: FleetOrg;
    readonly destroy: boolean;
    readonly destroyStateful: boolean;
  }[];
}
