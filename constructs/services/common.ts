/**
 * What every supporting service shares: the namespace it creates (with Pod Security labels), the
 * Helm release it installs (pinned chart, RELEASE_DEFAULTS, one YAML values document), secret
 * references, ingress exposure, in-cluster service URLs and validation that reports every problem
 * at once.
 */
import { Release } from "@cdktf/provider-helm/lib/release";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { type ITerraformDependable, Token } from "cdktf";
import type { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ClusterConnection } from "../in-cluster/cluster-connection";
import {
  type ContainerResources,
  type HelmValue,
  type HelmValues,
  RELEASE_DEFAULTS,
  resourcesProblem,
  toValuesYaml,
} from "../in-cluster/helm-values";
import { type NamespacePodSecurity, podSecurityNamespaceLabels } from "../in-cluster/pod-security";

/**
 * The cluster DNS domain used to build in-cluster service URLs. AKS and almost every distribution
 * use `cluster.local`; a cluster with another domain must override the URLs it wires.
 */
export const CLUSTER_DOMAIN = "cluster.local";

/** Fully qualified in-cluster host name of a Service. */
export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** In-cluster URL of a Service port. */
export function serviceUrl(service: string, namespace: string, port: number, scheme = "http"): string {
  return `${scheme}://${serviceHost(service, namespace)}:${port}`;
}

/**
 * A key of a Kubernetes Secret that lives in the namespace of the workload that reads it
 * (`secretKeyRef` cannot cross namespaces). The value is never known to Terraform: the operator
 * creates the Secret, or syncs it from Key Vault with the Key Vault secrets provider.
 */
export interface SecretKeyRef {
  /** Secret name. */
  readonly name: string;
  /** Key inside the Secret. */
  readonly key: string;
}

/** A Secret the operator must create (or sync) before the release installs. */
export interface RequiredSecret {
  /** Namespace the Secret must exist in. */
  readonly namespace: string;
  /** Secret name. */
  readonly name: string;
  /** Keys the Secret must hold. */
  readonly keys: readonly string[];
  /** What reads it and why. */
  readonly purpose: string;
  /**
   * Keys whose value may be any random string, so the bundle generates them (constructs/services/
   * secrets.ts); the other keys are provided by the pipeline.
   * @default - none
   */
  readonly generated?: readonly string[];
}

/**
 * A host name published through the ingress controller. The certificate is issued by cert-manager
 * through the annotations, or provided by the operator as `tlsSecretName`.
 */
export interface ServiceIngress {
  /** Public host name, e.g. `grafana.example.com`. */
  readonly host: string;
  /**
   * IngressClass of the controller that serves the host.
   * @default - required; the bundle sets its ingress controller's class (Traefik's in fleet
   * clusters, NGINX's elsewhere)
   */
  readonly ingressClassName?: string;
  /**
   * Annotations of the Ingress, e.g. the cert-manager issuer.
   * @default - none; the bundle adds the cert-manager annotations when cert-manager is enabled
   */
  readonly annotations?: Readonly<Record<string, string>>;
  /**
   * Secret (in the service's namespace) holding the certificate; cert-manager creates it when the
   * issuer annotation is present.
   * @default "<release>-tls"
   */
  readonly tlsSecretName?: string;
}

