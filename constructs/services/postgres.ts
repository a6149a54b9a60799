/**
 * PostgreSQL inside the cluster, from Bitnami's chart, for clusters without a managed database
 * (on-premises, test). On Azure prefer a flexible server (`azurePostgresDatabase`): backups,
 * point-in-time restore, HA and patching are then Azure's job.
 */

import type { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ContainerResources } from "../in-cluster/helm-values";
import { type BitnamiImage, bitnamiImageValues, imageProblem } from "./bitnami";
import {
  type RequiredSecret,
  replicasProblem,
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  secretNameProblem,
  serviceHost,
  storageProblem,
} from "./common";
import type { DatabaseEndpoint, PostgresSslMode } from "./database";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: bitnami/charts `bitnami/postgresql/Chart.yaml`, release 17.0.1 of
 * 2025-10-14 (PostgreSQL 17.6.0). Bump by reading the chart's CHANGELOG and values diff, then
 * changing this constant and the tests that assert it.
 */
export const POSTGRES_CHART_VERSION = "17.0.1";
/** Bitnami publishes its charts only as OCI artifacts on Docker Hub. */
export const POSTGRES_CHART_REPOSITORY = "oci://registry-1.docker.io/bitnamicharts";
export const POSTGRES_CHART_NAME = "postgresql";

/**
 * Default image. Bitnami moved its free versioned images to `docker.io/bitnamilegacy` on
 * 2025-08-28, where they receive no further updates (bitnami/charts#35164); `docker.io/bitnami`
 * no longer serves these tags. This is the last tag the pinned chart was built for. The Bitnami
 * scripts in the image are what the chart drives, so the official `postgres` image is no drop-in.
 */
export const POSTGRES_DEFAULT_IMAGE: BitnamiImage = {
  registry: "docker.io",
  repository: "bitnamilegacy/postgresql",
  tag: "17.6.0-debian-12-r4",
};

export const POSTGRES_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "1Gi" },
};

export interface PostgresServiceProps extends ServiceBaseProps {
  /**
   * Secret in the PostgreSQL namespace with keys `postgres-password` (superuser) and `password`
   * (the application role). Passed as `auth.existingSecret`; the chart never generates one.
   * @default "postgresql-auth"
   */
  readonly authSecretName?: string;
  /**
   * Application role, owner of every database below.
   * @default "app"
   */
  readonly username?: string;
  /**
   * Database created with the role.
   * @default "app"
   */
  readonly database?: string;
  /**
   * Further databases, owned by `username`, created by an init script on the first start of an
   * empty volume. Adding one later needs `CREATE DATABASE` by hand: init scripts never run again.
   * @default []
   */
  readonly additionalDatabases?: readonly string[];
  /**
   * Size of the data volume. Growing it needs a StorageClass that allows expansion.
   * @default "20Gi"
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the data volume.
   * @default - the cluster's default StorageClass (AKS: managed-csi)
   */
  readonly storageClass?: string;
  /**
   * Container resources of the primary.
   * @default POSTGRES_DEFAULT_RESOURCES (requests 250m/512Mi, memory limit 1Gi)
   */
  readonly resources?: ContainerResources;
  /**
   * Read replicas (streaming replication); 0 runs a single primary.
   * @default 0
   */
  readonly readReplicas?: number;
  /**
   * Image. The default is Bitnami's frozen legacy image (see README); point this at a mirror that
   * you patch, or at a Bitnami Secure Images subscription, for production.
   * @default POSTGRES_DEFAULT_IMAGE
   */
  readonly image?: BitnamiImage;
}

/** The chart PostgresService installs and its default namespace and release name. */
export const POSTGRES_SERVICE: HelmServiceDefaults = {
  chart: {
    repository: POSTGRES_CHART_REPOSITORY,
    chart: POSTGRES_CHART_NAME,
    version: POSTGRES_CHART_VERSION,
  },
  namespace: "postgresql",
};

/**
 * PostgreSQL from Bitnami's chart: a primary with a persistent volume, passwords only from an
 * existing Secret, optional read replicas, extra databases created on first start. The namespace
 * enforces the `restricted` Pod Security Standard (the chart runs non-root with RuntimeDefault
 * seccomp and no capabilities).
 */
