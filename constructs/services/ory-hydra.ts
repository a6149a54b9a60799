/**
 * ORY Hydra, the OAuth 2.0 and OpenID Connect server. Its database comes from a DatabaseEndpoint
 * (in-cluster PostgreSQL or an Azure flexible server); the DSN is assembled in the pod from a
 * Secret, and the system secrets come from an operator-managed Secret.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { type HelmValues, mergeValues } from "../in-cluster/helm-values";
import {
  createNamespace,
  defined,
  httpsUrlProblem,
  ingressProblems,
  installChart,
  nameProblem,
  type RequiredSecret,
  replicasProblem,
  resourcesFieldProblem,
  type ServiceIngress,
  secretNameProblem,
  serviceUrl,
  throwIfProblems,
  urlProblem,
} from "./common";
import { type DatabaseEndpoint, databaseEnv, databaseProblems } from "./database";
import {
  logLevelProblem,
  ORY_CHART_REPOSITORY,
  ORY_CHART_VERSION,
  ORY_DEFAULT_RESOURCES,
  ORY_POD_SECURITY,
  type OryServiceProps,
  oryIngressValues,
  oryLog,
  oryWorkloadValues,
} from "./ory-common";

export const HYDRA_CHART_NAME = "hydra";

export interface OryHydraProps extends OryServiceProps {
  /** The database; see DatabaseEndpoint. */
  readonly database: DatabaseEndpoint;
  /** Public issuer URL (`urls.self.issuer`), https, as clients and tokens see it. */
  readonly issuerUrl: string;
  /** The login UI that Hydra redirects to (`urls.login`). */
  readonly loginUrl: string;
  /** The consent UI (`urls.consent`). */
  readonly consentUrl: string;
  /**
   * The logout UI (`urls.logout`).
   * @default - Hydra's built-in fallback page
   */
  readonly logoutUrl?: string;
  /**
   * Secret in Hydra's namespace with keys `secretsSystem` (encrypts data at rest; rotate by
   * prepending) and `secretsCookie`.
   * @default "hydra-secrets"
   */
  readonly secretName?: string;
  /**
   * Publish Hydra's public API (never the admin API, which has no authentication).
   * @default - not published
   */
  readonly ingress?: ServiceIngress;
}

/**
 * Hydra with migrations as a pre-install/upgrade Job, the admin API reachable only inside the
 * cluster, Hydra Maester (the OAuth2Client CRD controller) off, 2 replicas with a PDB.
 */
export class OryHydra extends Construct {
  public readonly namespace: NamespaceV1;
  public readonly release: Release;
  public readonly values: HelmValues;
  public readonly chartVersion: string;
  public readonly namespaceName: string;
  /** In-cluster public API (OAuth2/OIDC endpoints). */
  public readonly publicUrl: string;
  /** In-cluster admin API (client management, login/consent acceptance). */
  public readonly adminUrl: string;
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: OryHydraProps) {
    super(scope, id);
    this.namespaceName = props.namespace ?? "hydra";
    const releaseName = props.releaseName ?? "hydra";
    const secretName = props.secretName ?? "hydra-secrets";
    const replicas = props.replicas ?? 2;
    const resources = props.resources ?? ORY_DEFAULT_RESOURCES;
    const logLevel = props.logLevel ?? "info";
    this.chartVersion = props.chartVersion ?? ORY_CHART_VERSION;

    throwIfProblems(
      this.node.path,
      defined([
        nameProblem("namespace", this.namespaceName),
        nameProblem("releaseName", releaseName),
        secretNameProblem("secretName", secretName),
        ...databaseProblems("database", props.database),
        httpsUrlProblem("issuerUrl", props.issuerUrl),
        urlProblem("loginUrl", props.loginUrl),
        urlProblem("consentUrl", props.consentUrl),
        props.logoutUrl === undefined ? undefined : urlProblem("logoutUrl", props.logoutUrl),
        replicasProblem("replicas", replicas),
        resourcesFieldProblem("resources", resources),
        logLevelProblem(logLevel),
        ...ingressProblems("ingress", props.ingress),
      ]),
    );

    this.publicUrl = serviceUrl(`${releaseName}-public`, this.namespaceName, 4444);
    this.adminUrl = serviceUrl(`${releaseName}-admin`, this.namespaceName, 4445);
    this.namespace = createNamespace(this, props.connection, this.namespaceName, ORY_POD_SECURITY);
    this.values = mergeValues(
      {
        ...oryWorkloadValues({ replicas, resources, env: databaseEnv(props.database), secretName }),
        hydra: {
          dev: false,
          automigration: { enabled: true, type: "job" },
          config: {
            serve: { public: { port: 4444 }, admin: { port: 4445 } },
            urls: {
              self: { issuer: props.issuerUrl },
              login: props.loginUrl,
              consent: props.consentUrl,
              ...(props.logoutUrl !== undefined ? { logout: props.logoutUrl } : {}),
            },
            oauth2: { expose_internal_errors: false },
            log: oryLog(logLevel),
          },
        },
        maester: { enabled: false },
        ...(props.ingress !== undefined
          ? { ingress: { public: oryIngressValues(props.ingress, `${releaseName}-public-tls`) } }
          : {}),
      },
      props.extraValues,
    );
    this.release = installChart(this, "release", {
      connection: props.connection,
      namespace: this.namespace,
      name: releaseName,
      source: { repository: ORY_CHART_REPOSITORY, chart: HYDRA_CHART_NAME, version: this.chartVersion },
      values: this.values,
      dependsOn: props.dependsOn,
    });
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: secretName,
        keys: ["secretsSystem", "secretsCookie"],
        generated: ["secretsSystem", "secretsCookie"],
        purpose: "Hydra system and cookie secrets",
      },
      {
        namespace: this.namespaceName,
        name: props.database.passwordSecret.name,
        keys: [props.database.passwordSecret.key],
        purpose: `password of database role "${props.database.user}" (Hydra)`,
      },
    ];
  }
}
