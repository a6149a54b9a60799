/**
 * The fleet model: Altinn's registry files plus the project's own settings, resolved into one
 * typed description of every unit of state. Everything downstream (stacks, pipeline matrix,
 * docs) reads this model, never the files.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import type { AppsNames, OrgNames, PlatformNames, SharedEnvironmentNames } from "../constructs/naming";
import type { AddressPlanSettings } from "./address-plan";
import type * as S from "./schemas/fleet-settings";
import type { DeepPartial, EnvironmentClassName } from "./schemas/fleet-settings";

// ---- Altinn's published formats (environments/altinn-orgs.json, environments/environments.json)

export interface RegistryOrg {
  readonly name: { readonly en: string; readonly nb: string; readonly nn: string };
  readonly orgnr: string;
  readonly environments: readonly string[];
  readonly logo?: string;
  readonly emblem?: string;
  readonly homepage?: string;
}

export type RegistryEnvironment = DeepReadonly<Static<typeof S.RegistryEnvironmentSchema>>;

// ---- The project's own settings (environments/fleet.yaml): types of the one schema
// (fleet/schemas/fleet-settings.ts), read-only all the way down.

export type { DeepPartial, EnvironmentClassName };

/** Read-only at every depth: the model is shared by every stack and never changed. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

type Settings<T extends TSchema> = DeepReadonly<Static<T>>;

export type FleetSettings = Settings<typeof S.fleetSettingsSchema>;
export type ClusterSettings = Settings<typeof S.ClusterSettingsSchema>;
/** A partial override of cluster settings (any depth). */
export type ClusterSettingsOverride = DeepPartial<ClusterSettings>;
export type MaintenanceWindowSetting = Settings<typeof S.MaintenanceWindowSchema>;
export type NodePoolSetting = Settings<typeof S.NodePoolSchema>;
export type StateSettings = FleetSettings["state"];
export type EntraPrincipalSetting = Settings<typeof S.EntraPrincipalSchema>;
export type PostgresSetting = Settings<typeof S.PostgresSchema>;
export type PlatformClassSettings = Settings<typeof S.PlatformClassSchema>;
export type StudioClassSettings = Settings<typeof S.StudioClassSchema>;
export type GatewayCertificateSetting = Settings<typeof S.GatewayCertificateSchema>;
export type PlatformSettings = FleetSettings["platform"];
export type StudioEnvironmentSetting = Settings<typeof S.StudioEnvironmentSchema>;
export type StudioSettings = FleetSettings["studio"];
export type PipelineRoleAssignmentSetting = Settings<typeof S.RoleAssignmentSchema>;
export type CustomRoleSetting = Settings<typeof S.CustomRoleSchema>;
export type PipelineRolesSettings = FleetSettings["pipelineRoles"];
export type OperatorsSettings = FleetSettings["operators"];
/**
 * Supporting services (constructs/services) switched on per cluster, service by service: a
 * service name maps to `true` or to that service's options.
 */
export type ServiceSelectionSetting = Readonly<Record<string, unknown>>;
export type ExternalClusterSetting = Settings<typeof S.ExternalClusterSchema>;
export type ServicesSettings = NonNullable<FleetSettings["services"]>;
/** fleet.yaml `rollout`: canaries, batches and the failure budget of apply stages (cli/pipeline/rollout.ts). */
export type RolloutSettings = Settings<typeof S.RolloutSchema>;
/** `decommission.<org>` in fleet.yaml (README "Decommission an organisation"). */
export type DecommissionSetting = Settings<typeof S.DecommissionSchema>;
export type { AddressPlanSettings };

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
