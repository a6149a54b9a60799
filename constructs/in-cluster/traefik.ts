/**
 * Traefik, the ingress controller of every Altinn cluster, installed from the upstream chart and
 * bound to a static public IP through the Azure cloud provider's Service annotations.
 */
import { isIPv4, isIPv6 } from "node:net";
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ClusterConnection } from "./cluster-connection";
import {
  type ContainerResources,
  type HelmValue,
  type HelmValues,
  mergeValues,
  RELEASE_DEFAULTS,
  resourcesProblem,
  toValuesYaml,
} from "./helm-values";
import { type PodSecurityLevel, podSecurityNamespaceLabels } from "./pod-security";

/**
 * The chart pin. Source: traefik/traefik-helm-chart `traefik/Chart.yaml`, release 38.0.1 of
 * 2025-12-19 (Traefik Proxy v3.6.5). Bump by reading the chart's release notes for value renames,
 * then changing this constant and the tests that assert it.
 */
export const TRAEFIK_CHART_VERSION = "38.0.1";
/** The chart repository (the OCI mirror is `oci://ghcr.io/traefik/helm/traefik`). */
export const TRAEFIK_CHART_REPOSITORY = "https://traefik.github.io/charts";
export const TRAEFIK_CHART_NAME = "traefik";

/** Minimum TLS version, as Traefik's TLSOption spells it. */
export type TraefikTlsVersion = "VersionTLS12" | "VersionTLS13";
const TLS_VERSIONS: readonly TraefikTlsVersion[] = ["VersionTLS12", "VersionTLS13"];

/** Service `externalTrafficPolicy`. */
export type ExternalTrafficPolicy = "Local" | "Cluster";

/**
 * Entry point names. Altinn names them `http` and `https` (not the chart's `web`/`websecure`),
 * and the IngressRoutes of Altinn workloads (apps, the Kubernetes wrapper) reference these names.
 */
export const TRAEFIK_ENTRYPOINTS = { http: "http", https: "https" } as const;

/**
 * The IngressClass Traefik serves when its Ingress provider is on: the class of every Ingress
 * whose host resolves to the cluster's static IP (the DNS zone's apex and wildcard point there).
 */
export const TRAEFIK_INGRESS_CLASS = "traefik";

/**
 * TLS 1.2 cipher suites: AEAD with forward secrecy only (no CBC, no static RSA). TLS 1.3 suites are
 * not configurable in Go and are always secure.
 */
export const TRAEFIK_TLS12_CIPHER_SUITES: readonly string[] = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

/** Azure cloud-provider annotations that bind a LoadBalancer Service to existing public IPs. */
export const AZURE_LB_ANNOTATIONS = {
  resourceGroup: "service.beta.kubernetes.io/azure-load-balancer-resource-group",
  // `spec.loadBalancerIP` is deprecated upstream; AKS documents these annotations instead.
  ipv4: "service.beta.kubernetes.io/azure-load-balancer-ipv4",
  ipv6: "service.beta.kubernetes.io/azure-load-balancer-ipv6",
} as const;

/** Default container resources; the memory limit also sets GOMEMLIMIT through the chart. */
export const TRAEFIK_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { cpu: "1", memory: "512Mi" },
};

/** Image override, typically a pull-through mirror in the platform's registry. */
export interface TraefikImage {
  /**
   * @default "docker.io"
   */
  readonly registry?: string;
  /**
   * @default "traefik"
   */
  readonly repository?: string;
  /**
   * @default - the chart's appVersion
   */
  readonly tag?: string;
}

