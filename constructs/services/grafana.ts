/**
 * Grafana for visualization, with Prometheus and Loki provisioned as data sources. The chart moved
 * from grafana/helm-charts to grafana-community/helm-charts (deprecated 2026-01-29, migrated
 * 2026-01-30).
 */
import type { Construct } from "constructs";
import type { ContainerResources, HelmValue } from "../in-cluster/helm-values";
import {
  ingressProblems,
  ingressTls,
  type RequiredSecret,
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  type ServiceIngress,
  secretNameProblem,
  serviceUrl,
  storageProblem,
  urlProblem,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: grafana-community/helm-charts `charts/grafana/Chart.yaml`, version
 * 11.1.0 (Grafana 12.3.2). Bump by reading the chart's release notes and values diff, then
 * changing this constant and the tests that assert it.
 */
export const GRAFANA_CHART_VERSION = "11.1.0";
export const GRAFANA_CHART_REPOSITORY = "https://grafana-community.github.io/helm-charts";
export const GRAFANA_CHART_NAME = "grafana";

export const GRAFANA_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "512Mi" },
};

/** Stable data source uids, so dashboards can reference them. */
export const GRAFANA_DATASOURCE_UIDS = { prometheus: "prometheus", loki: "loki" } as const;

/** In-cluster URLs of the data sources to provision. */
export interface GrafanaDataSources {
  /**
   * Prometheus query URL (`Prometheus.url`); the default data source when present.
   * @default - no Prometheus data source
   */
  readonly prometheusUrl?: string;
  /**
   * Loki URL (`Loki.url`).
   * @default - no Loki data source
   */
  readonly lokiUrl?: string;
}

export interface GrafanaProps extends ServiceBaseProps {
  /** Data sources to provision; the bundle fills them from the enabled Prometheus and Loki. */
  readonly datasources: GrafanaDataSources;
  /**
   * Secret in Grafana's namespace with keys `admin-user` and `admin-password`, passed as
   * `admin.existingSecret`. The chart's generated password is never used.
   * @default "grafana-admin"
   */
  readonly adminSecretName?: string;
  /**
   * Keep Grafana's SQLite database (users, UI-made dashboards, annotations) on a volume.
   * @default true
   */
  readonly persistence?: boolean;
  /**
   * Size of the volume.
   * @default "5Gi"
   */
  readonly storageSize?: string;
  /**
   * StorageClass of the volume.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Publish Grafana through the ingress controller; sets `server.root_url` too.
   * @default - not published (ClusterIP only; use `kubectl port-forward`)
   */
  readonly ingress?: ServiceIngress;
  /**
   * Container resources.
   * @default GRAFANA_DEFAULT_RESOURCES (requests 100m/256Mi, memory limit 512Mi)
   */
  readonly resources?: ContainerResources;
}

/** The chart Grafana installs and its default namespace and release name. */
export const GRAFANA_SERVICE: HelmServiceDefaults = {
  chart: {
    repository: GRAFANA_CHART_REPOSITORY,
    chart: GRAFANA_CHART_NAME,
    version: GRAFANA_CHART_VERSION,
  },
  namespace: "grafana",
};

/**
 * Grafana with admin credentials from an existing Secret, data sources provisioned read-only with
 * fixed uids, SQLite on a persistent volume (hence one replica and the `Recreate` strategy: a
 * ReadWriteOnce volume cannot follow a rolling update to another node), no root init container
 * (the `restricted` namespace would reject it; `fsGroup` sets ownership), no update checks or
 * usage reporting.
 */
export class Grafana extends HelmService {
  public readonly url: string;
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id, props, GRAFANA_SERVICE);
    const adminSecretName = props.adminSecretName ?? "grafana-admin";
    const persistence = props.persistence ?? true;
    const storageSize = props.storageSize ?? "5Gi";
    const resources = props.resources ?? GRAFANA_DEFAULT_RESOURCES;
    const ds = props.datasources;

    this.validate([
      secretNameProblem("adminSecretName", adminSecretName),
      ds.prometheusUrl === undefined && ds.lokiUrl === undefined
        ? "datasources is empty; pass prometheusUrl and/or lokiUrl (enable prometheus or loki in the bundle)"
        : undefined,
      ds.prometheusUrl === undefined ? undefined : urlProblem("datasources.prometheusUrl", ds.prometheusUrl),
      ds.lokiUrl === undefined ? undefined : urlProblem("datasources.lokiUrl", ds.lokiUrl),
      storageProblem("storageSize", storageSize),
      resourcesFieldProblem("resources", resources),
      ...ingressProblems("ingress", props.ingress),
    ]);

    const datasources: HelmValue[] = [];
    if (ds.prometheusUrl !== undefined) {
      datasources.push({
        name: "Prometheus",
        uid: GRAFANA_DATASOURCE_UIDS.prometheus,
        type: "prometheus",
        access: "proxy",
        url: ds.prometheusUrl,
        isDefault: true,
        editable: false,
      });
    }
    if (ds.lokiUrl !== undefined) {
      datasources.push({
        name: "Loki",
        uid: GRAFANA_DATASOURCE_UIDS.loki,
        type: "loki",
        access: "proxy",
        url: ds.lokiUrl,
        isDefault: ds.prometheusUrl === undefined,
        editable: false,
      });
    }

    const ingress = props.ingress;
    this.url = serviceUrl(this.releaseName, this.namespaceName, 80);
    this.install({
      replicas: 1,
      deploymentStrategy: { type: "Recreate" },
      admin: { existingSecret: adminSecretName, userKey: "admin-user", passwordKey: "admin-password" },
      datasources: { "datasources.yaml": { apiVersion: 1, datasources } },
      persistence: {
        type: "pvc",
        enabled: persistence,
        size: storageSize,
        ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
      },
      initChownData: { enabled: false },
      testFramework: { enabled: false },
      resources: resourcesValue(resources),
      "grafana.ini": {
        analytics: { check_for_updates: false, reporting_enabled: false },
        ...(ingress !== undefined
          ? { server: { domain: ingress.host, root_url: `https://${ingress.host}/` } }
          : {}),
      },
      ...(ingress !== undefined
        ? {
            ingress: {
              enabled: true,
              ingressClassName: ingress.ingressClassName ?? "",
              annotations: { ...ingress.annotations },
              hosts: [ingress.host],
              path: "/",
              pathType: "Prefix",
              tls: ingressTls(ingress, this.defaultTlsSecretName),
            },
          }
        : {}),
    });
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: adminSecretName,
        keys: ["admin-user", "admin-password"],
        // A random admin name too: nothing guesses it (read it from the Secret to log in).
        generated: ["admin-user", "admin-password"],
        purpose: "Grafana's local admin account",
      },
    ];
  }
}
