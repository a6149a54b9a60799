/**
 * cert-manager with its CRDs, and an ACME ClusterIssuer (Let's Encrypt, HTTP-01 through the NGINX
 * IngressClass) that issues the certificates of every Ingress that names it.
 *
 * The ClusterIssuer is a second Helm release of a raw-manifest chart that depends on the first.
 * It cannot live in the cert-manager release (`extraObjects`): Helm maps every object of a release
 * to an API before creating any, and the ClusterIssuer kind does not exist until the CRDs in the
 * same release are created, so the first install fails (cert-manager/cert-manager#7096). A
 * `kubernetes_manifest` fails the same way at plan time, before cert-manager exists.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import { Token } from "cdktf";
import type { Construct } from "constructs";
import type { ContainerResources, HelmValues } from "../in-cluster/helm-values";
import {
  installChart,
  nameProblem,
  replicasProblem,
  resourcesFieldProblem,
  resourcesValue,
  type ServiceBaseProps,
  urlProblem,
} from "./common";
import { HelmService, type HelmServiceDefaults } from "./helm-service";

/**
 * The chart pin. Source: jetstack chart index, cert-manager v1.19.2 (release branch 1.19 cut
 * 2025-10-07). Bump by reading the release notes and upgrade guide for the minor version, then
 * changing this constant and the tests that assert it.
 */
export const CERT_MANAGER_CHART_VERSION = "v1.19.2";
/** The project's only supported chart source (the OCI mirror is `oci://quay.io/jetstack/charts`). */
export const CERT_MANAGER_CHART_REPOSITORY = "https://charts.jetstack.io";
export const CERT_MANAGER_CHART_NAME = "cert-manager";

/**
 * The raw-manifest chart that carries the ClusterIssuer. Source: bedag/helm-charts
 * `charts/raw` at tag raw-2.0.2 (renders `resources` as given, adds common labels); published
 * versions are 1.0.0, 1.1.0, 2.0.0 and 2.0.2 (there is no 2.0.1).
 */
export const RAW_CHART_VERSION = "2.0.2";
export const RAW_CHART_REPOSITORY = "https://bedag.github.io/helm-charts/";
export const RAW_CHART_NAME = "raw";

/** Let's Encrypt ACME directories. */
export const LETS_ENCRYPT_SERVERS = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

/**
 * What happens to a certificate's private key on renewal. cert-manager 1.18 changed the default
 * from `Never` to `Always`; this library sets it explicitly either way.
 */
export type PrivateKeyRotationPolicy = "Always" | "Never";

/** cert-manager's components. */
export type CertManagerComponent = "controller" | "webhook" | "cainjector";

export const CERT_MANAGER_DEFAULT_RESOURCES: Readonly<Record<CertManagerComponent, ContainerResources>> = {
  controller: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  webhook: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "128Mi" } },
  cainjector: { requests: { cpu: "20m", memory: "128Mi" }, limits: { memory: "256Mi" } },
};

/** An ACME ClusterIssuer solving HTTP-01 challenges through an ingress controller. */
export interface AcmeClusterIssuerProps {
  /**
   * ClusterIssuer name, referenced by Ingress annotations.
   * @default "letsencrypt"
   */
  readonly name?: string;
  /**
   * `production`, `staging` (untrusted certificates, generous rate limits) or an ACME directory URL.
   * @default "production"
   */
  readonly server?: string;
  /**
   * Contact address for the ACME account.
   * @default - none (Let's Encrypt no longer sends expiry mail)
   */
  readonly email?: string;
  /**
   * IngressClass whose controller serves the HTTP-01 challenge.
   * @default - required; the bundle sets the NGINX routing class
   */
  readonly ingressClassName?: string;
}

export interface CertManagerProps extends ServiceBaseProps {
  /**
   * Replicas of the controller, webhook and cainjector. Below 2 a node drain stops issuance and,
   * for the webhook, rejects every cert-manager object.
   * @default 2
   */
  readonly replicas?: number;
  /**
   * The private key rotation policy of every Certificate that does not set one, enforced through
   * the `DefaultPrivateKeyRotationPolicyAlways` feature gate, and set on Ingress annotations.
   * @default "Always"
   */
  readonly privateKeyRotationPolicy?: PrivateKeyRotationPolicy;
  /**
   * The ACME ClusterIssuer, or `false` for cert-manager alone (e.g. a CA issuer added elsewhere).
   * @default - Let's Encrypt production; needs `ingressClassName`
   */
  readonly acme?: AcmeClusterIssuerProps | false;
  /**
   * Container resources per component.
   * @default CERT_MANAGER_DEFAULT_RESOURCES
   */
  readonly resources?: Partial<Record<CertManagerComponent, ContainerResources>>;
  /**
   * Version override of the raw chart that carries the ClusterIssuer.
   * @default RAW_CHART_VERSION
   */
  readonly rawChartVersion?: string;
}

/** The chart CertManager installs and its default namespace and release name. */
export const CERT_MANAGER_SERVICE: HelmServiceDefaults = {
  chart: {
    repository: CERT_MANAGER_CHART_REPOSITORY,
    chart: CERT_MANAGER_CHART_NAME,
    version: CERT_MANAGER_CHART_VERSION,
  },
  namespace: "cert-manager",
};

