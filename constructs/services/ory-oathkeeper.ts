/**
 * ORY Oathkeeper, the identity and access proxy in front of services: it authenticates requests
 * with Kratos sessions (cookie or session token), asks Keto whether the subject may act, and
 * passes a signed ID token upstream.
 */
import type { Construct } from "constructs";
import type { HelmValue, HelmValues } from "../in-cluster/helm-values";
import {
  ingressProblems,
  type RequiredSecret,
  type ServiceIngress,
  secretNameProblem,
  serviceUrl,
  urlProblem,
} from "./common";
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

export const OATHKEEPER_CHART_NAME = "oathkeeper";

/** The file the JWKS Secret key is mounted as (the chart's `secret.filename`). */
export const OATHKEEPER_JWKS_FILE = "mutator.id_token.jwks.json";

/** Where the chart mounts the JWKS Secret (`secret.mountPath`). */
export const OATHKEEPER_SECRET_MOUNT = "/etc/secrets";

/** How a rule authenticates: a Kratos session cookie, a Kratos session token, or nobody. */
export type OathkeeperAuthenticator = "cookie_session" | "bearer_token" | "anonymous";
/** What a rule passes upstream: a signed ID token (JWT), an `X-User` header, or nothing. */
export type OathkeeperMutator = "id_token" | "header" | "noop";

/** A Keto check: may the authenticated subject have `relation` on `object` in `namespace`? */
export interface KetoCheck {
  readonly namespace: string;
  readonly object: string;
  readonly relation: string;
}

/** An access rule (Oathkeeper's rule format, typed). */
export interface OathkeeperAccessRule {
  /** Unique rule id. */
  readonly id: string;
  /** The requests the rule matches: a glob URL (`<https://app.example.com/api/<**>>`) and methods. */
  readonly match: { readonly url: string; readonly methods: readonly string[] };
  /** Where matched requests go. */
  readonly upstream: { readonly url: string; readonly stripPath?: string; readonly preserveHost?: boolean };
  /**
   * Authenticators, tried in order.
   * @default ["cookie_session", "bearer_token"]
   */
  readonly authenticators?: readonly OathkeeperAuthenticator[];
  /** `allow` (any authenticated subject), `deny`, or a Keto check. */
  readonly authorizer: "allow" | "deny" | { readonly keto: KetoCheck };
  /**
   * Mutators.
   * @default ["id_token"]
   */
  readonly mutators?: readonly OathkeeperMutator[];
}

export interface OryOathkeeperProps extends OryServiceProps {
  /**
   * Kratos's public API inside the cluster (`OryKratos.publicServiceUrl`); sessions are checked at
   * `/sessions/whoami`.
   */
  readonly kratosPublicUrl: string;
  /**
   * Keto's read API inside the cluster (`OryKeto.readUrl`).
   * @default - no Keto authorizer; rules may only `allow` or `deny`
   */
  readonly ketoReadUrl?: string;
  /**
   * Access rules.
   * @default [] - every request is rejected
   */
  readonly rules?: readonly OathkeeperAccessRule[];
  /**
   * Secret in Oathkeeper's namespace with key `mutator.id_token.jwks.json`: the JSON Web Key Set
   * that signs ID tokens (`oathkeeper credentials generate --alg RS256`).
   * @default "oathkeeper-jwks"
   */
  readonly jwksSecretName?: string;
  /**
   * `iss` of the ID tokens.
   * @default - `https://<ingress host>/` when published, else the in-cluster proxy URL
   */
  readonly issuerUrl?: string;
  /**
   * Publish the proxy (the API port, which serves rules and JWKS, stays inside the cluster).
   * @default - not published
   */
  readonly ingress?: ServiceIngress;
}

