import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import {
  GRAFANA_CHART_REPOSITORY,
  GRAFANA_CHART_VERSION,
  Grafana,
  type GrafanaProps,
  LOKI_CHART_REPOSITORY,
  LOKI_CHART_VERSION,
  Loki,
  type LokiProps,
  PROMETHEUS_CHART_VERSION,
  Prometheus,
  type PrometheusProps,
} from "../../constructs/services";
import { onlyResource, type SynthesizedStack, synthStack } from "../../testing";
import { clusterTestStack, helmValues } from "../../testing/helm";

const newStack = clusterTestStack;

const values = (synth: SynthesizedStack) => helmValues(synth);

describe("Loki", () => {
  function build(props: LokiProps = {}) {
    const { stack, connection } = newStack();
    const loki = new Loki(stack, "loki", { connection, ...props });
    return { stack, loki };
  }
  const v = (props: LokiProps = {}) => values(synthStack(build(props).stack));

  test("installs the loki chart from grafana-community, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "loki",
      repository: "https://grafana-community.github.io/helm-charts",
      version: "8.1.3",
    });
    expect(LOKI_CHART_VERSION).toBe("8.1.3");
    expect(LOKI_CHART_REPOSITORY).not.toContain("grafana.github.io");
  });

  test("runs one single-binary replica on a persistent volume", () => {
    const values = v();
    expect(values.deploymentMode).toBe("SingleBinary");
    expect(values.singleBinary).toMatchObject({
      replicas: 1,
      persistence: { enabled: true, size: "50Gi" },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    });
    expect([values.backend.replicas, values.read.replicas, values.write.replicas]).toEqual([0, 0, 0]);
  });

  test("stores on the filesystem with the TSDB v13 schema", () => {
    const values = v();
    expect(values.loki.storage).toEqual({ type: "filesystem" });
    expect(values.loki.schemaConfig.configs).toEqual([
      expect.objectContaining({ store: "tsdb", object_store: "filesystem", schema: "v13" }),
    ]);
  });

  test("enforces retention through the compactor", () => {
    const values = v({ retention: "168h" });
    expect(values.loki.limits_config.retention_period).toBe("168h");
    expect(values.loki.compactor).toEqual({ retention_enabled: true, delete_request_store: "filesystem" });
  });

  test("turns off the memcached caches, gateway, canary, tests and MinIO", () => {
    const values = v();
    for (const key of ["chunksCache", "resultsCache", "gateway", "lokiCanary", "test", "minio"]) {
      expect(values[key]).toEqual({ enabled: false });
    }
  });

  test("sets a RuntimeDefault seccomp profile for the restricted namespace", () => {
    expect(v().loki.podSecurityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
  });

  test("exposes the in-cluster URL of the single-binary Service", () => {
    expect(build().loki.url).toBe("http://loki.loki.svc.cluster.local:3100");
  });

  test("fails if retention is not a multiple of 24h", () => {
    expect(() => build({ retention: "36h" })).toThrow(/retention "36h" is not a multiple of 24h/);
  });

  test("fails if retention is in days", () => {
    expect(() => build({ retention: "31d" })).toThrow(/retention "31d" must be a whole number of hours/);
  });
});

