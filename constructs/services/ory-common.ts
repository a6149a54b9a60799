/**
 * What the four ORY constructs share: the chart repository (moved to k8s.ory.com), the version pin,
 * the Pod Security level, the workload values (replicas, PDB, resources, env) and the ingress shape.
 */
import type { ContainerResources, HelmValue, HelmValues } from "../in-cluster/helm-values";
import type { NamespacePodSecurity } from "../in-cluster/pod-security";
import type { ServiceBaseProps, ServiceIngress } from "./common";
import { replicasProblem, resourcesFieldProblem, resourcesValue } from "./common";

/**
 * The chart pin, shared by hydra, kratos, keto and oathkeeper (ORY releases them together).
 * Source: ory/k8s `helm/charts/*\/Chart.yaml`, release 0.60.0 of 2025-11-13 (ORY v25.4.0). Bump
 * by reading each chart's values diff, then changing this constant and the tests that assert it.
 */
export const ORY_CHART_VERSION = "0.60.0";
/**
 * ORY's chart repository. ory/k8s#866 (2026-04-08) moved it from `https://k8s.ory.sh/helm/charts`
 * to this address; the old host is not used.
 */
export const ORY_CHART_REPOSITORY = "https://k8s.ory.com/helm/charts";

/**
 * Not every pod the ORY charts render (migration jobs, the Kratos courier) sets a seccomp profile,
 * so the namespaces enforce `baseline` and report `restricted` violations; the main deployments
 * get a RuntimeDefault seccomp profile here.
 */
export const ORY_POD_SECURITY: NamespacePodSecurity = { enforce: "baseline", report: "restricted" };

export type OryLogLevel = "debug" | "info" | "warn" | "error";

export const ORY_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { memory: "256Mi" },
};

/** Props every ORY construct accepts. */
export interface OryServiceProps extends ServiceBaseProps {
  /**
   * Pods of the main deployment. The ORY servers are stateless; 2 survive a node drain.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Container resources of the main deployment.
   * @default ORY_DEFAULT_RESOURCES (requests 50m/128Mi, memory limit 256Mi), Kratos 100m/256Mi/512Mi
   */
  readonly resources?: ContainerResources;
  /**
   * Log level; logs are JSON and never contain sensitive values.
   * @default "info"
   */
  readonly logLevel?: OryLogLevel;
}

/** An ORY service's replicas, resources and log level (props or defaults) and their problems. */
export function oryWorkload(
  props: OryServiceProps,
  defaultResources: ContainerResources = ORY_DEFAULT_RESOURCES,
): {
  readonly replicas: number;
  readonly resources: ContainerResources;
  readonly logLevel: OryLogLevel;
  readonly problems: readonly (string | undefined)[];
} {
  const replicas = props.replicas ?? 2;
  const resources = props.resources ?? defaultResources;
  const logLevel = props.logLevel ?? "info";
  return {
    replicas,
    resources,
    logLevel,
    problems: [
      replicasProblem("replicas", replicas),
      resourcesFieldProblem("resources", resources),
      logLevelProblem(logLevel),
    ],
  };
}

/** Deployment, migration job and PDB values in the shape the four charts share. */
export function oryWorkloadValues(options: {
  readonly replicas: number;
  readonly resources: ContainerResources;
  readonly env: readonly HelmValue[];
  /** Operator-managed Secret the chart reads its own keys from, instead of creating one. */
  readonly secretName?: string;
  /**
   * Oathkeeper's chart has no migration job and sets the pod security context at the top level
   * (`podSecurityContext`); Hydra, Keto and Kratos run a migration job and take it under
   * `deployment` (their values.yaml at chart 0.60.0).
   */
  readonly proxyOnly?: boolean;
}): HelmValues {
  const env = [...options.env];
  const podSecurityContext = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
  if (options.proxyOnly) {
    return {
      replicaCount: options.replicas,
      podSecurityContext,
      deployment: { resources: resourcesValue(options.resources), extraEnv: env },
      pdb: options.replicas >= 2 ? { enabled: true, spec: { minAvailable: 1 } } : { enabled: false },
    };
  }
  return {
    replicaCount: options.replicas,
    // The charts' own Secret would hold the DSN (with the password) and generated system secrets
    // in Helm's release record; the operator's Secret replaces it.
    secret:
      options.secretName === undefined
        ? { enabled: false }
        : { enabled: false, nameOverride: options.secretName },
    deployment: {
      resources: resourcesValue(options.resources),
      extraEnv: env,
      podSecurityContext,
    },
    job: { extraEnv: env },
    pdb: options.replicas >= 2 ? { enabled: true, spec: { minAvailable: 1 } } : { enabled: false },
  };
}

/** An ORY chart's ingress entry (`ingress.public`, `ingress.proxy`). */
export function oryIngressValues(ingress: ServiceIngress, defaultSecret: string): HelmValues {
  return {
    enabled: true,
    className: ingress.ingressClassName ?? "",
    annotations: { ...ingress.annotations },
    hosts: [{ host: ingress.host, paths: [{ path: "/", pathType: "Prefix" }] }],
    tls: [{ secretName: ingress.tlsSecretName ?? defaultSecret, hosts: [ingress.host] }],
  };
}

/** ORY's log configuration. */
export function oryLog(level: OryLogLevel): HelmValues {
  return { level, format: "json", leak_sensitive_values: false };
}

export const ORY_LOG_LEVELS: readonly OryLogLevel[] = ["debug", "info", "warn", "error"];

/** A log level problem. */
export function logLevelProblem(level: string): string | undefined {
  return (ORY_LOG_LEVELS as readonly string[]).includes(level)
    ? undefined
    : `logLevel "${level}" is not allowed; use one of ${ORY_LOG_LEVELS.join(", ")}`;
}
