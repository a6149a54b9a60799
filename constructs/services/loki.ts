/**
 * Grafana Loki for logs, in single-binary (monolithic) mode on a persistent volume: the small
 * footprint a cluster's own logs need. The chart moved from grafana/helm-charts to
 * grafana-community/helm-charts (grafana/loki#20705, effective 2026-03-16).
 */
import type { Construct } from "constructs";
import type { ContainerResources } from "../in-cluster/helm-values";
import {
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  serviceUrl,
  storageProblem,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: grafana-community/helm-charts `charts/loki/Chart.yaml` at tag loki-8.1.3
 * (Loki 3.6.7), the newest 8.x in the repository's index (there is no 8.2.0; 9.0.0 drops the
 * self-monitoring agent). Bump by reading the chart's upgrade notes and values diff, then changing this
 * constant and the tests that assert it.
 */
export const LOKI_CHART_VERSION = "8.1.3";
export const LOKI_CHART_REPOSITORY = "https://grafana-community.github.io/helm-charts";
export const LOKI_CHART_NAME = "loki";

export const LOKI_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "250m", memory: "512Mi" },
  limits: { memory: "1Gi" },
};

/** The schema every new installation starts with (TSDB index, schema v13). */
export const LOKI_SCHEMA_START = "2024-04-01";

export interface LokiProps extends ServiceBaseProps {
  /**
   * How long logs are kept (Loki duration, hours); the compactor deletes older chunks.
   * @default "744h" (31 days)
   */
  readonly retention?: string;
  /**
   * Size of the volume holding chunks, index and WAL.
   * @default "50Gi"
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Container resources.
   * @default LOKI_DEFAULT_RESOURCES (requests 250m/512Mi, memory limit 1Gi)
   */
  readonly resources?: ContainerResources;
}

/** The chart Loki installs and its default namespace and release name. */
export const LOKI_SERVICE: HelmServiceDefaults = {
  chart: { repository: LOKI_CHART_REPOSITORY, chart: LOKI_CHART_NAME, version: LOKI_CHART_VERSION },
  namespace: "loki",
};

/**
 * Loki as one StatefulSet replica with filesystem storage, TSDB schema v13, retention enforced by
 * the compactor, multi-tenancy off (one cluster, one tenant), and the memcached caches, gateway,
 * canary and MinIO turned off. More than one replica needs object storage (Azure Blob) and the
 * SimpleScalable mode; that is a different construct, not a prop.
 */
export class Loki extends HelmService {
  /** The query/push URL inside the cluster, for Grafana and log shippers. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: LokiProps = {}) {
    super(scope, id, props, LOKI_SERVICE);
    const retention = props.retention ?? "744h";
    const storageSize = props.storageSize ?? "50Gi";
    const resources = props.resources ?? LOKI_DEFAULT_RESOURCES;

    this.validate([
      /^[0-9]+h$/.test(retention)
        ? undefined
        : `retention "${retention}" must be a whole number of hours, e.g. "744h" (Loki requires a multiple of the 24h index period)`,
      /^[0-9]+h$/.test(retention) && Number.parseInt(retention, 10) % 24 !== 0
        ? `retention "${retention}" is not a multiple of 24h, the index period; use e.g. "744h"`
        : undefined,
      storageProblem("storageSize", storageSize),
      resourcesFieldProblem("resources", resources),
    ]);

    // The single-binary Service is named after the release (the chart's fullname).
    this.url = serviceUrl(this.releaseName, this.namespaceName, 3100);
    this.install({
      deploymentMode: "SingleBinary",
      loki: {
        auth_enabled: false,
        commonConfig: { replication_factor: 1 },
        storage: { type: "filesystem" },
        schemaConfig: {
          configs: [
            {
              from: LOKI_SCHEMA_START,
              store: "tsdb",
              object_store: "filesystem",
              schema: "v13",
              index: { prefix: "loki_index_", period: "24h" },
            },
          ],
        },
        limits_config: { retention_period: retention },
        compactor: { retention_enabled: true, delete_request_store: "filesystem" },
        // The chart sets no seccomp profile; the restricted Pod Security Standard requires one.
        podSecurityContext: {
          fsGroup: 10001,
          runAsGroup: 10001,
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: "RuntimeDefault" },
        },
      },
      singleBinary: {
        replicas: 1,
        resources: resourcesValue(resources),
        persistence: {
          enabled: true,
          size: storageSize,
          ...(props.storageClass !== undefined ? { storageClass: props.storageClass } : {}),
        },
      },
      // Scalable targets must be zero in SingleBinary mode (the chart refuses otherwise).
      backend: { replicas: 0 },
      read: { replicas: 0 },
      write: { replicas: 0 },
      // Memcached caches default to GBs of memory each; a single binary caches in process.
      chunksCache: { enabled: false },
      resultsCache: { enabled: false },
      gateway: { enabled: false },
      lokiCanary: { enabled: false },
      test: { enabled: false },
      minio: { enabled: false },
      sidecar: { rules: { enabled: false } },
    });
  }
}