/** The chart OryOathkeeper installs and its default namespace and release name. */
export const OATHKEEPER_SERVICE: HelmServiceDefaults = {
  chart: { repository: ORY_CHART_REPOSITORY, chart: OATHKEEPER_CHART_NAME, version: ORY_CHART_VERSION },
  namespace: "oathkeeper",
  tlsSecretSuffix: "-proxy-tls",
};

/**
 * Oathkeeper with rules from values (the Maester CRD controller off), Kratos session
 * authenticators, a Keto `remote_json` authorizer, ID tokens signed with an operator-provided
 * key, JSON errors, 2 replicas with a PDB.
 */
export class OryOathkeeper extends HelmService {
  /** In-cluster proxy URL, the upstream of Ingresses that Oathkeeper guards. */
  public readonly proxyUrl: string;
  /** In-cluster API (decisions, JWKS at `/.well-known/jwks.json`). */
  public readonly apiUrl: string;
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: OryOathkeeperProps) {
    super(scope, id, props, OATHKEEPER_SERVICE);
    const jwksSecretName = props.jwksSecretName ?? "oathkeeper-jwks";
    const { replicas, resources, logLevel, problems: workloadProblems } = oryWorkload(props);
    const rules = props.rules ?? [];
    this.proxyUrl = serviceUrl(`${this.releaseName}-proxy`, this.namespaceName, 4455);
    this.apiUrl = serviceUrl(`${this.releaseName}-api`, this.namespaceName, 4456);
    const issuerUrl =
      props.issuerUrl ??
      (props.ingress !== undefined ? `https://${props.ingress.host}/` : `${this.proxyUrl}/`);

    this.validate([
      secretNameProblem("jwksSecretName", jwksSecretName),
      urlProblem("kratosPublicUrl", props.kratosPublicUrl),
      props.ketoReadUrl === undefined ? undefined : urlProblem("ketoReadUrl", props.ketoReadUrl),
      urlProblem("issuerUrl", issuerUrl),
      ...workloadProblems,
      ...ingressProblems("ingress", props.ingress),
      ...ruleProblems(rules, props.ketoReadUrl !== undefined),
    ]);

    const kratos = props.kratosPublicUrl.replace(/\/+$/, "");
    const keto = props.ketoReadUrl?.replace(/\/+$/, "");
    const sessionCheck = {
      check_session_url: `${kratos}/sessions/whoami`,
      preserve_path: true,
      extra_from: "@this",
      subject_from: "identity.id",
    };
    const workload = oryWorkloadValues({ replicas, resources, env: [], proxyOnly: true });

    this.install(
      {
        ...workload,
        // The JWKS comes from the operator's Secret. The chart mounts a Secret only with
        // `secret.enabled` (templates/deployment-controller.yaml at 0.60.0): it then mounts
        // `nameOverride` at `mountPath` and points MUTATORS_ID_TOKEN_CONFIG_JWKS_URL at the file.
        // Without `oathkeeper.mutatorIdTokenJWKs` it creates no Secret of its own (secrets.yaml).
        secret: {
          enabled: true,
          nameOverride: jwksSecretName,
          mountPath: OATHKEEPER_SECRET_MOUNT,
          filename: OATHKEEPER_JWKS_FILE,
        },
        maester: { enabled: false },
        oathkeeper: {
          managedAccessRules: true,
          // The chart pipes this through `indent` into access-rules.json (templates/configmap-rules.yaml
          // at 0.60.0): it must be the rules file's text, not a list.
          accessRules: JSON.stringify(
            rules.map((r) => accessRule(r, keto)),
            null,
            2,
          ),
          config: {
            log: oryLog(logLevel),
            serve: { proxy: { port: 4455 }, api: { port: 4456 }, prometheus: { port: 9000 } },
            access_rules: {
              repositories: ["file:///etc/rules/access-rules.json"],
              matching_strategy: "glob",
            },
            errors: { fallback: ["json"], handlers: { json: { enabled: true, config: {} } } },
            authenticators: {
              cookie_session: { enabled: true, config: { ...sessionCheck, only: ["ory_kratos_session"] } },
              bearer_token: {
                enabled: true,
                config: { ...sessionCheck, token_from: { header: "X-Session-Token" } },
              },
              anonymous: { enabled: true, config: { subject: "guest" } },
              noop: { enabled: false },
            },
            authorizers: {
              allow: { enabled: true },
              deny: { enabled: true },
              remote_json:
                keto === undefined
                  ? { enabled: false }
                  : {
                      enabled: true,
                      // Each rule sets its own payload; this default denies (no relation named).
                      config: { remote: `${keto}/relation-tuples/check`, payload: "{}" },
                    },
            },
            mutators: {
              noop: { enabled: true },
              header: { enabled: true, config: { headers: { "X-User": "{{ print .Subject }}" } } },
              id_token: {
                enabled: true,
                config: {
                  issuer_url: issuerUrl,
                  jwks_url: `file://${OATHKEEPER_SECRET_MOUNT}/${OATHKEEPER_JWKS_FILE}`,
                  ttl: "1m",
                },
              },
            },
          },
        },
        ...(props.ingress !== undefined
          ? { ingress: { proxy: oryIngressValues(props.ingress, this.defaultTlsSecretName) } }
          : {}),
      },
      ORY_POD_SECURITY,
    );
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: jwksSecretName,
        keys: [OATHKEEPER_JWKS_FILE],
        purpose: "Oathkeeper's ID token signing keys (JWKS)",
      },
    ];
  }
}