export interface TraefikProps {
  /**
   * Static public IPv4 address of the ingress (an `azurerm_public_ip` address or a token). The
   * Service is bound to it, so the address survives reinstalls and DNS can point at it.
   */
  readonly loadBalancerIp: string;
  /**
   * Resource group that holds the static public IP. The cluster identity needs Network
   * Contributor there (granted by the cluster stack), or the Service stays pending.
   */
  readonly loadBalancerResourceGroup: string;
  /**
   * Static public IPv6 address for a dual-stack cluster; turns the Service into PreferDualStack.
   * @default - IPv4 only
   */
  readonly loadBalancerIpv6?: string;
  /**
   * The connection whose providers install the release.
   * @default - the stack's default (unaliased) helm and kubernetes providers
   */
  readonly connection?: ClusterConnection;
  /**
   * Number of Traefik pods. Below 2, every node drain or upgrade is an ingress outage.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Allows `replicas: 1` (test clusters); the PodDisruptionBudget is then left out because it
   * would block every drain.
   * @default false
   */
  readonly allowSingleReplica?: boolean;
  /**
   * `minAvailable` of the PodDisruptionBudget; must be below `replicas`, or drains never finish.
   * @default 1
   */
  readonly podDisruptionBudgetMinAvailable?: number;
  /**
   * Minimum TLS version of the default TLSOption (applies to every route that names no other).
   * @default "VersionTLS12"
   */
  readonly minTlsVersion?: TraefikTlsVersion;
  /**
   * Redirects the `http` entry point permanently to `https`.
   * @default true
   */
  readonly redirectHttpToHttps?: boolean;
  /**
   * `Local` keeps the client source IP and lets the Azure load balancer probe only nodes that run
   * Traefik; `Cluster` adds a hop and SNATs the client address.
   * @default "Local"
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * Also serve Kubernetes `Ingress` objects (and create an IngressClass). Altinn routes with
   * IngressRoute CRDs only, so the Ingress provider stays off unless something needs it.
   * @default false
   */
  readonly enableIngressProvider?: boolean;
  /**
   * Source ranges whose `X-Forwarded-*` headers Traefik trusts (e.g. a WAF in front).
   * @default [] - trust no forwarded headers
   */
  readonly trustedForwardedIps?: readonly string[];
  /**
   * Secret (in the Traefik namespace) holding the default certificate.
   * @default - Traefik's self-signed default certificate
   */
  readonly defaultCertificateSecretName?: string;
  /**
   * Container resources.
   * @default TRAEFIK_DEFAULT_RESOURCES (requests 100m/128Mi, limits 1 CPU/512Mi)
   */
  readonly resources?: ContainerResources;
  /**
   * Image override.
   * @default - docker.io/traefik at the chart's appVersion
   */
  readonly image?: TraefikImage;
  /**
   * Namespace, created by this construct (see README for why not `create_namespace`).
   * Changing it replaces the namespace and the release.
   * @default "traefik"
   */
  readonly namespace?: string;
  /**
   * Pod Security Standard enforced on the namespace.
   * @default "restricted"
   */
  readonly podSecurityLevel?: PodSecurityLevel;
  /**
   * Helm release name. Changing it replaces the release (and the Service, so the IP is rebound).
   * @default "traefik"
   */
  readonly releaseName?: string;
  /**
   * Chart version override, for testing a bump on one cluster before changing the pin.
   * @default TRAEFIK_CHART_VERSION
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the computed ones (maps merge, lists replace), for settings this
   * construct has no prop for.
   * @default - none
   */
  readonly extraValues?: HelmValues;
}

/**
 * Traefik from the upstream chart: HA by default (2 replicas spread across nodes and zones, a
 * PodDisruptionBudget), http redirected to https, TLS 1.2+ with AEAD ciphers, the Service bound
 * to a static public IP with `externalTrafficPolicy: Local`, non-root with a read-only root
 * filesystem and RuntimeDefault seccomp, only the IngressRoute (CRD) provider enabled.
 */
