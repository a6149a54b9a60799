import { CosmosdbAccount } from "@cdktf/provider-azurerm/lib/cosmosdb-account";
import { CosmosdbSqlContainer } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-container";
import { CosmosdbSqlDatabase } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-database";
import { CosmosdbSqlRoleAssignment } from "@cdktf/provider-azurerm/lib/cosmosdb-sql-role-assignment";
import { PrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { type PrivateDnsOptions, privateDnsZone } from "../database/private-dns";
import { checkName, NAMING_RULES } from "../naming/rules";
import { PRIVATE_ENDPOINT_NAME, PRIVATE_LINK_ZONES } from "../network/private-endpoint";

/** Read consistency of the account, strongest first. */
export type CosmosConsistencyLevel =
  | "Strong"
  | "BoundedStaleness"
  | "Session"
  | "ConsistentPrefix"
  | "Eventual";

/** How far back continuous backup can restore. */
export type CosmosBackupTier = "Continuous7Days" | "Continuous30Days";

/** Data-plane access granted through `grantDataAccess`: the two built-in Cosmos DB SQL roles. */
export type CosmosDataAccess = "read" | "readwrite";

/** Built-in data-plane role definitions (the same GUIDs in every account). */
const DATA_ROLE_IDS: Readonly<Record<CosmosDataAccess, string>> = {
  read: "00000000-0000-0000-0000-000000000001", // Cosmos DB Built-in Data Reader
  readwrite: "00000000-0000-0000-0000-000000000002", // Cosmos DB Built-in Data Contributor
};

/** Limits of BoundedStaleness, required with that level. */
export interface CosmosBoundedStaleness {
  /** Seconds reads may lag; 300-86400 with two regions. */
  readonly maxIntervalInSeconds: number;
  /** Writes reads may lag; 100000-2147483647 with two regions. */
  readonly maxStalenessPrefix: number;
}

export interface CosmosSqlContainerSpec {
  /** Container name, 1-255 characters without `/ \ # ?`. Part of the Terraform address. Changing it replaces the container and its data. */
  readonly name: string;
  /**
   * Partition key paths, e.g. `["/instanceOwner/partyId"]`; two or three paths make a
   * hierarchical key. Changing them replaces the container and its data.
   */
  readonly partitionKeyPaths: readonly string[];
  /**
   * Dedicated autoscale ceiling in RU/s (a multiple of 1000, at least 1000); the container
   * scales between a tenth of it and it.
   * @default - shares the database's throughput
   */
  readonly maxThroughput?: number;
  /**
   * Default time to live of items in seconds; -1 lets items opt in with their own `ttl`.
   * @default - items never expire
   */
  readonly defaultTtlSeconds?: number;
}

export interface CosmosSqlDatabaseSpec {
  /** Database name, 1-255 characters without `/ \ # ?`. Part of the Terraform address. Changing it replaces the database and its data. */
  readonly name: string;
  /**
   * Autoscale ceiling in RU/s shared by containers without their own (a multiple of 1000, at
   * least 1000). Switching a database between shared and no shared throughput replaces it.
   * @default - no shared throughput: every container needs `maxThroughput`
   */
  readonly maxThroughput?: number;
  /** Containers of the database. */
  readonly containers: readonly CosmosSqlContainerSpec[];
}

export interface CosmosDbAccountProps {
  /** Account name: 3-44 lowercase letters, digits and hyphens, globally unique. Changing this replaces the account. */
  readonly name: string;
  /** Resource group. Changing this replaces the account. */
  readonly resourceGroupName: string;
  /** The write region. Changing it moves the write region (a failover), not the account. */
  readonly location: string;
  /** The read region, which takes writes over when the write region fails (e.g. `norwaywest`). */
  readonly failoverLocation: string;
  /**
   * Spread the write region's replicas over availability zones. Azure sets this when a region
   * is added, so changing it means removing and re-adding the region. The failover region is
   * not zone-redundant (Norway West has no zones).
   * @default false
   */
  readonly zoneRedundant?: boolean;
  /**
   * Read consistency.
   * @default "Session"
   */
  readonly consistencyLevel?: CosmosConsistencyLevel;
  /** Required with `consistencyLevel: "BoundedStaleness"`, not allowed otherwise. */
  readonly boundedStaleness?: CosmosBoundedStaleness;
  /**
   * Continuous backup window (point-in-time restore).
   * @default "Continuous30Days"
   */
  readonly backupTier?: CosmosBackupTier;
  /** SQL API databases and their containers, each protected by `prevent_destroy`. */
  readonly databases: readonly CosmosSqlDatabaseSpec[];
  /** Subnet of the account's private endpoint. */
  readonly privateEndpointSubnetId: string;
  /**
   * The `privatelink.documents.azure.com` zone: created here and linked to a VNet, or an
   * existing (hub) zone.
   */
  readonly privateDns: PrivateDnsOptions;
  /** FinOps tags; `submodule = "cosmos-db-account"` is added. */
  readonly tags: Tags;
}

/** The one zone name Azure resolves Cosmos DB SQL private endpoints in. */
export const COSMOS_SQL_PRIVATE_DNS_ZONE = PRIVATE_LINK_ZONES.Sql[0];

/** Characters Cosmos DB forbids in database and container ids. */
const FORBIDDEN_ID_CHARS = /[/\\#?]/;

/**
 * A Cosmos DB (SQL API) account with one write and one read region and automatic failover,
 * reached only through a private endpoint, with account keys disabled (Entra ID and data-plane
 * RBAC only), TLS 1.2, continuous backup and autoscale throughput. The account, its databases
 * and containers carry `prevent_destroy`.
 */
export class CosmosDbAccount extends Construct {
  readonly account: CosmosdbAccount;
  /** Databases by name. */
  readonly databases: Readonly<Record<string, CosmosdbSqlDatabase>>;
  /** Containers by `<database>/<container>`. */
  readonly containers: Readonly<Record<string, CosmosdbSqlContainer>>;
  readonly privateEndpoint: PrivateEndpoint;
  /** Resource ID. */
  readonly id: string;
  /** Account name (a reference, so users depend on the account). */
  readonly name: string;
  /** `https://<name>.documents.azure.com:443/`; resolves to the private endpoint inside the VNet. */
  readonly endpoint: string;
  /** Resource ID of the private DNS zone in use. */
  readonly privateDnsZoneId: string;
  private readonly resourceGroupName: string;

  constructor(scope: Construct, id: string, props: CosmosDbAccountProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "cosmos-db-account");
    this.resourceGroupName = props.resourceGroupName;

    const level = props.consistencyLevel ?? "Session";
    this.account = new CosmosdbAccount(this, "account", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      offerType: "Standard",
      kind: "GlobalDocumentDB",

      geoLocation: [
        { location: props.location, failoverPriority: 0, zoneRedundant: props.zoneRedundant ?? false },
        { location: props.failoverLocation, failoverPriority: 1, zoneRedundant: false },
      ],
      automaticFailoverEnabled: true,
      multipleWriteLocationsEnabled: false,
      consistencyPolicy: {
        consistencyLevel: level,
        maxIntervalInSeconds: props.boundedStaleness?.maxIntervalInSeconds,
        maxStalenessPrefix: props.boundedStaleness?.maxStalenessPrefix,
      },
      backup: { type: "Continuous", tier: props.backupTier ?? "Continuous30Days" },

      // Keys off: clients use Entra ID and the data-plane roles (grantDataAccess).
      localAuthenticationDisabled: true,
      // Databases, containers and throughput change only through Azure Resource Manager, as here.
      accessKeyMetadataWritesEnabled: false,
      publicNetworkAccessEnabled: false,
      minimalTlsVersion: "Tls12",
      freeTierEnabled: false,

      tags,
      lifecycle: statefulLifecycle(),
    });

    const dns = privateDnsZone(this, {
      zoneName: COSMOS_SQL_PRIVATE_DNS_ZONE,
      linkName: `${props.name}-vnet-link`,
      resourceGroupName: props.resourceGroupName,
      dns: props.privateDns,
      tags,
    });
    this.privateDnsZoneId = dns.zoneId;

    this.privateEndpoint = new PrivateEndpoint(this, "private-endpoint", {
      name: `${props.name}-pe`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.privateEndpointSubnetId,
      customNetworkInterfaceName: `${props.name}-pe-nic`,
      privateServiceConnection: {
        name: `${props.name}-sql`,
        privateConnectionResourceId: this.account.id,
        subresourceNames: ["Sql"],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: "default", privateDnsZoneIds: [dns.zoneId] },
      tags,
    });

    const databases: Record<string, CosmosdbSqlDatabase> = {};
    const containers: Record<string, CosmosdbSqlContainer> = {};
    for (const spec of props.databases) {
      const database = new CosmosdbSqlDatabase(this, `database-${spec.name}`, {
        name: spec.name,
        resourceGroupName: props.resourceGroupName,
        accountName: this.account.name,
        autoscaleSettings:
          spec.maxThroughput === undefined ? undefined : { maxThroughput: spec.maxThroughput },
        lifecycle: statefulLifecycle(),
      });
      databases[spec.name] = database;
      for (const container of spec.containers) {
        const hierarchical = container.partitionKeyPaths.length > 1;
        containers[`${spec.name}/${container.name}`] = new CosmosdbSqlContainer(
          this,
          containerConstructId(spec.name, container.name),
          {
            name: container.name,
            resourceGroupName: props.resourceGroupName,
            accountName: this.account.name,
            databaseName: database.name,
            partitionKeyPaths: [...container.partitionKeyPaths],
            partitionKeyKind: hierarchical ? "MultiHash" : "Hash",
            // Version 2 hashes keys longer than 100 bytes in full; hierarchical keys require it.
            partitionKeyVersion: 2,
            autoscaleSettings:
              container.maxThroughput === undefined ? undefined : { maxThroughput: container.maxThroughput },
            defaultTtl: container.defaultTtlSeconds,
            lifecycle: statefulLifecycle(),
          },
        );
      }
    }
    this.databases = databases;
    this.containers = containers;

    this.id = this.account.id;
    this.name = this.account.name;
    this.endpoint = this.account.endpoint;
  }

  /**
   * Grants a principal (e.g. a workload identity) a built-in data-plane role on the whole
   * account: `read` (Data Reader) or `readwrite` (Data Contributor). With keys disabled this is
   * the only way clients get at data. `id` is the construct id of the assignment under this
   * construct, so it is part of the Terraform address.
   */
  grantDataAccess(id: string, principalId: string, access: CosmosDataAccess): CosmosdbSqlRoleAssignment {
    return new CosmosdbSqlRoleAssignment(this, id, {
      resourceGroupName: this.resourceGroupName,
      accountName: this.account.name,
      roleDefinitionId: `${this.account.id}/sqlRoleDefinitions/${DATA_ROLE_IDS[access]}`,
      principalId,
      scope: this.account.id,
    });
  }

  private validate(props: CosmosDbAccountProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.cosmosDbAccount, props.name);
      if (problem)
        throw err(`${problem}. Account names are global DNS names; derive them from the environment.`);
      const endpointName = `${props.name}-pe`;
      if (!PRIVATE_ENDPOINT_NAME.test(endpointName)) {
        throw err(`derived private endpoint name "${endpointName}" must be 2-64 letters, digits, _ . -`);
      }
    }
    if (
      !Token.isUnresolved(props.location) &&
      !Token.isUnresolved(props.failoverLocation) &&
      normalizeRegion(props.location) === normalizeRegion(props.failoverLocation)
    ) {
      throw err(
        `failoverLocation "${props.failoverLocation}" is the write region; choose another region ` +
          '(Norway East pairs with "norwaywest")',
      );
    }

    const level = props.consistencyLevel ?? "Session";
    const bounded = props.boundedStaleness;
    if (level === "BoundedStaleness") {
      if (!bounded) {
        throw err(
          'consistencyLevel "BoundedStaleness" needs boundedStaleness { maxIntervalInSeconds, maxStalenessPrefix }',
        );
      }
      // Limits for accounts with more than one region.
      checkRange(err, "boundedStaleness.maxIntervalInSeconds", bounded.maxIntervalInSeconds, 300, 86400);
      checkRange(err, "boundedStaleness.maxStalenessPrefix", bounded.maxStalenessPrefix, 100000, 2147483647);
    } else if (bounded) {
      throw err(
        `boundedStaleness applies only to consistencyLevel "BoundedStaleness", not "${level}"; remove it`,
      );
    }

    if (props.databases.length === 0) {
      throw err("databases is empty; an account without databases holds nothing to protect or serve");
    }
    const databaseNames = new Set<string>();
    const containerIds = new Map<string, string>();
    for (const database of props.databases) {
      checkId(err, "database", database.name);
      if (databaseNames.has(database.name)) throw err(`database "${database.name}" is listed twice`);
      databaseNames.add(database.name);
      checkThroughput(err, `database "${database.name}" maxThroughput`, database.maxThroughput);
      if (database.containers.length === 0) {
        throw err(`database "${database.name}" has no containers; list its containers`);
      }

      const containerNames = new Set<string>();
      for (const container of database.containers) {
        const where = `container "${database.name}/${container.name}"`;
        checkId(err, "container", container.name);
        if (containerNames.has(container.name)) throw err(`${where} is listed twice`);
        containerNames.add(container.name);
        // Construct ids join database and container with "-", so "a-b"/"c" and "a"/"b-c" collide.
        const constructId = containerConstructId(database.name, container.name);
        const other = containerIds.get(constructId);
        if (other !== undefined) {
          throw err(`${where} and container "${other}" would share a Terraform address; rename one`);
        }
        containerIds.set(constructId, `${database.name}/${container.name}`);
        checkThroughput(err, `${where} maxThroughput`, container.maxThroughput);
        if (database.maxThroughput === undefined && container.maxThroughput === undefined) {
          throw err(
            `${where} has no throughput: give it maxThroughput, or give database "${database.name}" ` +
              "a shared maxThroughput",
          );
        }
        const paths = container.partitionKeyPaths;
        if (paths.length < 1 || paths.length > 3) {
          throw err(
            `${where} needs 1-3 partition key paths (3 is the hierarchical maximum), not ${paths.length}`,
          );
        }
        for (const path of paths) {
          if (!Token.isUnresolved(path) && !/^\/[^/\s]+(\/[^/\s]+)*$/.test(path)) {
            throw err(
              `${where}: partition key path "${path}" must start with "/" and name a property, e.g. "/id"`,
            );
          }
        }
        if (new Set(paths).size !== paths.length) throw err(`${where} repeats a partition key path`);
        const ttl = container.defaultTtlSeconds;
        if (
          ttl !== undefined &&
          !Token.isUnresolved(ttl) &&
          (!Number.isInteger(ttl) || ttl === 0 || ttl < -1 || ttl > 2147483647)
        ) {
          throw err(`${where}: defaultTtlSeconds ${ttl} must be -1 or a whole number of seconds from 1`);
        }
      }
    }
  }
}

function containerConstructId(database: string, container: string): string {
  return `container-${database}-${container}`;
}

function normalizeRegion(region: string): string {
  return region.replace(/\s+/g, "").toLowerCase();
}

function checkId(err: (message: string) => ConstructValidationError, kind: string, name: string): void {
  if (Token.isUnresolved(name)) {
    throw err(`${kind} names must be literal strings: they are part of the Terraform address`);
  }
  if (name.length < 1 || name.length > 255 || FORBIDDEN_ID_CHARS.test(name) || name !== name.trim()) {
    throw err(`${kind} name "${name}" must be 1-255 characters without / \\ # ? or surrounding spaces`);
  }
}

function checkThroughput(
  err: (message: string) => ConstructValidationError,
  field: string,
  value: number | undefined,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < 1000 || value % 1000 !== 0) {
    throw err(`${field} ${value} must be an autoscale ceiling: a multiple of 1000 RU/s, at least 1000`);
  }
}

function checkRange(
  err: (message: string) => ConstructValidationError,
  field: string,
  value: number,
  min: number,
  max: number,
): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw err(
      `${field} ${value} must be a whole number from ${min} to ${max} for an account with two regions`,
    );
  }
}
