/**
 * ORY Hydra, the OAuth 2.0 and OpenID Connect server. Its database comes from a DatabaseEndpoint
 * (in-cluster PostgreSQL or an Azure flexible server); the DSN is assembled in the pod from a
 * Secret, and the system secrets come from an operator-managed Secret.
 */
import type { Construct } from "constructs";
import {
  httpsUrlProblem,
  ingressProblems,
  type RequiredSecret,
  type ServiceIngress,
  secretNameProblem,
  serviceUrl,
  urlProblem,
} from "./common";
import { type DatabaseEndpoint, databaseEnv, databaseProblems } from "./database";
import { HelmService, type HelmServiceDefaults } from "./helm-service";
import {
  ORY_CHART_REPOSITORY,
  ORY_CHART_VERSION,
  ORY_POD_SECURITY,
  type OryServiceProps,
  oryIngressValues,
  oryLog,
  oryWorkload,
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

/** The chart OryHydra installs and its default namespace and release name. */
export const HYDRA_SERVICE: HelmServiceDefaults = {
  chart: { repository: ORY_CHART_REPOSITORY, chart: HYDRA_CHART_NAME, version: ORY_CHART_VERSION },
  namespace: "hydra",
  tlsSecretSuffix: "-public-tls",
};

/**
 * Hydra with migrations as a pre-install/upgrade Job, the admin API reachable only inside the
 * cluster, Hydra Maester (the OAuth2Client CRD controller) off, 2 replicas with a PDB.
 */
export class OryHydra extends HelmService {
  /** In-cluster public API (OAuth2/OIDC endpoints). */
  public readonly publicUrl: string;
  /** In-cluster admin API (client management, login/consent acceptance). */
  public readonly adminUrl: string;
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: OryHydraProps) {
    super(scope, id, props, HYDRA_SERVICE);
    const secretName = props.secretName ?? "hydra-secrets";
    const { replicas, resources, logLevel, problems: workloadProblems } = oryWorkload(props);

    this.validate([
      secretNameProblem("secretName", secretName),
      ...databaseProblems("database", props.database),
      httpsUrlProblem("issuerUrl", props.issuerUrl),
      urlProblem("loginUrl", props.loginUrl),
      urlProblem("consentUrl", props.consentUrl),
      props.logoutUrl === undefined ? undefined : urlProblem("logoutUrl", props.logoutUrl),
      ...workloadProblems,
      ...ingressProblems("ingress", props.ingress),
    ]);

    this.publicUrl = serviceUrl(`${this.releaseName}-public`, this.namespaceName, 4444);
    this.adminUrl = serviceUrl(`${this.releaseName}-admin`, this.namespaceName, 4445);
    this.install(
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
          ? { ingress: { public: oryIngressValues(props.ingress, this.defaultTlsSecretName) } }
          : {}),
      },
      ORY_POD_SECURITY,
    );
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
