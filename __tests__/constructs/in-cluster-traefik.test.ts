import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { ConstructValidationError } from "../../constructs/common/errors";
import {
  AZURE_LB_ANNOTATIONS,
  ClusterConnection,
  TRAEFIK_CHART_REPOSITORY,
  TRAEFIK_CHART_VERSION,
  TRAEFIK_TLS12_CIPHER_SUITES,
  Traefik,
  type TraefikProps,
  type TraefikTlsVersion,
} from "../../constructs/in-cluster";
import { onlyResource, type SynthesizedStack, synthStack, testApp } from "../../testing";

const IP = "20.100.1.10";
const RG = "altinnapps-ttd-tt02-rg";

function build(props: Partial<TraefikProps> = {}, alias?: string) {
  const stack = new TerraformStack(testApp(), "apps-ttd-tt02-k8s");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "ttd-tt02-aks",
    resourceGroupName: RG,
    providerAlias: alias,
  });
  const traefik = new Traefik(stack, "traefik", {
    connection,
    loadBalancerIp: IP,
    loadBalancerResourceGroup: RG,
    ...props,
  });
  return { stack, traefik };
}

function synth(props: Partial<TraefikProps> = {}): SynthesizedStack {
  return synthStack(build(props).stack);
}

function release(props: Partial<TraefikProps> = {}): Record<string, unknown> {
  return onlyResource(synth(props), "helm_release");
}

/** The values exactly as Helm will read them: parsed back from the synthesized YAML. */
function values(props: Partial<TraefikProps> = {}): any {
  const rendered = release(props).values as string[];
  expect(rendered).toHaveLength(1);
  return parse(rendered[0]!);
}

