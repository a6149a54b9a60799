/**
 * The services a shared environment (Platform, Studio) adds to its cluster environment: storage
 * hardened as the Apps storage, and a PostgreSQL flexible server reached only through the
 * cluster network with Entra ID. One implementation, used by both stack kinds; Apps stacks use
 * `postgresServer` for their configuration-sync server (stacks/operators.ts).
 */
import { Construct } from "constructs";
import type { Tags } from "../constructs/common";
import {
  PostgresFlexibleServer,
  type PostgresSkuName,
  type PostgresStorageMb,
  type PostgresVersion,
} from "../constructs/database";
import { HardenedStorageAccount, type StorageReplication } from "../constructs/storage";
import type { EntraPrincipalSetting, PostgresSetting, SharedEnvironment } from "../fleet/model";
import type { ClusterEnvironment } from "./cluster-environment";

/** The delegated subnet of the service layout that PostgreSQL servers use. */
export const POSTGRES_SUBNET = "postgres";

export interface SharedServicesProps {
  readonly location: string;
  readonly shared: SharedEnvironment;
  readonly environment: ClusterEnvironment;
  readonly storageAccountName: string;
  readonly storageReplication: StorageReplication;
  readonly containers?: readonly string[];
  readonly postgresServerName: string;
  readonly postgres: PostgresSetting;
  readonly postgresDatabases: readonly string[];
  readonly databaseAdmin: EntraPrincipalSetting;
  readonly tags: Tags;
}

export class SharedServices extends Construct {
  readonly storage: HardenedStorageAccount;
  readonly postgres: PostgresFlexibleServer;

  constructor(scope: Construct, id: string, props: SharedServicesProps) {
    super(scope, id);
    const { environment: env, location, tags } = props;
    this.storage = new HardenedStorageAccount(this, "storage", {
      name: props.storageAccountName,
      resourceGroupName: env.resourceGroup.name,
      location,
      replication: props.storageReplication,
      containers: props.containers ?? [],
      tags,
    });
    env.privateEndpoint("storage-endpoint", {
      name: `${props.storageAccountName}-blob-pe`,
      targetResourceId: this.storage.id,
      subresource: "blob",
    });
    this.postgres = postgresServer(this, "postgres", {
      name: props.postgresServerName,
      environment: env,
      location,
      setting: props.postgres,
      databases: props.postgresDatabases,
      administrator: props.databaseAdmin,
      tags,
    });
  }
}

export interface PostgresServerProps {
  readonly name: string;
  readonly environment: ClusterEnvironment;
  readonly location: string;
  readonly setting: PostgresSetting;
  readonly databases: readonly string[];
  readonly administrator: EntraPrincipalSetting;
  /** Further Entra administrators (the workload a server exists for). */
  readonly additionalAdministrators?: readonly EntraPrincipalSetting[];
  readonly tags: Tags;
}

/**
 * A PostgreSQL flexible server from fleet settings, in the cluster network's delegated subnet
 * (several servers may share it) with its private DNS zone linked to that network.
 */
export function postgresServer(
  scope: Construct,
  id: string,
  props: PostgresServerProps,
): PostgresFlexibleServer {
  const { environment: env, setting: pg } = props;
  return new PostgresFlexibleServer(scope, id, {
    name: props.name,
    resourceGroupName: env.resourceGroup.name,
    location: props.location,
    tenantId: env.tenantId,
    delegatedSubnetId: env.network.subnetId(POSTGRES_SUBNET),
    privateDns: { virtualNetworkId: env.network.vnetId },
    administrator: props.administrator,
    additionalAdministrators: props.additionalAdministrators,
    sku: pg.sku as PostgresSkuName,
    version: pg.version as PostgresVersion,
    storageMb: pg.storageMb as PostgresStorageMb,
    backupRetentionDays: pg.backupRetentionDays,
    geoRedundantBackup: pg.geoRedundantBackup,
    ...(pg.highAvailability
      ? { highAvailability: { mode: "ZoneRedundant" as const, standbyZone: "2" as const } }
      : {}),
    zone: "1",
    databases: props.databases,
    tags: props.tags,
  });
}

/** Subnet settings of the service layout: PostgreSQL's subnet is delegated to it. */
export const SERVICE_SUBNET_OPTIONS = {
  [POSTGRES_SUBNET]: {
    delegation: {
      name: "postgres",
      serviceName: "Microsoft.DBforPostgreSQL/flexibleServers",
      actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
    },
  },
} as const;
