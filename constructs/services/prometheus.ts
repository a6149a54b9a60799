/**
 * Prometheus for metrics, through kube-prometheus-stack (Prometheus Operator, Prometheus,
 * Alertmanager, kube-state-metrics, node-exporter, default rules). Grafana is a separate service
 * here, so the stack's bundled Grafana is off.
 */
import type { Construct } from "constructs";
import type { ContainerResources, HelmValues } from "../in-cluster/helm-values";
import { suppress } from "../policy/suppressions";
import {
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  serviceUrl,
  storageProblem,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: prometheus-community/helm-charts
 * `charts/kube-prometheus-stack/Chart.yaml`, release 80.9.2 of 2025-12-31 (Prometheus Operator
 * v0.87.1). Bump by reading the chart's README upgrade section (major versions change CRDs), then
 * changing this constant and the tests that assert it.
 */
export const PROMETHEUS_CHART_VERSION = "80.9.2";
export const PROMETHEUS_CHART_REPOSITORY = "https://prometheus-community.github.io/helm-charts";
export const PROMETHEUS_CHART_NAME = "kube-prometheus-stack";

/** Resource names are `<fullname>-<component>`; a fixed fullname keeps Service names stable. */
export const PROMETHEUS_FULLNAME = "kube-prometheus";

/** Components with their own resources. */
export type PrometheusComponent =
  | "prometheus"
  | "alertmanager"
  | "operator"
  | "kubeStateMetrics"
  | "nodeExporter";

export const PROMETHEUS_DEFAULT_RESOURCES: Readonly<Record<PrometheusComponent, ContainerResources>> = {
  prometheus: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
  alertmanager: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  operator: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  kubeStateMetrics: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  nodeExporter: { requests: { cpu: "50m", memory: "32Mi" }, limits: { memory: "64Mi" } },
};

const PROMETHEUS_DURATION = /^[0-9]+(ms|s|m|h|d|w|y)$/;
const RETENTION_SIZE = /^[0-9]+(\.[0-9]+)?(B|KB|MB|GB|TB|PB|EB)$/;

export interface PrometheusProps extends ServiceBaseProps {
  /**
   * How long samples are kept (Prometheus duration).
   * @default "15d"
   */
  readonly retention?: string;
  /**
   * Disk budget of the TSDB; Prometheus deletes the oldest blocks beyond it. Keep it below the
   * volume size, or the volume fills before retention applies.
   * @default "40GB"
   */
  readonly retentionSize?: string;
  /**
   * Size of Prometheus's volume.
   * @default "50Gi"
   */
  readonly storageSize?: string;
  /**
   * Size of Alertmanager's volume (silences, notification log).
   * @default "2Gi"
   */
  readonly alertmanagerStorageSize?: string;
  /**
   * StorageClass of both volumes.
   * @default - the cluster's default StorageClass
   */
  readonly storageClass?: string;
  /**
   * Run node-exporter. It needs host networking, the host PID namespace and host paths, so the
   * namespace then enforces the `privileged` Pod Security Standard (and reports `baseline`).
   * Turn it off where node metrics come from elsewhere (Azure Monitor managed Prometheus).
   * @default true
   */
  readonly nodeExporter?: boolean;
  /**
   * Container resources per component.
   * @default PROMETHEUS_DEFAULT_RESOURCES
   */
  readonly resources?: Partial<Record<PrometheusComponent, ContainerResources>>;
}

/** The chart Prometheus installs and its default namespace and release name. */
export const PROMETHEUS_SERVICE: HelmServiceDefaults = {
  chart: {
    repository: PROMETHEUS_CHART_REPOSITORY,
    chart: PROMETHEUS_CHART_NAME,
    version: PROMETHEUS_CHART_VERSION,
  },
  namespace: "prometheus",
  releaseName: "kube-prometheus-stack",
};

/**
 * kube-prometheus-stack with persistent Prometheus and Alertmanager, explicit retention by time
 * and size, selectors that pick up every ServiceMonitor/PodMonitor/PrometheusRule in the cluster
 * (not only this release's), Grafana off, and the control-plane scrape targets that AKS does not
 * expose (etcd, scheduler, controller manager, kube-proxy) off.
 */
export class Prometheus extends HelmService {
  /** Prometheus's query URL inside the cluster, for Grafana. */
  public readonly url: string;
  /** Alertmanager's URL inside the cluster. */
  public readonly alertmanagerUrl: string;

  constructor(scope: Construct, id: string, props: PrometheusProps = {}) {
    super(scope, id, props, PROMETHEUS_SERVICE);
    const retention = props.retention ?? "15d";
    const retentionSize = props.retentionSize ?? "40GB";
    const storageSize = props.storageSize ?? "50Gi";
    const alertmanagerStorageSize = props.alertmanagerStorageSize ?? "2Gi";
    const nodeExporter = props.nodeExporter ?? true;
    const resources = { ...PROMETHEUS_DEFAULT_RESOURCES, ...props.resources };

    this.validate([
      PROMETHEUS_DURATION.test(retention)
        ? undefined
        : `retention "${retention}" is not a Prometheus duration; use e.g. "15d"`,
      RETENTION_SIZE.test(retentionSize)
        ? undefined
        : `retentionSize "${retentionSize}" is not a Prometheus size; use e.g. "40GB"`,
      storageProblem("storageSize", storageSize),
      storageProblem("alertmanagerStorageSize", alertmanagerStorageSize),
      retentionSizeFits(retentionSize, storageSize),
      ...(Object.entries(resources) as [PrometheusComponent, ContainerResources][]).map(([c, r]) =>
        resourcesFieldProblem(`resources.${c}`, r),
      ),
    ]);

    this.url = serviceUrl(`${PROMETHEUS_FULLNAME}-prometheus`, this.namespaceName, 9090);
    this.alertmanagerUrl = serviceUrl(`${PROMETHEUS_FULLNAME}-alertmanager`, this.namespaceName, 9093);
    const claim = (size: string): HelmValues => ({
      volumeClaimTemplate: {
        spec: {
          accessModes: ["ReadWriteOnce"],
          resources: { requests: { storage: size } },
          ...(props.storageClass !== undefined ? { storageClassName: props.storageClass } : {}),
        },
      },
    });
    this.install(
      {
        fullnameOverride: PROMETHEUS_FULLNAME,
        crds: { enabled: true },
        grafana: { enabled: false },
        // AKS runs these on the managed control plane: scraping them only produces down targets.
        kubeEtcd: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeControllerManager: { enabled: false },
        kubeProxy: { enabled: false },
        prometheus: {
          prometheusSpec: {
            replicas: 1,
            retention,
            retentionSize,
            resources: resourcesValue(resources.prometheus),
            storageSpec: claim(storageSize),
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            probeSelectorNilUsesHelmValues: false,
          },
        },
        alertmanager: {
          enabled: true,
          alertmanagerSpec: {
            replicas: 1,
            resources: resourcesValue(resources.alertmanager),
            storage: claim(alertmanagerStorageSize),
          },
        },
        prometheusOperator: { resources: resourcesValue(resources.operator) },
        "kube-state-metrics": { resources: resourcesValue(resources.kubeStateMetrics) },
        nodeExporter: { enabled: nodeExporter },
        "prometheus-node-exporter": { resources: resourcesValue(resources.nodeExporter) },
      },
      nodeExporter
        ? { enforce: "privileged", report: "baseline" }
        : { enforce: "baseline", report: "restricted" },
    );
    if (nodeExporter) {
      suppress(
        this.namespace,
        "K8S-014",
        "node-exporter reads host metrics through the host network, PID namespace and /proc, /sys mounts, which only the privileged level admits; baseline is still reported. Set nodeExporter: false to enforce baseline.",
      );
    }
  }
}

const SIZE_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  PB: 1e15,
  EB: 1e18,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

function bytes(value: string): number | undefined {
  const match = /^([0-9]+(?:\.[0-9]+)?)([A-Za-z]+)$/.exec(value);
  const unit = match?.[2] === undefined ? undefined : SIZE_BYTES[match[2]];
  return match === null || unit === undefined ? undefined : Number(match[1]) * unit;
}

function retentionSizeFits(retentionSize: string, storageSize: string): string | undefined {
  const budget = bytes(retentionSize);
  const volume = bytes(storageSize);
  return budget === undefined || volume === undefined || budget < volume
    ? undefined
    : `retentionSize "${retentionSize}" does not fit the ${storageSize} volume; the volume fills before retention applies, so keep retentionSize below storageSize`;
}