function ruleProblems(rules: readonly OathkeeperAccessRule[], keto: boolean): (string | undefined)[] {
  const ids = rules.map((r) => r.id);
  return [
    new Set(ids).size === ids.length ? undefined : `rules repeat an id: [${ids.join(", ")}]`,
    ...rules.flatMap((r) => [
      r.id.trim() === "" ? "a rule has an empty id" : undefined,
      r.match.methods.length === 0 ? `rule "${r.id}" matches no methods; list e.g. ["GET"]` : undefined,
      urlProblem(`rule "${r.id}" upstream.url`, r.upstream.url),
      (r.authenticators ?? ["cookie_session"]).length === 0
        ? `rule "${r.id}" has no authenticator; use "anonymous" for public routes`
        : undefined,
      typeof r.authorizer === "object" && !keto
        ? `rule "${r.id}" asks Keto, but ketoReadUrl is not set; enable keto or use "allow"/"deny"`
        : undefined,
      (r.mutators ?? ["id_token"]).length === 0 ? `rule "${r.id}" has no mutator; use "noop"` : undefined,
    ]),
  ];
}

function accessRule(rule: OathkeeperAccessRule, keto: string | undefined): HelmValue {
  const authorizer: HelmValues =
    typeof rule.authorizer === "string"
      ? { handler: rule.authorizer }
      : {
          handler: "remote_json",
          config: {
            remote: `${keto}/relation-tuples/check`,
            // Oathkeeper renders the payload as a Go template per request.
            payload: JSON.stringify({
              namespace: rule.authorizer.keto.namespace,
              object: rule.authorizer.keto.object,
              relation: rule.authorizer.keto.relation,
              subject_id: "{{ print .Subject }}",
            }),
          },
        };
  const upstream: Record<string, HelmValue> = {
    url: rule.upstream.url,
    preserve_host: rule.upstream.preserveHost ?? true,
  };
  if (rule.upstream.stripPath !== undefined) {
    upstream.strip_path = rule.upstream.stripPath;
  }
  return {
    id: rule.id,
    match: { url: rule.match.url, methods: [...rule.match.methods] },
    upstream,
    authenticators: (rule.authenticators ?? ["cookie_session", "bearer_token"]).map((handler) => ({
      handler,
    })),
    authorizer,
    mutators: (rule.mutators ?? ["id_token"]).map((handler) => ({ handler })),
  };
}
