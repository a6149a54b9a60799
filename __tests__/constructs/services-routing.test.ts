import {
  CERT_MANAGER_CHART_REPOSITORY,
  CERT_MANAGER_CHART_VERSION,
  CertManager,
  type CertManagerProps,
  LETS_ENCRYPT_SERVERS,
  NGINX_CHART_REPOSITORY,
  NGINX_CHART_VERSION,
  NginxRouting,
  type NginxRoutingProps,
  RAW_CHART_REPOSITORY,
  RAW_CHART_VERSION,
} from "../../constructs/services";
import { resourcesOf, synthStack } from "../../testing";
import { clusterTestStack, helmRelease, helmValues } from "../../testing/helm";

const newStack = clusterTestStack;

const release = helmRelease;
const values = helmValues;

describe("NginxRouting", () => {
  function synth(props: NginxRoutingProps = {}) {
    const { stack, connection } = newStack();
    new NginxRouting(stack, "nginx", { connection, ...props });
    return synthStack(stack);
  }
  const v = (props: NginxRoutingProps = {}) => values(synth(props), "nginx-ingress").controller;

  test("installs F5's nginx-ingress chart (not the retired ingress-nginx), pinned", () => {
    expect(release(synth(), "nginx-ingress")).toMatchObject({
      repository: "oci://ghcr.io/nginx/charts",
      version: "2.6.4",
      namespace: expect.stringContaining("kubernetes_namespace_v1.nginx_namespace"),
    });
    expect(NGINX_CHART_VERSION).toBe("2.6.4");
    expect(NGINX_CHART_REPOSITORY).not.toContain("kubernetes.github.io/ingress-nginx");
  });

  test("serves Ingresses of its own class without claiming the cluster default", () => {
    expect(v().ingressClass).toEqual({ name: "nginx", create: true, setAsDefaultIngress: false });
  });

  test("runs 2 replicas with a PodDisruptionBudget", () => {
    const c = v();
    expect(c.replicaCount).toBe(2);
    expect(c.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });

  test("drops the PodDisruptionBudget for a single replica", () => {
    expect(v({ replicas: 1 }).podDisruptionBudget).toEqual({ enabled: false });
  });

  test("disables snippets and custom resources, and runs read-only", () => {
    const c = v();
    expect(c.enableSnippets).toBe(false);
    expect(c.enableCustomResources).toBe(false);
    expect(c.readOnlyRootFilesystem).toBe(true);
    expect(c.telemetryReporting).toEqual({ enable: false });
  });

  test("allows only TLS 1.2 and 1.3 and hides the NGINX version", () => {
    expect(v().config.entries).toEqual({ "server-tokens": "False", "ssl-protocols": "TLSv1.2 TLSv1.3" });
  });

  test("sets resource requests and a memory limit", () => {
    expect(v().resources).toEqual({
      requests: { cpu: "100m", memory: "128Mi" },
      limits: { memory: "512Mi" },
    });
  });

  test("binds the LoadBalancer Service to a static IP", () => {
    expect(v({ loadBalancer: { ip: "20.100.1.20", resourceGroup: "test-rg" } }).service).toEqual({
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      annotations: {
        "service.beta.kubernetes.io/azure-load-balancer-resource-group": "test-rg",
        "service.beta.kubernetes.io/azure-load-balancer-ipv4": "20.100.1.20",
      },
    });
  });

  test("fails if the static IP is not an IPv4 address", () => {
    expect(() => synth({ loadBalancer: { ip: "nginx-pip", resourceGroup: "test-rg" } })).toThrow(
      /loadBalancer.ip "nginx-pip" is not an IPv4 address/,
    );
  });

  test("fails if a public IP is combined with an internal load balancer", () => {
    expect(() => synth({ loadBalancer: { ip: "20.100.1.20", resourceGroup: "rg" }, internal: true })).toThrow(
      /exclude each other/,
    );
  });
});

describe("CertManager", () => {
  function build(props: CertManagerProps = { acme: { ingressClassName: "nginx" } }) {
    const { stack, connection } = newStack();
    const certManager = new CertManager(stack, "cert-manager", { connection, ...props });
    return { stack, certManager };
  }
  const synth = (props?: CertManagerProps) => synthStack(build(props).stack);

  test("installs the jetstack chart, pinned", () => {
    expect(release(synth(), "cert-manager")).toMatchObject({
      repository: "https://charts.jetstack.io",
      version: "v1.19.2",
    });
    expect(CERT_MANAGER_CHART_VERSION).toBe("v1.19.2");
    expect(CERT_MANAGER_CHART_REPOSITORY).toBe("https://charts.jetstack.io");
  });

  test("installs the CRDs with the chart and keeps them on uninstall", () => {
    expect(values(synth(), "cert-manager").crds).toEqual({ enabled: true, keep: true });
  });

  test("runs controller, webhook and cainjector with 2 replicas and PDBs", () => {
    const v = values(synth(), "cert-manager");
    for (const component of [v, v.webhook, v.cainjector]) {
      expect(component.replicaCount).toBe(2);
      expect(component.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
      expect(component.resources.limits.memory).toBeDefined();
    }
  });

  test("sets the private key rotation policy explicitly", () => {
    expect(values(synth(), "cert-manager").featureGates).toBe("DefaultPrivateKeyRotationPolicyAlways=true");
    expect(
      values(
        synth({ acme: { ingressClassName: "nginx" }, privateKeyRotationPolicy: "Never" }),
        "cert-manager",
      ).featureGates,
    ).toBe("DefaultPrivateKeyRotationPolicyAlways=false");
  });

  test("creates a Let's Encrypt ClusterIssuer solving HTTP-01 through the ingress class", () => {
    const issuer = values(synth({ acme: { ingressClassName: "nginx", email: "ops@example.com" } }), "raw")
      .resources[0];
    expect(issuer).toEqual({
      apiVersion: "cert-manager.io/v1",
      kind: "ClusterIssuer",
      metadata: { name: "letsencrypt" },
      spec: {
        acme: {
          server: LETS_ENCRYPT_SERVERS.production,
          email: "ops@example.com",
          privateKeySecretRef: { name: "letsencrypt-account-key" },
          solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }],
        },
      },
    });
  });

  test("installs the ClusterIssuer in a second release that waits for cert-manager and its CRDs", () => {
    const s = synth();
    const issuers = release(s, "raw");
    expect(issuers).toMatchObject({
      name: "cert-manager-issuers",
      repository: "https://bedag.github.io/helm-charts/",
      version: "2.0.2",
      depends_on: [expect.stringMatching(/^helm_release\.cert-manager_release_[A-F0-9]+$/)],
    });
    expect(RAW_CHART_VERSION).toBe("2.0.2");
    expect(RAW_CHART_REPOSITORY).toBe("https://bedag.github.io/helm-charts/");
    expect(values(s, "cert-manager").extraObjects).toBeUndefined();
  });

  test("uses the staging directory when asked", () => {
    const issuer = values(synth({ acme: { ingressClassName: "nginx", server: "staging" } }), "raw")
      .resources[0];
    expect(issuer.spec.acme.server).toBe(LETS_ENCRYPT_SERVERS.staging);
  });

  test("makes the issuer the ingress-shim default", () => {
    expect(values(synth(), "cert-manager").ingressShim).toEqual({
      defaultIssuerName: "letsencrypt",
      defaultIssuerKind: "ClusterIssuer",
      defaultIssuerGroup: "cert-manager.io",
    });
  });

  test("gives Ingresses the issuer and the rotation policy as annotations", () => {
    expect(build().certManager.ingressAnnotations).toEqual({
      "cert-manager.io/cluster-issuer": "letsencrypt",
      "cert-manager.io/private-key-rotation-policy": "Always",
    });
  });

  test("installs cert-manager alone with acme: false", () => {
    const { stack, certManager } = build({ acme: false });
    expect(Object.keys(resourcesOf(synthStack(stack), "helm_release"))).toHaveLength(1);
    expect(certManager.ingressAnnotations).toEqual({});
  });

  test("fails if the HTTP-01 solver has no ingress class", () => {
    expect(() => build({})).toThrow(/acme.ingressClassName is not set/);
  });

  test("fails if the ACME server is not a URL", () => {
    expect(() => build({ acme: { ingressClassName: "nginx", server: "letsencrypt" } })).toThrow(
      /acme.server "letsencrypt" is not an absolute URL/,
    );
  });
});
