/**
 * NGINX for routing: F5 NGINX Ingress Controller (`nginx/kubernetes-ingress`, chart
 * `nginx-ingress`), the open-source controller maintained by NGINX/F5. Not the community
 * `kubernetes/ingress-nginx`, which was retired in March 2026 and must not be deployed anew.
 * Why this one and not NGINX Gateway Fabric: see README ("NGINX routing").
 */
import { isIPv4 } from "node:net";
import { Token } from "cdktf";
import type { Construct } from "constructs";
import type { ContainerResources } from "../in-cluster/helm-values";
import { AZURE_LB_ANNOTATIONS, type ExternalTrafficPolicy } from "../in-cluster/traefik";
import {
  nameProblem,
  replicasProblem,
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: nginx/kubernetes-ingress `charts/nginx-ingress/Chart.yaml` at tag v5.5.4:
 * chart 2.6.4 (NGINX Ingress Controller 5.5.4), the last released chart of the 2.x line (2.7.x
 * exists only unreleased on main). Bump by reading the controller's release notes and the
 * values diff, then changing this constant and the tests that assert it.
 */
export const NGINX_CHART_VERSION = "2.6.4";
/** The OCI location NGINX documents (the classic repo is `https://helm.nginx.com/stable`). */
export const NGINX_CHART_REPOSITORY = "oci://ghcr.io/nginx/charts";
export const NGINX_CHART_NAME = "nginx-ingress";

export const NGINX_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "100m", memory: "128Mi" },
  limits: { memory: "512Mi" },
};

export interface NginxRoutingProps extends ServiceBaseProps {
  /**
   * Controller pods. Below 2, every node drain is a routing outage.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * IngressClass the controller creates and serves. Other controllers (Traefik) keep their own.
   * @default "nginx"
   */
  readonly ingressClassName?: string;
  /**
   * Make the class the cluster default for Ingresses without a class.
   * @default false
   */
  readonly defaultIngressClass?: boolean;
  /**
   * Static public IPv4 of the LoadBalancer Service (Azure), with its resource group.
   * @default - a dynamic address from the cloud provider
   */
  readonly loadBalancer?: { readonly ip: string; readonly resourceGroup: string };
  /**
   * Make the Service internal (an Azure internal load balancer), e.g. behind Application Gateway.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * `Local` keeps the client source IP; `Cluster` adds a hop and SNATs it.
   * @default "Local"
   */
  readonly externalTrafficPolicy?: ExternalTrafficPolicy;
  /**
   * Container resources.
   * @default NGINX_DEFAULT_RESOURCES (requests 100m/128Mi, memory limit 512Mi)
   */
  readonly resources?: ContainerResources;
}

/** The chart NginxRouting installs and its default namespace and release name. */
export const NGINX_SERVICE: HelmServiceDefaults = {
  chart: { repository: NGINX_CHART_REPOSITORY, chart: NGINX_CHART_NAME, version: NGINX_CHART_VERSION },
  namespace: "nginx-ingress",
};

/**
 * F5 NGINX Ingress Controller serving standard `Ingress` objects of one IngressClass: 2 replicas
 * with a PodDisruptionBudget, read-only root filesystem, no configuration snippets (they allow
 * arbitrary NGINX config from any namespace), TLS 1.2+, no version in responses, no telemetry.
 * Custom resources (VirtualServer, Policy) stay off: since controller 5.0 their CRDs are not part
 * of the chart, and plain Ingress is what cert-manager's HTTP-01 solver and the service charts use.
 */
export class NginxRouting extends HelmService {
  /** The IngressClass to put on Ingresses (and on cert-manager's HTTP-01 solver). */
  public readonly ingressClassName: string;

  constructor(scope: Construct, id: string, props: NginxRoutingProps = {}) {
    super(scope, id, props, NGINX_SERVICE);
    this.ingressClassName = props.ingressClassName ?? "nginx";
    const replicas = props.replicas ?? 2;
    const resources = props.resources ?? NGINX_DEFAULT_RESOURCES;
    const lb = props.loadBalancer;

    this.validate([
      nameProblem("ingressClassName", this.ingressClassName),
      replicasProblem("replicas", replicas),
      resourcesFieldProblem("resources", resources),
      lb !== undefined && !Token.isUnresolved(lb.ip) && !isIPv4(lb.ip)
        ? `loadBalancer.ip "${lb.ip}" is not an IPv4 address; pass the static public IP's address`
        : undefined,
      lb !== undefined && props.internal === true
        ? "loadBalancer (a public IP) and internal: true exclude each other; choose one"
        : undefined,
    ]);

    const annotations: Record<string, string> = {};
    if (lb !== undefined) {
      annotations[AZURE_LB_ANNOTATIONS.resourceGroup] = lb.resourceGroup;
      annotations[AZURE_LB_ANNOTATIONS.ipv4] = lb.ip;
    }
    if (props.internal === true) {
      annotations["service.beta.kubernetes.io/azure-load-balancer-internal"] = "true";
    }

    this.install({
      controller: {
        kind: "deployment",
        replicaCount: replicas,
        ingressClass: {
          name: this.ingressClassName,
          create: true,
          setAsDefaultIngress: props.defaultIngressClass ?? false,
        },
        enableCustomResources: false,
        // Snippets let any namespace inject raw NGINX config: a cross-tenant escalation path.
        enableSnippets: false,
        readOnlyRootFilesystem: true,
        // The chart's container default adds only NET_BIND_SERVICE and runs as UID 101; the pod
        // level makes the restricted profile explicit.
        podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
        resources: resourcesValue(resources),
        podDisruptionBudget: replicas >= 2 ? { enabled: true, minAvailable: 1 } : { enabled: false },
        telemetryReporting: { enable: false },
        config: {
          entries: {
            "server-tokens": "False",
            "ssl-protocols": "TLSv1.2 TLSv1.3",
          },
        },
        service: {
          type: "LoadBalancer",
          externalTrafficPolicy: props.externalTrafficPolicy ?? "Local",
          annotations,
        },
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "kubernetes.io/hostname",
            whenUnsatisfiable: "ScheduleAnyway",
            labelSelector: { matchLabels: { "app.kubernetes.io/instance": this.releaseName } },
          },
        ],
      },
      prometheus: { create: true },
    });
  }
}