describe("Grafana", () => {
  const DATASOURCES = {
    prometheusUrl: "http://kube-prometheus-prometheus.prometheus.svc.cluster.local:9090",
    lokiUrl: "http://loki.loki.svc.cluster.local:3100",
  };
  function build(props: Partial<GrafanaProps> = {}) {
    const { stack, connection } = newStack();
    const grafana = new Grafana(stack, "grafana", { connection, datasources: DATASOURCES, ...props });
    return { stack, grafana };
  }
  const v = (props: Partial<GrafanaProps> = {}) => values(synthStack(build(props).stack));

  test("installs the grafana chart from grafana-community, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "grafana",
      repository: "https://grafana-community.github.io/helm-charts",
      version: "11.1.0",
    });
    expect(GRAFANA_CHART_VERSION).toBe("11.1.0");
    expect(GRAFANA_CHART_REPOSITORY).toBe("https://grafana-community.github.io/helm-charts");
  });

  test("provisions Prometheus (default) and Loki as read-only data sources", () => {
    expect(v().datasources["datasources.yaml"]).toEqual({
      apiVersion: 1,
      datasources: [
        {
          name: "Prometheus",
          uid: "prometheus",
          type: "prometheus",
          access: "proxy",
          url: DATASOURCES.prometheusUrl,
          isDefault: true,
          editable: false,
        },
        {
          name: "Loki",
          uid: "loki",
          type: "loki",
          access: "proxy",
          url: DATASOURCES.lokiUrl,
          isDefault: false,
          editable: false,
        },
      ],
    });
  });

  test("makes Loki the default when it is the only data source", () => {
    const ds = v({ datasources: { lokiUrl: DATASOURCES.lokiUrl } }).datasources["datasources.yaml"]
      .datasources;
    expect(ds).toEqual([expect.objectContaining({ name: "Loki", isDefault: true })]);
  });

  test("reads admin credentials from an existing Secret, never a literal", () => {
    const values = v();
    expect(values.admin).toEqual({
      existingSecret: "grafana-admin",
      userKey: "admin-user",
      passwordKey: "admin-password",
    });
    expect(values.adminPassword).toBeUndefined();
  });

  test("keeps its database on a volume with one replica and the Recreate strategy", () => {
    const values = v();
    expect(values.persistence).toEqual({ type: "pvc", enabled: true, size: "5Gi" });
    expect(values.replicas).toBe(1);
    expect(values.deploymentStrategy).toEqual({ type: "Recreate" });
  });

  test("runs no root init container, so the namespace can enforce restricted", () => {
    expect(v().initChownData).toEqual({ enabled: false });
    expect(synthStack(build().stack).json).toHaveResourceWithProperties(NamespaceV1, {
      metadata: expect.objectContaining({
        labels: expect.objectContaining({ "pod-security.kubernetes.io/enforce": "restricted" }),
      }),
    });
  });

  test("publishes through the ingress with a certificate and the public root URL", () => {
    const values = v({
      ingress: {
        host: "grafana.example.com",
        ingressClassName: "nginx",
        annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      },
    });
    expect(values.ingress).toMatchObject({
      enabled: true,
      ingressClassName: "nginx",
      hosts: ["grafana.example.com"],
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      tls: [{ secretName: "grafana-tls", hosts: ["grafana.example.com"] }],
    });
    expect(values["grafana.ini"].server.root_url).toBe("https://grafana.example.com/");
  });

  test("lists the admin Secret the operator provides", () => {
    expect(build().grafana.requiredSecrets).toEqual([
      expect.objectContaining({
        namespace: "grafana",
        name: "grafana-admin",
        keys: ["admin-user", "admin-password"],
      }),
    ]);
  });

  test("fails if there is no data source", () => {
    expect(() => build({ datasources: {} })).toThrow(/datasources is empty/);
  });

  test("fails if an ingress has no class", () => {
    expect(() => build({ ingress: { host: "grafana.example.com" } })).toThrow(
      /ingress.ingressClassName is not set/,
    );
  });
});

describe("Prometheus", () => {
  function build(props: PrometheusProps = {}) {
    const { stack, connection } = newStack();
    const prometheus = new Prometheus(stack, "prometheus", { connection, ...props });
    return { stack, prometheus };
  }
  const v = (props: PrometheusProps = {}) => values(synthStack(build(props).stack));

  test("installs kube-prometheus-stack, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "kube-prometheus-stack",
      repository: "https://prometheus-community.github.io/helm-charts",
      version: "80.9.2",
    });
    expect(PROMETHEUS_CHART_VERSION).toBe("80.9.2");
  });

  test("leaves Grafana out of the stack (it is a separate service)", () => {
    expect(v().grafana).toEqual({ enabled: false });
  });

  test("keeps samples on a volume with retention by time and size", () => {
    const spec = v().prometheus.prometheusSpec;
    expect(spec.retention).toBe("15d");
    expect(spec.retentionSize).toBe("40GB");
    expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("50Gi");
    expect(spec.resources.limits.memory).toBe("4Gi");
  });

  test("persists Alertmanager", () => {
    expect(
      v().alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage,
    ).toBe("2Gi");
  });

  test("selects monitors and rules from every release, not only its own", () => {
    const spec = v().prometheus.prometheusSpec;
    expect(spec.serviceMonitorSelectorNilUsesHelmValues).toBe(false);
    expect(spec.podMonitorSelectorNilUsesHelmValues).toBe(false);
    expect(spec.ruleSelectorNilUsesHelmValues).toBe(false);
  });

  test("does not scrape control-plane components AKS hides", () => {
    const values = v();
    for (const key of ["kubeEtcd", "kubeScheduler", "kubeControllerManager", "kubeProxy"]) {
      expect(values[key]).toEqual({ enabled: false });
    }
  });

  test("enforces privileged Pod Security only because node-exporter needs the host", () => {
    const labels = (props: PrometheusProps) =>
      (Object.values(synthStack(build(props).stack).parsed.resource!.kubernetes_namespace_v1!)[0] as any)
        .metadata.labels;
    expect(labels({})["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(labels({ nodeExporter: false })["pod-security.kubernetes.io/enforce"]).toBe("baseline");
  });

  test("exposes a stable in-cluster query URL", () => {
    expect(build().prometheus.url).toBe(
      "http://kube-prometheus-prometheus.prometheus.svc.cluster.local:9090",
    );
    expect(v().fullnameOverride).toBe("kube-prometheus");
  });

  test("fails if retentionSize does not fit the volume", () => {
    expect(() => build({ retentionSize: "60GB", storageSize: "50Gi" })).toThrow(
      /retentionSize "60GB" does not fit the 50Gi volume/,
    );
  });

  test("fails if retention is not a Prometheus duration", () => {
    expect(() => build({ retention: "two weeks" })).toThrow(
      /retention "two weeks" is not a Prometheus duration/,
    );
  });
});