/**
 * cert-manager from the jetstack chart with `crds.enabled` (and `crds.keep`, so uninstalling the
 * release never deletes every Certificate), HA controller, webhook and cainjector, an explicit
 * private key rotation policy, and an ACME ClusterIssuer that is also the ingress-shim default.
 */
export class CertManager extends HelmService {
  /** The release holding the ClusterIssuer; absent with `acme: false`. */
  public readonly issuerRelease?: Release;
  /** The values of the issuer release. */
  public readonly issuerValues?: HelmValues;
  /** The ClusterIssuer name, when one is created. */
  public readonly clusterIssuerName?: string;
  public readonly privateKeyRotationPolicy: PrivateKeyRotationPolicy;

  constructor(scope: Construct, id: string, props: CertManagerProps = {}) {
    super(scope, id, props, CERT_MANAGER_SERVICE);
    const replicas = props.replicas ?? 2;
    this.privateKeyRotationPolicy = props.privateKeyRotationPolicy ?? "Always";
    const resources = { ...CERT_MANAGER_DEFAULT_RESOURCES, ...props.resources };
    const acme = props.acme === false ? undefined : (props.acme ?? {});
    const issuerName = acme?.name ?? "letsencrypt";
    const server =
      acme?.server === undefined || acme.server === "production"
        ? LETS_ENCRYPT_SERVERS.production
        : acme.server === "staging"
          ? LETS_ENCRYPT_SERVERS.staging
          : acme.server;

    this.validate([
      replicasProblem("replicas", replicas),
      (["Always", "Never"] as readonly string[]).includes(this.privateKeyRotationPolicy)
        ? undefined
        : `privateKeyRotationPolicy "${this.privateKeyRotationPolicy}" is not allowed; use "Always" or "Never"`,
      ...(Object.entries(resources) as [CertManagerComponent, ContainerResources][]).map(([c, r]) =>
        resourcesFieldProblem(`resources.${c}`, r),
      ),
      ...(acme === undefined
        ? []
        : [
            nameProblem("acme.name", issuerName),
            urlProblem("acme.server", server),
            acme.ingressClassName === undefined
              ? "acme.ingressClassName is not set; the HTTP-01 solver needs the IngressClass of the controller that serves challenges (enable nginx in the bundle, or set it), or pass acme: false"
              : nameProblem("acme.ingressClassName", acme.ingressClassName),
            acme.email === undefined || Token.isUnresolved(acme.email) || /^[^@\s]+@[^@\s]+$/.test(acme.email)
              ? undefined
              : `acme.email "${acme.email}" is not an e-mail address`,
          ]),
    ]);

    const pdb: HelmValues = replicas >= 2 ? { enabled: true, minAvailable: 1 } : { enabled: false };
    this.install({
      crds: { enabled: true, keep: true },
      replicaCount: replicas,
      podDisruptionBudget: pdb,
      resources: resourcesValue(resources.controller),
      // Beta and on by default in 1.18/1.19; set so the policy is visible and survives a
      // default change. Remove the gate when it goes GA (1.20 rejects disabling it).
      featureGates: `DefaultPrivateKeyRotationPolicyAlways=${this.privateKeyRotationPolicy === "Always"}`,
      ...(acme !== undefined
        ? {
            ingressShim: {
              defaultIssuerName: issuerName,
              defaultIssuerKind: "ClusterIssuer",
              defaultIssuerGroup: "cert-manager.io",
            },
          }
        : {}),
      prometheus: { enabled: true },
      webhook: {
        replicaCount: replicas,
        podDisruptionBudget: pdb,
        resources: resourcesValue(resources.webhook),
      },
      cainjector: {
        replicaCount: replicas,
        podDisruptionBudget: pdb,
        resources: resourcesValue(resources.cainjector),
      },
    });

    if (acme !== undefined) {
      this.clusterIssuerName = issuerName;
      this.issuerValues = {
        resources: [
          {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: issuerName },
            spec: {
              acme: {
                server,
                ...(acme.email !== undefined ? { email: acme.email } : {}),
                // The ACME account key, generated by cert-manager in its namespace.
                privateKeySecretRef: { name: `${issuerName}-account-key` },
                solvers: [{ http01: { ingress: { ingressClassName: acme.ingressClassName ?? "" } } }],
              },
            },
          },
        ],
      };
      this.issuerRelease = installChart(this, "issuers", {
        connection: props.connection,
        namespace: this.namespace,
        name: `${this.releaseName}-issuers`,
        source: {
          repository: RAW_CHART_REPOSITORY,
          chart: RAW_CHART_NAME,
          version: props.rawChartVersion ?? RAW_CHART_VERSION,
        },
        values: this.issuerValues,
        // The CRDs and the webhook (which validates the ClusterIssuer) come from this release.
        dependsOn: [this.release],
      });
    }
  }

  /**
   * Annotations that make cert-manager's ingress-shim issue an Ingress's certificate from the
   * ClusterIssuer, with the rotation policy stated explicitly.
   */
  public get ingressAnnotations(): Readonly<Record<string, string>> {
    if (this.clusterIssuerName === undefined) {
      return {};
    }
    return {
      "cert-manager.io/cluster-issuer": this.clusterIssuerName,
      "cert-manager.io/private-key-rotation-policy": this.privateKeyRotationPolicy,
    };
  }
}