describe("Traefik release", () => {
  test("installs chart traefik from the upstream repository pinned to 38.0.1", () => {
    expect(synth().json).toHaveResourceWithProperties(Release, {
      name: "traefik",
      chart: "traefik",
      repository: "https://traefik.github.io/charts",
      version: "38.0.1",
    });
    expect(TRAEFIK_CHART_VERSION).toBe("38.0.1");
    expect(TRAEFIK_CHART_REPOSITORY).toBe("https://traefik.github.io/charts");
  });

  test("uses the chartVersion override when given", () => {
    expect(release({ chartVersion: "38.0.2" }).version).toBe("38.0.2");
  });

  test("is atomic, waits, and bounds timeout and history for CI", () => {
    expect(release()).toMatchObject({
      atomic: true,
      wait: true,
      cleanup_on_fail: true,
      timeout: 600,
      max_history: 5,
    });
  });

  test("passes values as one YAML document, not set entries", () => {
    const r = release();
    expect(r.set).toBeUndefined();
    expect(r.values).toHaveLength(1);
  });

  test("creates the traefik namespace with the restricted Pod Security Standard", () => {
    expect(synth().json).toHaveResourceWithProperties(NamespaceV1, {
      metadata: expect.objectContaining({
        name: "traefik",
        labels: {
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      }),
    });
  });

  test("installs into the namespace resource, so the namespace exists first", () => {
    expect(release().namespace).toMatch(
      /^\$\{kubernetes_namespace_v1\.traefik_namespace_[A-Z0-9]+\.metadata\[0\]\.name\}$/,
    );
  });

  test("does not let Helm create the namespace", () => {
    expect(release().create_namespace).toBeUndefined();
  });

  test("binds to the aliased providers of its connection", () => {
    const s = synthStack(build({}, "ttd_tt02").stack);
    expect(onlyResource(s, "helm_release").provider).toBe("helm.ttd_tt02");
    expect(onlyResource(s, "kubernetes_namespace_v1").provider).toBe("kubernetes.ttd_tt02");
  });

  test("exposes the values it passes to Helm", () => {
    const { traefik } = build();
    expect(traefik.values.deployment).toEqual({ replicas: 2 });
    expect(traefik.chartVersion).toBe(TRAEFIK_CHART_VERSION);
  });
});

describe("Traefik values", () => {
  test("runs 2 replicas by default", () => {
    expect(values().deployment.replicas).toBe(2);
  });

  test("runs the requested number of replicas", () => {
    expect(values({ replicas: 3 }).deployment.replicas).toBe(3);
  });

  test("enables a PodDisruptionBudget with minAvailable 1", () => {
    expect(values().podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });

  test("leaves the PodDisruptionBudget out for an allowed single replica", () => {
    const v = values({ replicas: 1, allowSingleReplica: true });
    expect(v.deployment.replicas).toBe(1);
    expect(v.podDisruptionBudget).toEqual({ enabled: false });
  });

  test("sets TLS 1.2 as the minimum version of the default TLSOption", () => {
    expect(values().tlsOptions.default.minVersion).toBe("VersionTLS12");
  });

  test("limits TLS 1.2 to AEAD cipher suites with forward secrecy", () => {
    const suites: string[] = values().tlsOptions.default.cipherSuites;
    expect(suites).toEqual([...TRAEFIK_TLS12_CIPHER_SUITES]);
    for (const suite of suites) {
      expect(suite).toMatch(/^TLS_ECDHE_.*(GCM|CHACHA20_POLY1305)/);
    }
  });

  test("sets TLS 1.3 without cipher suites when asked", () => {
    expect(values({ minTlsVersion: "VersionTLS13" }).tlsOptions.default).toEqual({
      minVersion: "VersionTLS13",
    });
  });

  test("binds the Service to the static IP and its resource group", () => {
    expect(values().service.annotations).toEqual({
      "service.beta.kubernetes.io/azure-load-balancer-resource-group": RG,
      "service.beta.kubernetes.io/azure-load-balancer-ipv4": IP,
    });
  });

  test("keeps the IP a string in YAML", () => {
    expect(release().values).toEqual([expect.stringContaining(`${AZURE_LB_ANNOTATIONS.ipv4}: "${IP}"`)]);
  });

  test("renders a token IP as a Terraform reference inside the values", () => {
    const stack = new TerraformStack(testApp(), "apps-ttd-tt02-k8s");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    // No `connection` prop: the release falls back to the stack's default helm provider.
    new ClusterConnection(stack, "cluster", { clusterName: "ttd-tt02-aks", resourceGroupName: RG });
    const pip = new PublicIp(stack, "pip", {
      name: "ttd-tt02-pip4",
      location: "norwayeast",
      resourceGroupName: RG,
      allocationMethod: "Static",
      sku: "Standard",
    });
    new Traefik(stack, "traefik", {
      loadBalancerIp: pip.ipAddress,
      loadBalancerResourceGroup: pip.resourceGroupName,
    });
    const v = parse((onlyResource(synthStack(stack), "helm_release").values as string[])[0]!);
    expect(v.service.annotations[AZURE_LB_ANNOTATIONS.ipv4]).toMatch(
      /^\$\{azurerm_public_ip\.pip\.ip_address\}$/,
    );
  });

  test("uses externalTrafficPolicy Local", () => {
    expect(values().service.spec.externalTrafficPolicy).toBe("Local");
  });

  test("uses externalTrafficPolicy Cluster when asked", () => {
    expect(values({ externalTrafficPolicy: "Cluster" }).service.spec.externalTrafficPolicy).toBe("Cluster");
  });

  test("is a LoadBalancer Service", () => {
    expect(values().service.type).toBe("LoadBalancer");
  });

  test("adds the IPv6 annotation and PreferDualStack for a dual-stack IP pair", () => {
    const v = values({ loadBalancerIpv6: "2603:1020:e00::10" });
    expect(v.service.annotations[AZURE_LB_ANNOTATIONS.ipv6]).toBe("2603:1020:e00::10");
    expect(v.service.ipFamilyPolicy).toBe("PreferDualStack");
    expect(v.service.ipFamilies).toEqual(["IPv4", "IPv6"]);
  });

  test("stays single-stack without an IPv6 address", () => {
    expect(values().service.ipFamilyPolicy).toBeUndefined();
  });

  test("replaces the chart's web/websecure entry points with Altinn's http/https", () => {
    const ports = values().ports;
    expect(ports.web).toBeNull();
    expect(ports.websecure).toBeNull();
    expect(ports.http).toMatchObject({ port: 8000, exposedPort: 80, expose: { default: true } });
    expect(ports.https).toMatchObject({ port: 8443, exposedPort: 443, tls: { enabled: true } });
  });

  test("redirects http to https permanently", () => {
    expect(values().ports.http.redirections).toEqual({
      entryPoint: { to: "https", scheme: "https", permanent: true },
    });
  });

  test("leaves http unredirected when redirectHttpToHttps is false", () => {
    expect(values({ redirectHttpToHttps: false }).ports.http.redirections).toBeUndefined();
  });

  test("trusts no forwarded headers by default", () => {
    const ports = values().ports;
    expect(ports.http.forwardedHeaders).toEqual({ trustedIPs: [], insecure: false });
    expect(ports.https.forwardedHeaders).toEqual({ trustedIPs: [], insecure: false });
  });

  test("trusts forwarded headers from the given ranges", () => {
    const ports = values({ trustedForwardedIps: ["10.202.72.0/21"] }).ports;
    expect(ports.https.forwardedHeaders.trustedIPs).toEqual(["10.202.72.0/21"]);
  });

  test("enables only the IngressRoute (CRD) provider by default", () => {
    const v = values();
    expect(v.providers).toEqual({
      kubernetesCRD: { enabled: true },
      kubernetesIngress: { enabled: false },
      kubernetesGateway: { enabled: false },
    });
    expect(v.ingressClass).toEqual({ enabled: false });
  });

  test("enables the Ingress provider and a named, non-default IngressClass when asked", () => {
    const v = values({ enableIngressProvider: true });
    expect(v.providers.kubernetesIngress).toEqual({ enabled: true, ingressClass: "traefik" });
    expect(v.ingressClass).toEqual({ enabled: true, isDefaultClass: false, name: "traefik" });
  });

  test("does not publish the dashboard", () => {
    expect(values().ingressRoute.dashboard.enabled).toBe(false);
  });

  test("runs non-root with a read-only root filesystem and no capabilities", () => {
    expect(values().securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    });
  });

  test("sets a non-root pod security context with RuntimeDefault seccomp", () => {
    expect(values().podSecurityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  test("keeps replicas on different nodes", () => {
    const hostname = values().topologySpreadConstraints.find(
      (c: { topologyKey: string }) => c.topologyKey === "kubernetes.io/hostname",
    );
    expect(hostname).toMatchObject({
      maxSkew: 1,
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: {
        matchLabels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-traefik" },
      },
    });
  });

  test("spreads replicas across zones without blocking scheduling", () => {
    const zone = values().topologySpreadConstraints.find(
      (c: { topologyKey: string }) => c.topologyKey === "topology.kubernetes.io/zone",
    );
    expect(zone).toMatchObject({ maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" });
  });

  test("sets resource requests and limits", () => {
    expect(values().resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { cpu: "1", memory: "512Mi" },
    });
  });

  test("disables version checks and anonymous usage reporting", () => {
    expect(values().global).toEqual({ checkNewVersion: false, sendAnonymousUsage: false });
  });

  test("sets the default certificate when a secret is named", () => {
    expect(values({ defaultCertificateSecretName: "ssl-cert" }).tlsStore).toEqual({
      default: { defaultCertificate: { secretName: "ssl-cert" } },
    });
  });

  test("uses a mirrored image when given", () => {
    expect(values({ image: { registry: "altinncr.azurecr.io" } }).image).toEqual({
      registry: "altinncr.azurecr.io",
      repository: "traefik",
    });
  });

  test("merges extraValues over the computed values", () => {
    const v = values({
      extraValues: { logs: { access: { enabled: true } }, service: { labels: { team: "platform" } } },
    });
    expect(v.logs).toEqual({ access: { enabled: true } });
    expect(v.service.labels).toEqual({ team: "platform" });
    expect(v.service.spec.externalTrafficPolicy).toBe("Local");
  });

  test("writes no YAML anchors or aliases", () => {
    expect((release().values as string[])[0]).not.toMatch(/[&*]a\d/);
  });
});

describe("Traefik validation", () => {
  test("fails if replicas is 1 without allowSingleReplica", () => {
    expect(() => build({ replicas: 1 })).toThrow(/replicas 1 makes every node drain an ingress outage/);
  });

  test("fails if replicas is 0", () => {
    expect(() => build({ replicas: 0, allowSingleReplica: true })).toThrow(
      /replicas 0 must be a whole number/,
    );
  });

  test("fails if replicas is not a whole number", () => {
    expect(() => build({ replicas: 2.5 })).toThrow(ConstructValidationError);
  });

  test("fails if podDisruptionBudgetMinAvailable is not below replicas", () => {
    expect(() => build({ replicas: 2, podDisruptionBudgetMinAvailable: 2 })).toThrow(
      /podDisruptionBudgetMinAvailable 2 must be at least 1 and below replicas \(2\)/,
    );
  });

  test("fails if podDisruptionBudgetMinAvailable is 0", () => {
    expect(() => build({ podDisruptionBudgetMinAvailable: 0 })).toThrow(ConstructValidationError);
  });

  test("fails if loadBalancerIp is not an IPv4 address", () => {
    expect(() => build({ loadBalancerIp: "ttd-tt02-pip4" })).toThrow(
      /loadBalancerIp "ttd-tt02-pip4" is not an IPv4/,
    );
  });

  test("fails if loadBalancerIpv6 is not an IPv6 address", () => {
    expect(() => build({ loadBalancerIpv6: "20.1.2.3" })).toThrow(
      /loadBalancerIpv6 "20.1.2.3" is not an IPv6/,
    );
  });

  test("fails if loadBalancerResourceGroup is not a resource group name", () => {
    expect(() => build({ loadBalancerResourceGroup: "bad/rg" })).toThrow(
      /loadBalancerResourceGroup "bad\/rg"/,
    );
  });

  test("fails if minTlsVersion is not a Traefik TLS version", () => {
    expect(() => build({ minTlsVersion: "VersionTLS10" as TraefikTlsVersion })).toThrow(
      /minTlsVersion "VersionTLS10" is not allowed/,
    );
  });

  test("fails if a trusted forwarded range is not an IP or CIDR", () => {
    expect(() => build({ trustedForwardedIps: ["10.0.0.0/33"] })).toThrow(
      /trustedForwardedIps entry "10.0.0.0\/33"/,
    );
  });

  test("fails if a resource quantity is malformed", () => {
    expect(() =>
      build({
        resources: { requests: { cpu: "100 millicores", memory: "128Mi" }, limits: { memory: "512Mi" } },
      }),
    ).toThrow(/resources.requests.cpu "100 millicores" is not a Kubernetes quantity/);
  });

  test("names the construct path in validation errors", () => {
    expect(() => build({ replicas: 1 })).toThrow(/^apps-ttd-tt02-k8s\/traefik: /);
  });
});
