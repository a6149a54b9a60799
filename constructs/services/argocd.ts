/**
 * Argo CD for continuous delivery with Helm: the cluster pulls its workloads from Git. Terraform
 * installs Argo CD itself; Applications are then Git's business, not this stack's.
 */
import type { Construct } from "constructs";
import type { ContainerResources, HelmValues } from "../in-cluster/helm-values";
import {
  ingressProblems,
  type RequiredSecret,
  replicasProblem,
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  type ServiceIngress,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: argoproj/argo-helm `charts/argo-cd/Chart.yaml`, release 9.2.3 of
 * 2025-12-28 (Argo CD v3.2.3). Bump by reading the chart's README upgrade notes, then changing
 * this constant and the tests that assert it.
 */
export const ARGOCD_CHART_VERSION = "9.2.3";
/** The classic repository (the OCI mirror is `oci://ghcr.io/argoproj/argo-helm/argo-cd`). */
export const ARGOCD_CHART_REPOSITORY = "https://argoproj.github.io/argo-helm";
export const ARGOCD_CHART_NAME = "argo-cd";

export type ArgoCdComponent = "controller" | "server" | "repoServer" | "applicationSet" | "redis";

export const ARGOCD_DEFAULT_RESOURCES: Readonly<Record<ArgoCdComponent, ContainerResources>> = {
  controller: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
  server: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  repoServer: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  applicationSet: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
  redis: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
};

/**
 * How people sign in. `sso` needs OIDC settings in `configs.cm` (`oidc.config`, its client secret
 * referenced as `$<secret>:<key>`); `localAdmin` enables the `admin` account with the bcrypt hash
 * the operator stores in the `argocd-secret` Secret (then managed outside this chart).
 */
export type ArgoCdLogin = "sso" | "localAdmin";

export interface ArgoCdProps extends ServiceBaseProps {
  /**
   * Public host name; also Argo CD's `global.domain` (used in SSO redirect URLs).
   * @default - none; the UI is reached with `kubectl port-forward`
   */
  readonly domain?: string;
  /**
   * Publish the UI/API through the ingress controller (TLS ends at NGINX; the server then serves
   * plain HTTP inside the cluster).
   * @default - not published
   */
  readonly ingress?: ServiceIngress;
  /**
   * Sign-in method.
   * @default "sso" (the local admin account is disabled)
   */
  readonly login?: ArgoCdLogin;
  /**
   * OIDC configuration (`oidc.config` in argocd-cm) as YAML, with the client secret as a
   * `$secret:key` reference. Required with `login: "sso"` to be able to sign in at all.
   * @default - none
   */
  readonly oidcConfig?: string;
  /**
   * Replicas of the API server and repo server (the application controller runs one shard).
   * @default 2
   */
  readonly replicas?: number;
  /**
   * Container resources per component.
   * @default ARGOCD_DEFAULT_RESOURCES
   */
  readonly resources?: Partial<Record<ArgoCdComponent, ContainerResources>>;
}

/** The chart names the server's certificate Secret this, whatever the release is called. */
export const ARGOCD_TLS_SECRET = "argocd-server-tls";

/** The chart ArgoCd installs and its default namespace and release name. */
export const ARGOCD_SERVICE: HelmServiceDefaults = {
  chart: { repository: ARGOCD_CHART_REPOSITORY, chart: ARGOCD_CHART_NAME, version: ARGOCD_CHART_VERSION },
  namespace: "argocd",
};

/**
 * Argo CD with its CRDs (kept on uninstall, so Applications survive), Dex off, the local admin off
 * unless asked for, anonymous access and the web terminal off, the server not published unless an
 * ingress is given, HA API and repo servers with PDBs.
 */
export class ArgoCd extends HelmService {
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: ArgoCdProps = {}) {
    super(scope, id, props, ARGOCD_SERVICE);
    const login = props.login ?? "sso";
    const replicas = props.replicas ?? 2;
    const resources = { ...ARGOCD_DEFAULT_RESOURCES, ...props.resources };
    const ingress = props.ingress;
    const domain = props.domain ?? ingress?.host;

    this.validate([
      (["sso", "localAdmin"] as readonly string[]).includes(login)
        ? undefined
        : `login "${login}" is not allowed; use "sso" or "localAdmin"`,
      login === "localAdmin" && props.oidcConfig !== undefined
        ? 'oidcConfig is set with login "localAdmin"; use "sso" for OIDC, the local admin is a break-glass account'
        : undefined,
      ingress !== undefined && props.domain !== undefined && props.domain !== ingress.host
        ? `domain "${props.domain}" differs from ingress.host "${ingress.host}"; SSO redirects would point elsewhere`
        : undefined,
      ingress?.tlsSecretName !== undefined && ingress.tlsSecretName !== ARGOCD_TLS_SECRET
        ? `ingress.tlsSecretName "${ingress.tlsSecretName}" is not used; the chart always names the certificate Secret "${ARGOCD_TLS_SECRET}"`
        : undefined,
      replicasProblem("replicas", replicas),
      ...(Object.entries(resources) as [ArgoCdComponent, ContainerResources][]).map(([c, r]) =>
        resourcesFieldProblem(`resources.${c}`, r),
      ),
      ...ingressProblems("ingress", ingress),
    ]);

    const pdb: HelmValues = replicas >= 2 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    this.install({
      ...(domain !== undefined ? { global: { domain } } : {}),
      crds: { install: true, keep: true },
      dex: { enabled: false },
      configs: {
        cm: {
          "admin.enabled": login === "localAdmin",
          "users.anonymous.enabled": false,
          "exec.enabled": false,
          ...(props.oidcConfig !== undefined ? { "oidc.config": props.oidcConfig } : {}),
        },
        // TLS ends at the ingress controller when published.
        params: { "server.insecure": ingress !== undefined },
        // With the local admin, the operator owns argocd-secret (admin.password is a bcrypt
        // hash that must not pass through Terraform).
        secret: { createSecret: login !== "localAdmin" },
      },
      controller: { replicas: 1, resources: resourcesValue(resources.controller) },
      server: {
        replicas,
        pdb,
        resources: resourcesValue(resources.server),
        service: { type: "ClusterIP" },
        ingress:
          ingress === undefined
            ? { enabled: false }
            : {
                enabled: true,
                ingressClassName: ingress.ingressClassName ?? "",
                annotations: { ...ingress.annotations },
                hostname: ingress.host,
                tls: true,
              },
      },
      repoServer: { replicas, pdb, resources: resourcesValue(resources.repoServer) },
      applicationSet: { replicas: 1, resources: resourcesValue(resources.applicationSet) },
      redis: { resources: resourcesValue(resources.redis) },
      "redis-ha": { enabled: false },
    });
    this.requiredSecrets =
      login === "localAdmin"
        ? [
            {
              namespace: this.namespaceName,
              name: "argocd-secret",
              keys: ["admin.password", "admin.passwordMtime", "server.secretkey"],
              purpose: "Argo CD local admin (bcrypt hash) and the server's signing key",
            },
          ]
        : [];
  }
}