export class Traefik extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly release: Release;
  /** The values as passed to Helm, for review and tests. */
  public readonly values: HelmValues;
  public readonly chartVersion: string;
  /** The IngressClass Traefik serves, when its Ingress provider is on. */
  public readonly ingressClassName?: string;

  constructor(scope: Construct, id: string, props: TraefikProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    const minAvailable = props.podDisruptionBudgetMinAvailable ?? 1;
    const minTlsVersion = props.minTlsVersion ?? "VersionTLS12";
    const namespaceName = props.namespace ?? "traefik";
    const releaseName = props.releaseName ?? "traefik";
    const resources = props.resources ?? TRAEFIK_DEFAULT_RESOURCES;
    this.chartVersion = props.chartVersion ?? TRAEFIK_CHART_VERSION;
    this.ingressClassName = props.enableIngressProvider ? TRAEFIK_INGRESS_CLASS : undefined;
    this.validate(props, replicas, minAvailable, minTlsVersion, resources);

    this.namespace = new NamespaceV1(this, "namespace", {
      provider: props.connection?.kubernetesProvider,
      metadata: {
        name: namespaceName,
        labels: podSecurityNamespaceLabels({ enforce: props.podSecurityLevel ?? "restricted" }),
      },
    });

    this.values = mergeValues(
      traefikValues({
        ...props,
        replicas,
        minAvailable,
        minTlsVersion,
        resources,
        releaseName,
        namespaceName,
      }),
      props.extraValues,
    );

    this.release = new Release(this, "release", {
      provider: props.connection?.helmProvider,
      name: releaseName,
      repository: TRAEFIK_CHART_REPOSITORY,
      chart: TRAEFIK_CHART_NAME,
      version: this.chartVersion,
      // Referencing the namespace resource orders the release after it and deletes it first.
      namespace: this.namespace.metadata.name,
      ...RELEASE_DEFAULTS,
      values: [toValuesYaml(this.values)],
    });
  }

  private validate(
    props: TraefikProps,
    replicas: number,
    minAvailable: number,
    minTlsVersion: string,
    resources: ContainerResources,
  ): void {
    const path = this.node.path;
    const ip = props.loadBalancerIp;
    if (!Token.isUnresolved(ip) && !isIPv4(ip)) {
      throw new ConstructValidationError(
        path,
        `loadBalancerIp "${ip}" is not an IPv4 address; pass the static public IP's address (e.g. publicIp.ipAddress)`,
      );
    }
    const ipv6 = props.loadBalancerIpv6;
    if (ipv6 !== undefined && !Token.isUnresolved(ipv6) && !isIPv6(ipv6)) {
      throw new ConstructValidationError(
        path,
        `loadBalancerIpv6 "${ipv6}" is not an IPv6 address; pass the IPv6 public IP's address or leave it unset`,
      );
    }
    const rg = props.loadBalancerResourceGroup;
    if (!Token.isUnresolved(rg) && !/^[-\w.()]{1,90}$/.test(rg)) {
      throw new ConstructValidationError(
        path,
        `loadBalancerResourceGroup "${rg}" is not a valid resource group name; pass the resource group of the static public IP`,
      );
    }
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new ConstructValidationError(path, `replicas ${replicas} must be a whole number of at least 1`);
    }
    if (replicas < 2 && props.allowSingleReplica !== true) {
      throw new ConstructValidationError(
        path,
        `replicas ${replicas} makes every node drain an ingress outage; use at least 2, or set allowSingleReplica: true for a test cluster`,
      );
    }
    if (replicas >= 2 && (!Number.isInteger(minAvailable) || minAvailable < 1 || minAvailable >= replicas)) {
      throw new ConstructValidationError(
        path,
        `podDisruptionBudgetMinAvailable ${minAvailable} must be at least 1 and below replicas (${replicas}), or node drains never finish; use 1`,
      );
    }
    if (!(TLS_VERSIONS as readonly string[]).includes(minTlsVersion)) {
      throw new ConstructValidationError(
        path,
        `minTlsVersion "${minTlsVersion}" is not allowed; use one of ${TLS_VERSIONS.join(", ")}`,
      );
    }
    for (const range of props.trustedForwardedIps ?? []) {
      if (!Token.isUnresolved(range) && !isIpOrCidr(range)) {
        throw new ConstructValidationError(
          path,
          `trustedForwardedIps entry "${range}" is not an IP address or CIDR range; use e.g. "10.0.0.0/16"`,
        );
      }
    }
    const problem = resourcesProblem(resources);
    if (problem !== undefined) {
      throw new ConstructValidationError(path, problem);
    }
  }
}

function isIpOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (address === undefined || rest.length > 0) {
    return false;
  }
  const max = isIPv4(address) ? 32 : isIPv6(address) ? 128 : -1;
  if (max < 0) {
    return false;
  }
  return prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= max);
}

interface ResolvedTraefikProps extends TraefikProps {
  readonly replicas: number;
  readonly minAvailable: number;
  readonly minTlsVersion: TraefikTlsVersion;
  readonly resources: ContainerResources;
  readonly releaseName: string;
  readonly namespaceName: string;
}

