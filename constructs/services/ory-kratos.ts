/**
 * ORY Kratos, identity and user management (login, registration, sessions). Database and secrets
 * as for Hydra; SMTP credentials come from the same operator Secret.
 */
import type { Construct } from "constructs";
import type { ContainerResources, HelmValue } from "../in-cluster/helm-values";
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

export const KRATOS_CHART_NAME = "kratos";

export const KRATOS_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "100m", memory: "256Mi" },
  limits: { memory: "512Mi" },
};

/** The default identity schema: an e-mail address that is the password identifier. */
export const KRATOS_DEFAULT_IDENTITY_SCHEMA = JSON.stringify({
  $id: "https://schemas.ory.sh/presets/kratos/identity.email.schema.json",
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Person",
  type: "object",
  properties: {
    traits: {
      type: "object",
      properties: {
        email: {
          type: "string",
          format: "email",
          title: "E-Mail",
          "ory.sh/kratos": {
            credentials: { password: { identifier: true } },
            recovery: { via: "email" },
            verification: { via: "email" },
          },
        },
      },
      required: ["email"],
      additionalProperties: false,
    },
  },
});

/** Self-service flows whose UI lives at `<uiUrl>/<flow>`. */
const FLOWS = ["login", "registration", "recovery", "verification", "settings", "error"] as const;

export interface OryKratosProps extends OryServiceProps {
  /** The database; see DatabaseEndpoint. */
  readonly database: DatabaseEndpoint;
  /** Public base URL of Kratos's public API, https (`serve.public.base_url`). */
  readonly publicUrl: string;
  /** Where browsers land after a flow without `return_to` (`selfservice.default_browser_return_url`). */
  readonly defaultReturnUrl: string;
  /**
   * Further allowed `return_to` targets.
   * @default - only defaultReturnUrl
   */
  readonly allowedReturnUrls?: readonly string[];
  /**
   * Base URL of the self-service UI; flows use `<uiUrl>/login`, `/registration`, ...
   * @default - Kratos's fallback pages
   */
  readonly uiUrl?: string;
  /**
   * Identity schema (JSON).
   * @default KRATOS_DEFAULT_IDENTITY_SCHEMA (e-mail and password)
   */
  readonly identitySchema?: string;
  /**
   * Sender of recovery and verification mail.
   * @default - Kratos's default sender
   */
  readonly smtpFromAddress?: string;
  /**
   * Secret in Kratos's namespace with keys `secretsDefault`, `secretsCookie`, `secretsCipher` (32
   * characters) and `smtpConnectionURI` (`smtps://user:password@host:465/`).
   * @default "kratos-secrets"
   */
  readonly secretName?: string;
  /**
   * Publish Kratos's public API (never the admin API).
   * @default - not published
   */
  readonly ingress?: ServiceIngress;
}

/** The chart OryKratos installs and its default namespace and release name. */
export const KRATOS_SERVICE: HelmServiceDefaults = {
  chart: { repository: ORY_CHART_REPOSITORY, chart: KRATOS_CHART_NAME, version: ORY_CHART_VERSION },
  namespace: "kratos",
  tlsSecretSuffix: "-public-tls",
};

/**
 * Kratos with migrations as a Job, JSON logs, bcrypt password hashing, XChaCha20-Poly1305 for
 * encrypted fields, the mail courier as its own StatefulSet, 2 replicas with a PDB.
 */
export class OryKratos extends HelmService {
  /** In-cluster public API; Oathkeeper checks sessions at `<publicServiceUrl>/sessions/whoami`. */
  public readonly publicServiceUrl: string;
  /** In-cluster admin API. */
  public readonly adminUrl: string;
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: OryKratosProps) {
    super(scope, id, props, KRATOS_SERVICE);
    const secretName = props.secretName ?? "kratos-secrets";
    const {
      replicas,
      resources,
      logLevel,
      problems: workloadProblems,
    } = oryWorkload(props, KRATOS_DEFAULT_RESOURCES);
    const schema = props.identitySchema ?? KRATOS_DEFAULT_IDENTITY_SCHEMA;

    this.validate([
      secretNameProblem("secretName", secretName),
      ...databaseProblems("database", props.database),
      httpsUrlProblem("publicUrl", props.publicUrl),
      urlProblem("defaultReturnUrl", props.defaultReturnUrl),
      ...(props.allowedReturnUrls ?? []).map((u, i) => urlProblem(`allowedReturnUrls[${i}]`, u)),
      props.uiUrl === undefined ? undefined : urlProblem("uiUrl", props.uiUrl),
      jsonProblem(schema),
      ...workloadProblems,
      ...ingressProblems("ingress", props.ingress),
    ]);

    this.publicServiceUrl = serviceUrl(`${this.releaseName}-public`, this.namespaceName, 80);
    this.adminUrl = serviceUrl(`${this.releaseName}-admin`, this.namespaceName, 80);
    const env: HelmValue[] = [
      ...databaseEnv(props.database),
      {
        name: "COURIER_SMTP_CONNECTION_URI",
        valueFrom: { secretKeyRef: { name: secretName, key: "smtpConnectionURI" } },
      },
    ];
    const flows: Record<string, HelmValue> = {};
    if (props.uiUrl !== undefined) {
      const base = props.uiUrl.replace(/\/+$/, "");
      for (const flow of FLOWS) {
        flows[flow] = { ui_url: `${base}/${flow}` };
      }
    }
    const workload = oryWorkloadValues({ replicas, resources, env, secretName });

    this.install(
      {
        ...workload,
        kratos: {
          development: false,
          automigration: { enabled: true, type: "job" },
          identitySchemas: { "identity.default.schema.json": schema },
          config: {
            serve: {
              public: { base_url: props.publicUrl, port: 4433 },
              admin: { base_url: `${this.adminUrl}/`, port: 4434 },
            },
            selfservice: {
              default_browser_return_url: props.defaultReturnUrl,
              allowed_return_urls: [props.defaultReturnUrl, ...(props.allowedReturnUrls ?? [])],
              methods: { password: { enabled: true } },
              ...(props.uiUrl !== undefined ? { flows } : {}),
            },
            identity: {
              default_schema_id: "default",
              schemas: [{ id: "default", url: "file:///etc/config/identity.default.schema.json" }],
            },
            hashers: { algorithm: "bcrypt" },
            ciphers: { algorithm: "xchacha20-poly1305" },
            ...(props.smtpFromAddress !== undefined
              ? { courier: { smtp: { from_address: props.smtpFromAddress } } }
              : {}),
            log: oryLog(logLevel),
          },
        },
        courier: { enabled: true },
        // The courier StatefulSet reads the same database and SMTP credentials (the chart gives it
        // the deployment's resources).
        statefulSet: { extraEnv: [...env] },
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
        keys: ["secretsDefault", "secretsCookie", "secretsCipher", "smtpConnectionURI"],
        // secretsCipher must be exactly 32 characters: the generated values are.
        generated: ["secretsDefault", "secretsCookie", "secretsCipher"],
        purpose: "Kratos default, cookie and cipher secrets, SMTP connection URI",
      },
      {
        namespace: this.namespaceName,
        name: props.database.passwordSecret.name,
        keys: [props.database.passwordSecret.key],
        purpose: `password of database role "${props.database.user}" (Kratos)`,
      },
    ];
  }
}

function jsonProblem(schema: string): string | undefined {
  try {
    JSON.parse(schema);
    return undefined;
  } catch {
    return "identitySchema is not valid JSON";
  }
}