/** Props every supporting service accepts. */
export interface ServiceBaseProps {
  /**
   * The connection whose providers install the service.
   * @default - the stack's default (unaliased) helm and kubernetes providers
   */
  readonly connection?: ClusterConnection;
  /**
   * Namespace, created by the construct with Pod Security labels. Changing it replaces the
   * namespace and the release (and deletes persistent volumes claimed in it).
   * @default - the service's own name (see each construct)
   */
  readonly namespace?: string;
  /**
   * Helm release name. Changing it replaces the release; in-cluster service names derive from it.
   * @default - the service's own name (see each construct)
   */
  readonly releaseName?: string;
  /**
   * Chart version override, for testing a bump on one cluster before changing the pin.
   * @default - the pinned version of the construct
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the computed ones (maps merge, lists replace), for settings the construct
   * has no prop for. Never put a credential here: the values land in the synthesized JSON.
   * @default - none
   */
  readonly extraValues?: HelmValues;
  /**
   * Resources the release must wait for (e.g. the database release before migrations run).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Where a chart comes from. */
export interface ChartSource {
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
}

/** Creates the namespace of a service with Pod Security labels. */
export function createNamespace(
  scope: Construct,
  connection: ClusterConnection | undefined,
  name: string,
  security: NamespacePodSecurity,
): NamespaceV1 {
  return new NamespaceV1(scope, "namespace", {
    provider: connection?.kubernetesProvider,
    metadata: {
      name,
      labels: {
        ...podSecurityNamespaceLabels(security),
        "app.kubernetes.io/managed-by": "terraform",
      },
    },
  });
}

/** Installs a chart into a namespace with the library's release defaults. */
export function installChart(
  scope: Construct,
  id: string,
  options: {
    readonly connection: ClusterConnection | undefined;
    readonly namespace: NamespaceV1;
    readonly name: string;
    readonly source: ChartSource;
    readonly values: HelmValues;
    readonly dependsOn?: ITerraformDependable[];
  },
): Release {
  return new Release(scope, id, {
    provider: options.connection?.helmProvider,
    name: options.name,
    repository: options.source.repository,
    chart: options.source.chart,
    version: options.source.version,
    // Referencing the namespace resource orders the release after it and deletes it first.
    namespace: options.namespace.metadata.name,
    ...RELEASE_DEFAULTS,
    values: [toValuesYaml(options.values)],
    dependsOn: options.dependsOn,
  });
}

/** Helm `resources` for one container. */
export function resourcesValue(resources: ContainerResources): HelmValues {
  return { requests: { ...resources.requests }, limits: { ...resources.limits } };
}

/** The chart's ingress entries for one host, in the shape most charts use. */
export function ingressTls(ingress: ServiceIngress, defaultSecret: string): HelmValue[] {
  return [{ secretName: ingress.tlsSecretName ?? defaultSecret, hosts: [ingress.host] }];
}

/** Throws one ConstructValidationError listing every problem, or returns. */
export function throwIfProblems(path: string, problems: readonly string[]): void {
  if (problems.length === 1) {
    throw new ConstructValidationError(path, problems[0]!);
  }
  if (problems.length > 1) {
    throw new ConstructValidationError(
      path,
      `${problems.length} problems:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
  }
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const STORAGE = /^[0-9]+(Mi|Gi|Ti)$/;

/** A Kubernetes name (namespace, release, Service): a DNS label. */
export function nameProblem(field: string, value: string): string | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  return value.length <= 53 && DNS_LABEL.test(value)
    ? undefined
    : `${field} "${value}" is not a valid name; use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit`;
}

/** A Secret name (DNS subdomain) and key. */
export function secretRefProblems(field: string, ref: SecretKeyRef): string[] {
  const problems: string[] = [];
  if (!Token.isUnresolved(ref.name) && (ref.name.length > 253 || !DNS_SUBDOMAIN.test(ref.name))) {
    problems.push(
      `${field}.name "${ref.name}" is not a valid Secret name; use lowercase letters, digits, '-' and '.'`,
    );
  }
  if (!Token.isUnresolved(ref.key) && !/^[-._a-zA-Z0-9]+$/.test(ref.key)) {
    problems.push(
      `${field}.key "${ref.key}" is not a valid Secret key; use letters, digits, '-', '_' and '.'`,
    );
  }
  return problems;
}

/** A Secret name alone. */
export function secretNameProblem(field: string, name: string): string | undefined {
  return secretRefProblems(field, { name, key: "x" })[0];
}

/** A whole number of replicas, at least `min`. */
export function replicasProblem(field: string, value: number, min = 1): string | undefined {
  return Number.isInteger(value) && value >= min
    ? undefined
    : `${field} ${value} must be a whole number of at least ${min}`;
}

/** A persistent volume size in Mi, Gi or Ti. */
export function storageProblem(field: string, value: string): string | undefined {
  return Token.isUnresolved(value) || STORAGE.test(value)
    ? undefined
    : `${field} "${value}" is not a volume size; use e.g. "10Gi"`;
}

/** Container resources, prefixed with the field name. */
export function resourcesFieldProblem(field: string, resources: ContainerResources): string | undefined {
  const problem = resourcesProblem(resources);
  return problem === undefined ? undefined : `${field}: ${problem}`;
}

/** An absolute http(s) URL. */
export function urlProblem(field: string, value: string): string | undefined {
  if (Token.isUnresolved(value)) {
    return undefined;
  }
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:"
      ? undefined
      : `${field} "${value}" must be an http or https URL`;
  } catch {
    return `${field} "${value}" is not an absolute URL; use e.g. "https://auth.example.com/"`;
  }
}

/** A public URL must use https: browsers and OAuth2 clients send cookies and tokens to it. */
export function httpsUrlProblem(field: string, value: string): string | undefined {
  const problem = urlProblem(field, value);
  if (problem !== undefined || Token.isUnresolved(value)) {
    return problem;
  }
  return new URL(value).protocol === "https:"
    ? undefined
    : `${field} "${value}" must use https; cookies and tokens must not travel in clear text`;
}

/** A DNS host name. */
export function hostProblem(field: string, value: string): string | undefined {
  return Token.isUnresolved(value) || (value.length <= 253 && DNS_SUBDOMAIN.test(value))
    ? undefined
    : `${field} "${value}" is not a DNS host name; use e.g. "grafana.example.com"`;
}

/** Problems of an ingress exposure. */
export function ingressProblems(field: string, ingress: ServiceIngress | undefined): string[] {
  if (ingress === undefined) {
    return [];
  }
  const problems = [hostProblem(`${field}.host`, ingress.host)];
  if (ingress.ingressClassName === undefined) {
    problems.push(
      `${field}.ingressClassName is not set; name the IngressClass that serves ${ingress.host} (the bundle sets it when nginx is enabled)`,
    );
  }
  if (ingress.tlsSecretName !== undefined) {
    problems.push(secretNameProblem(`${field}.tlsSecretName`, ingress.tlsSecretName));
  }
  return problems.filter((p): p is string => p !== undefined);
}

/** Drops undefined entries. */
export function defined(problems: readonly (string | undefined)[]): string[] {
  return problems.filter((p): p is string => p !== undefined);
}