/** The chart values, keyed exactly as the chart's values.yaml documents them. */
function traefikValues(p: ResolvedTraefikProps): HelmValues {
  const dualStack = p.loadBalancerIpv6 !== undefined;
  const trustedIPs = [...(p.trustedForwardedIps ?? [])];
  const ingressProvider = p.enableIngressProvider ?? false;
  // The chart's pod selector labels; the instance label is `<release>-<namespace>`.
  const podLabels = {
    "app.kubernetes.io/name": "traefik",
    "app.kubernetes.io/instance": `${p.releaseName}-${p.namespaceName}`,
  };

  const annotations: Record<string, string> = {
    [AZURE_LB_ANNOTATIONS.resourceGroup]: p.loadBalancerResourceGroup,
    [AZURE_LB_ANNOTATIONS.ipv4]: p.loadBalancerIp,
  };
  if (p.loadBalancerIpv6 !== undefined) {
    annotations[AZURE_LB_ANNOTATIONS.ipv6] = p.loadBalancerIpv6;
  }

  const tlsOption: Record<string, HelmValue> = { minVersion: p.minTlsVersion };
  if (p.minTlsVersion === "VersionTLS12") {
    tlsOption.cipherSuites = [...TRAEFIK_TLS12_CIPHER_SUITES];
  }

  const values: Record<string, HelmValue> = {
    image: {
      registry: p.image?.registry ?? "docker.io",
      repository: p.image?.repository ?? "traefik",
      ...(p.image?.tag !== undefined ? { tag: p.image.tag } : {}),
    },
    // No calls home from production ingress.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    deployment: { replicas: p.replicas },
    podDisruptionBudget:
      p.replicas >= 2 ? { enabled: true, minAvailable: p.minAvailable } : { enabled: false },
    // A named class that is not the default: only Ingresses that ask for Traefik are served.
    ingressClass: ingressProvider
      ? { enabled: true, isDefaultClass: false, name: TRAEFIK_INGRESS_CLASS }
      : { enabled: false },
    providers: {
      kubernetesCRD: { enabled: true },
      kubernetesIngress: ingressProvider
        ? { enabled: true, ingressClass: TRAEFIK_INGRESS_CLASS }
        : { enabled: false },
      kubernetesGateway: { enabled: false },
    },
    // The dashboard stays on the unexposed `traefik` port; no IngressRoute publishes it.
    ingressRoute: { dashboard: { enabled: false } },
    ports: {
      // null removes the chart's default entry points (Helm semantics) in favour of Altinn's names.
      web: null,
      websecure: null,
      [TRAEFIK_ENTRYPOINTS.http]: {
        port: 8000,
        expose: { default: true },
        exposedPort: 80,
        protocol: "TCP",
        ...((p.redirectHttpToHttps ?? true)
          ? {
              redirections: {
                entryPoint: { to: TRAEFIK_ENTRYPOINTS.https, scheme: "https", permanent: true },
              },
            }
          : {}),
        forwardedHeaders: { trustedIPs, insecure: false },
      },
      [TRAEFIK_ENTRYPOINTS.https]: {
        port: 8443,
        expose: { default: true },
        exposedPort: 443,
        protocol: "TCP",
        tls: { enabled: true },
        forwardedHeaders: { trustedIPs, insecure: false },
      },
    },
    tlsOptions: { default: tlsOption },
    service: {
      type: "LoadBalancer",
      annotations,
      spec: { externalTrafficPolicy: p.externalTrafficPolicy ?? "Local" },
      ...(dualStack ? { ipFamilyPolicy: "PreferDualStack", ipFamilies: ["IPv4", "IPv6"] } : {}),
    },
    resources: {
      requests: { ...p.resources.requests },
      limits: { ...p.resources.limits },
    },
    // Chart defaults already drop capabilities and run as 65532; they are repeated here so the
    // hardening is visible in review and survives a chart default change.
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
    },
    podSecurityContext: {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    },
    topologySpreadConstraints: [
      {
        // Never two replicas on one node while another node is free.
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: podLabels },
        matchLabelKeys: ["pod-template-hash"],
      },
      {
        // Spread across availability zones where the pool has them, without blocking scheduling.
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: podLabels },
        matchLabelKeys: ["pod-template-hash"],
      },
    ],
  };
  if (p.defaultCertificateSecretName !== undefined) {
    values.tlsStore = { default: { defaultCertificate: { secretName: p.defaultCertificateSecretName } } };
  }
  return values;
}
