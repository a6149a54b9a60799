/**
 * Redis inside the cluster, from Bitnami's chart, as a cache. On Azure, Azure Managed Redis is the
 * managed alternative; this construct is for clusters without it.
 */
import type { Construct } from "constructs";
import type { ContainerResources, HelmValues } from "../in-cluster/helm-values";
import { type BitnamiImage, bitnamiImageValues, imageProblem } from "./bitnami";
import {
  type RequiredSecret,
  replicasProblem,
  resourcesFieldProblem,
  resourcesValue,
  type SecretKeyRef,
  type ServiceBaseProps,
  secretNameProblem,
  serviceHost,
  storageProblem,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: bitnami/charts `bitnami/redis/Chart.yaml`, release 23.0.5 of 2025-12-11
 * (Redis 8.2.1). Bump by reading the chart's CHANGELOG and values diff, then changing this
 * constant and the tests that assert it.
 */
export const REDIS_CHART_VERSION = "23.0.5";
export const REDIS_CHART_REPOSITORY = "oci://registry-1.docker.io/bitnamicharts";
export const REDIS_CHART_NAME = "redis";

/** Bitnami's frozen legacy copy of the last free Redis 8.2.1 build (see POSTGRES_DEFAULT_IMAGE). */
export const REDIS_DEFAULT_IMAGE: BitnamiImage = {
  registry: "docker.io",
  repository: "bitnamilegacy/redis",
  tag: "8.2.1-debian-12-r0",
};

export const REDIS_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "256Mi" },
};

/** Where clients connect, and which Secret key holds the password. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
  /** In the consumer's namespace, as for databases. */
  readonly passwordSecret: SecretKeyRef;
}

export interface RedisServiceProps extends ServiceBaseProps {
  /**
   * Secret in the Redis namespace with key `redis-password`, passed as `auth.existingSecret`.
   * @default "redis-auth"
   */
  readonly authSecretName?: string;
  /**
   * Read replicas; 0 runs a standalone master.
   * @default 0
   */
  readonly replicas?: number;
  /**
   * Keep data on a persistent volume (AOF). A pure cache can turn this off and start empty.
   * @default true
   */
  readonly persistence?: boolean;
  /**
   * Size of each data volume.
   * @default "8Gi"
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the data volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Container resources of the master and each replica.
   * @default REDIS_DEFAULT_RESOURCES (requests 100m/128Mi, memory limit 256Mi)
   */
  readonly resources?: ContainerResources;
  /**
   * Image; see PostgresServiceProps.image.
   * @default REDIS_DEFAULT_IMAGE
   */
  readonly image?: BitnamiImage;
}

/** The chart RedisService installs and its default namespace and release name. */
export const REDIS_SERVICE: HelmServiceDefaults = {
  chart: { repository: REDIS_CHART_REPOSITORY, chart: REDIS_CHART_NAME, version: REDIS_CHART_VERSION },
  namespace: "redis",
};

/**
 * Redis from Bitnami's chart: password from an existing Secret only, a persistent master, optional
 * replicas, Sentinel off. The namespace enforces `restricted`.
 */
export class RedisService extends HelmService {
  /** Host name of the master Service. */
  public readonly host: string;
  public readonly port = 6379;
  public readonly requiredSecrets: readonly RequiredSecret[];
  private readonly authSecretName: string;

  constructor(scope: Construct, id: string, props: RedisServiceProps = {}) {
    super(scope, id, props, REDIS_SERVICE);
    this.authSecretName = props.authSecretName ?? "redis-auth";
    const replicas = props.replicas ?? 0;
    const persistence = props.persistence ?? true;
    const storageSize = props.storageSize ?? "8Gi";
    const resources = props.resources ?? REDIS_DEFAULT_RESOURCES;
    const image = props.image ?? REDIS_DEFAULT_IMAGE;

    this.validate([
      secretNameProblem("authSecretName", this.authSecretName),
      replicasProblem("replicas", replicas, 0),
      storageProblem("storageSize", storageSize),
      resourcesFieldProblem("resources", resources),
      imageProblem(image),
    ]);

    const volume: HelmValues = {
      enabled: persistence,
      size: storageSize,
      ...(props.storageClass !== undefined ? { storageClass: props.storageClass } : {}),
    };
    this.host = serviceHost(`${this.releaseName}-master`, this.namespaceName);
    this.install({
      ...bitnamiImageValues(this, "Redis", image, "mirror and patch it"),
      architecture: replicas > 0 ? "replication" : "standalone",
      auth: {
        enabled: true,
        existingSecret: this.authSecretName,
        existingSecretPasswordKey: "redis-password",
      },
      sentinel: { enabled: false },
      master: { resources: resourcesValue(resources), persistence: volume },
      replica: { replicaCount: replicas, resources: resourcesValue(resources), persistence: volume },
    });
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: this.authSecretName,
        keys: ["redis-password"],
        generated: ["redis-password"],
        purpose: "Redis AUTH password",
      },
    ];
  }

  /** The endpoint for a consumer; its namespace needs a copy of the password Secret. */
  public endpoint(passwordSecretName: string = this.authSecretName): RedisEndpoint {
    return {
      host: this.host,
      port: this.port,
      passwordSecret: { name: passwordSecretName, key: "redis-password" },
    };
  }
}