export class PostgresService extends HelmService {
  /** Host name of the read-write Service. */
  public readonly host: string;
  public readonly port = 5432;
  /** Application role. */
  public readonly username: string;
  /** Every database the role owns. */
  public readonly databases: readonly string[];
  /** Secrets the operator provides. */
  public readonly requiredSecrets: readonly RequiredSecret[];
  private readonly authSecretName: string;

  constructor(scope: Construct, id: string, props: PostgresServiceProps = {}) {
    super(scope, id, props, POSTGRES_SERVICE);
    this.authSecretName = props.authSecretName ?? "postgresql-auth";
    this.username = props.username ?? "app";
    const database = props.database ?? "app";
    const extra = [...(props.additionalDatabases ?? [])];
    this.databases = [database, ...extra];
    const storageSize = props.storageSize ?? "20Gi";
    const resources = props.resources ?? POSTGRES_DEFAULT_RESOURCES;
    const readReplicas = props.readReplicas ?? 0;
    const image = props.image ?? POSTGRES_DEFAULT_IMAGE;

    this.validate([
      secretNameProblem("authSecretName", this.authSecretName),
      identifierProblem("username", this.username),
      ...this.databases.map((d) => identifierProblem("database", d)),
      new Set(this.databases).size === this.databases.length
        ? undefined
        : `databases [${this.databases.join(", ")}] repeat a name; list each database once`,
      storageProblem("storageSize", storageSize),
      resourcesFieldProblem("resources", resources),
      replicasProblem("readReplicas", readReplicas, 0),
      imageProblem(image),
    ]);

    this.host = serviceHost(this.releaseName, this.namespaceName);
    this.install({
      ...bitnamiImageValues(
        this,
        "PostgreSQL",
        image,
        "mirror and patch it, or use an Azure flexible server",
      ),
      architecture: readReplicas > 0 ? "replication" : "standalone",
      auth: {
        enablePostgresUser: true,
        username: this.username,
        database,
        existingSecret: this.authSecretName,
        secretKeys: { adminPasswordKey: "postgres-password", userPasswordKey: "password" },
      },
      primary: {
        resources: resourcesValue(resources),
        persistence: {
          enabled: true,
          size: storageSize,
          ...(props.storageClass !== undefined ? { storageClass: props.storageClass } : {}),
        },
        ...(extra.length > 0
          ? {
              initdb: {
                scripts: {
                  "00-databases.sql": extra
                    .map((d) => `CREATE DATABASE "${d}" OWNER "${this.username}";`)
                    .join(" "),
                },
              },
            }
          : {}),
      },
      ...(readReplicas > 0
        ? {
            readReplicas: {
              replicaCount: readReplicas,
              resources: resourcesValue(resources),
              persistence: { enabled: true, size: storageSize },
            },
          }
        : {}),
    });
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: this.authSecretName,
        keys: ["postgres-password", "password"],
        generated: ["postgres-password", "password"],
        purpose: `PostgreSQL superuser and the "${this.username}" role`,
      },
    ];
  }

  /**
   * The endpoint of one of this server's databases, for a consumer in another namespace. The
   * consumer's namespace needs a copy of the role's password under `passwordSecretName` (key
   * `password`): Secrets cannot be read across namespaces.
   */
  public endpoint(database: string, passwordSecretName: string = this.authSecretName): DatabaseEndpoint {
    if (!this.databases.includes(database)) {
      throw new ConstructValidationError(
        this.node.path,
        `database "${database}" is not created by this PostgreSQL; add it to additionalDatabases`,
      );
    }
    const sslMode: PostgresSslMode = "disable";
    return {
      host: this.host,
      port: this.port,
      database,
      user: this.username,
      passwordSecret: { name: passwordSecretName, key: "password" },
      sslMode,
    };
  }
}

function identifierProblem(field: string, value: string): string | undefined {
  return /^[a-z_][a-z0-9_]{0,62}$/.test(value)
    ? undefined
    : `${field} "${value}" must be a plain PostgreSQL identifier (lowercase letters, digits, '_')`;
}
