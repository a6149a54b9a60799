/**
 * The supporting services of a cluster, switched on one by one and wired together: ORY gets its
 * databases from PostgreSQL (or external endpoints), Oathkeeper checks Kratos sessions and asks
 * Keto, Grafana reads Prometheus and Loki, cert-manager issues the certificates of Ingresses that
 * the cluster's ingress controller serves (Traefik in fleet clusters, else NGINX), and every
 * Secret a release reads exists before it (secrets.ts). Misconfiguration is reported all at once,
 * before anything is created.
 */
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ClusterConnection } from "../in-cluster/cluster-connection";
import { ARGOCD_SERVICE, ARGOCD_TLS_SECRET, ArgoCd, type ArgoCdProps } from "./argocd";
import { CertManager, type CertManagerProps } from "./cert-manager";
import type { RequiredSecret, ServiceIngress } from "./common";
import type { DatabaseEndpoint } from "./database";
import { GRAFANA_SERVICE, Grafana, type GrafanaDataSources, type GrafanaProps } from "./grafana";
import { serviceNames } from "./helm-service";
import { Loki, type LokiProps } from "./loki";
import { NginxRouting, type NginxRoutingProps } from "./nginx";
import { HYDRA_SERVICE, OryHydra, type OryHydraProps } from "./ory-hydra";
import { OryKeto, type OryKetoProps } from "./ory-keto";
import { KRATOS_SERVICE, OryKratos, type OryKratosProps } from "./ory-kratos";
import { OATHKEEPER_SERVICE, OryOathkeeper, type OryOathkeeperProps } from "./ory-oathkeeper";
import { PostgresService, type PostgresServiceProps } from "./postgres";
import { Prometheus, type PrometheusProps } from "./prometheus";
import { RedisService, type RedisServiceProps } from "./redis";
import { mergeSecrets, type SecretConsumer, ServiceSecrets } from "./secrets";

/** The services a bundle can switch on. */
export type ServiceName =
  | "postgresql"
  | "redis"
  | "nginx"
  | "certManager"
  | "loki"
  | "grafana"
  | "prometheus"
  | "oathkeeper"
  | "hydra"
  | "keto"
  | "kratos"
  | "argocd";

/** Every service, in the order the bundle installs them. */
export const SERVICE_NAMES: readonly ServiceName[] = [
  "nginx",
  "certManager",
  "postgresql",
  "redis",
  "prometheus",
  "loki",
  "grafana",
  "keto",
  "kratos",
  "hydra",
  "oathkeeper",
  "argocd",
];

/** Props the bundle wires become optional; `connection` comes from the bundle. */
type Wired<P, K extends keyof P> = Omit<P, K | "connection"> & Partial<Pick<P, K>>;

export type BundlePostgresOptions = Omit<PostgresServiceProps, "connection">;
export type BundleRedisOptions = Omit<RedisServiceProps, "connection">;
export type BundleNginxOptions = Omit<NginxRoutingProps, "connection">;
export type BundleCertManagerOptions = Omit<CertManagerProps, "connection">;
export type BundleLokiOptions = Omit<LokiProps, "connection">;
export type BundlePrometheusOptions = Omit<PrometheusProps, "connection">;
/** `datasources` defaults to the enabled Prometheus and Loki. */
export type BundleGrafanaOptions = Wired<GrafanaProps, "datasources">;
/** `database` defaults to the bundle's PostgreSQL; the URLs are required. */
export type BundleHydraOptions = Wired<OryHydraProps, "database" | "issuerUrl" | "loginUrl" | "consentUrl">;
/** `database` defaults to the bundle's PostgreSQL; the URLs are required. */
export type BundleKratosOptions = Wired<OryKratosProps, "database" | "publicUrl" | "defaultReturnUrl">;
/** `database` defaults to the bundle's PostgreSQL. */
export type BundleKetoOptions = Wired<OryKetoProps, "database">;
/** `kratosPublicUrl` and `ketoReadUrl` default to the bundle's Kratos and Keto. */
export type BundleOathkeeperOptions = Wired<OryOathkeeperProps, "kratosPublicUrl">;
export type BundleArgoCdOptions = Omit<ArgoCdProps, "connection">;

/**
 * Which services run, each `true` (defaults), an options object, or `false`/absent (off).
 * Ingress options need only `host`: the bundle adds its ingress controller's class and the
 * cert-manager annotations.
 */
export interface SupportingServicesSelection {
  /**
   * PostgreSQL; also the database of Hydra, Kratos and Keto unless they name another.
   * @default - off
   */
  readonly postgresql?: boolean | BundlePostgresOptions;
  /**
   * Redis cache.
   * @default - off
   */
  readonly redis?: boolean | BundleRedisOptions;
  /**
   * NGINX routing (F5 NGINX Ingress Controller).
   * @default - off
   */
  readonly nginx?: boolean | BundleNginxOptions;
  /**
   * cert-manager with a Let's Encrypt ClusterIssuer solving through the ingress controller.
   * @default - off
   */
  readonly certManager?: boolean | BundleCertManagerOptions;
  /**
   * Grafana Loki.
   * @default - off
   */
  readonly loki?: boolean | BundleLokiOptions;
  /**
   * Grafana, reading the enabled Prometheus and Loki.
   * @default - off
   */
  readonly grafana?: boolean | BundleGrafanaOptions;
  /**
   * Prometheus (kube-prometheus-stack).
   * @default - off
   */
  readonly prometheus?: boolean | BundlePrometheusOptions;
  /**
   * ORY Oathkeeper, fronting services with Kratos sessions and Keto checks.
   * @default - off
   */
  readonly oathkeeper?: boolean | BundleOathkeeperOptions;
  /**
   * ORY Hydra; needs issuerUrl, loginUrl and consentUrl.
   * @default - off
   */
  readonly hydra?: boolean | BundleHydraOptions;
  /**
   * ORY Keto.
   * @default - off
   */
  readonly keto?: boolean | BundleKetoOptions;
  /**
   * ORY Kratos; needs publicUrl and defaultReturnUrl.
   * @default - off
   */
  readonly kratos?: boolean | BundleKratosOptions;
  /**
   * Argo CD.
   * @default - off
   */
  readonly argocd?: boolean | BundleArgoCdOptions;
}

export interface SupportingServicesProps {
  /**
   * The connection whose providers install every service.
   * @default - the stack's default (unaliased) helm and kubernetes providers
   */
  readonly connection?: ClusterConnection;
  /** The services to run. */
  readonly services: SupportingServicesSelection;
  /**
   * The ingress controller outside the bundle that the cluster's DNS names point at (in fleet
   * clusters: Traefik on the static IP). Published hosts and cert-manager's HTTP-01 solver use
   * its class, and `nginx` is refused: its Service would get an address no DNS name points at.
   * @default - none; published hosts need `nginx` or an explicit `ingressClassName`
   */
  readonly ingressController?: ExternalIngressController;
}

/** An ingress controller the bundle does not install, which serves the cluster's public hosts. */
export interface ExternalIngressController {
  /** Name for messages, e.g. "Traefik". */
  readonly name: string;
  /** The IngressClass it serves. */
  readonly ingressClassName: string;
  /**
   * The DNS zone whose apex and wildcard point at it: a published host must be the apex or one
   * label under it (a wildcard record covers one label), or nothing routes it here.
   * @default - hosts are not checked
   */
  readonly dnsZone?: string;
}

/** Databases the bundle's PostgreSQL creates for ORY services without an external database. */
const ORY_DATABASES = ["keto", "kratos", "hydra"] as const;
type OryDatabaseUser = (typeof ORY_DATABASES)[number];

/**
 * A composable set of in-cluster services. Each enabled service is a child construct (ids
 * `nginx`, `cert-manager`, `postgresql`, ...), reachable through the same-named property.
 */
export class SupportingServices extends Construct {
  public readonly nginx?: NginxRouting;
  public readonly certManager?: CertManager;
  public readonly postgresql?: PostgresService;
  public readonly redis?: RedisService;
  public readonly prometheus?: Prometheus;
  public readonly loki?: Loki;
  public readonly grafana?: Grafana;
  public readonly keto?: OryKeto;
  public readonly kratos?: OryKratos;
  public readonly hydra?: OryHydra;
  public readonly oathkeeper?: OryOathkeeper;
  public readonly argocd?: ArgoCd;
  /** The enabled services, in install order. */
  public readonly enabled: readonly ServiceName[];
  /** Every Secret the releases read, one entry per Secret. */
  public readonly requiredSecrets: readonly RequiredSecret[];
  /** Those Secrets, created before the releases: generated, copied, or provided by the pipeline. */
  public readonly secrets: ServiceSecrets;

  constructor(scope: Construct, id: string, props: SupportingServicesProps) {
    super(scope, id);
    const s = props.services;
    const connection = props.connection;
    const on = (name: ServiceName): boolean => {
      const value = s[name];
      return value !== undefined && value !== false;
    };
    const opts = <T extends object>(value: boolean | T | undefined): Partial<T> =>
      typeof value === "object" ? value : {};
    this.enabled = SERVICE_NAMES.filter(on);

    this.validate(s, on, opts, props.ingressController);

    const extraSecrets: RequiredSecret[] = [];

    // Routing and certificates first: every exposed service needs the class and the issuer.
    if (on("nginx")) {
      this.nginx = new NginxRouting(this, "nginx", { ...opts(s.nginx), connection });
    }
    const ingressClassName = props.ingressController?.ingressClassName ?? this.nginx?.ingressClassName;
    if (on("certManager")) {
      const o = opts(s.certManager);
      this.certManager = new CertManager(this, "cert-manager", {
        ...o,
        connection,
        acme: o.acme === false ? false : { ingressClassName, ...o.acme },
      });
    }
    const certManager = this.certManager;
    // Without an issuer, the pipeline provides each published host's certificate Secret, in the
    // service's namespace, under the name the service will use (serviceNames).
    const expose = (
      ingress: ServiceIngress | undefined,
      names: { readonly namespace: string; readonly tlsSecretName: string },
    ) => {
      if (ingress === undefined) {
        return undefined;
      }
      const managed = certManager?.clusterIssuerName !== undefined;
      if (!managed) {
        extraSecrets.push({
          namespace: names.namespace,
          name: ingress.tlsSecretName ?? names.tlsSecretName,
          keys: ["tls.crt", "tls.key"],
          purpose: `TLS certificate of ${ingress.host} (no cert-manager issuer in this bundle)`,
        });
      }
      return {
        ...ingress,
        ingressClassName: ingress.ingressClassName ?? ingressClassName,
        annotations: { ...(managed ? certManager.ingressAnnotations : {}), ...ingress.annotations },
      };
    };

    if (on("postgresql")) {
      const o = opts(s.postgresql);
      const needed = ORY_DATABASES.filter(
        (name) => on(name) && opts<{ database?: DatabaseEndpoint }>(s[name]).database === undefined,
      );
      const own = [o.database ?? "app", ...(o.additionalDatabases ?? [])];
      this.postgresql = new PostgresService(this, "postgresql", {
        ...o,
        connection,
        additionalDatabases: [...(o.additionalDatabases ?? []), ...needed.filter((d) => !own.includes(d))],
      });
    }
    const postgres = this.postgresql;
    const database = (user: OryDatabaseUser, explicit: DatabaseEndpoint | undefined): DatabaseEndpoint =>
      explicit ?? postgres!.endpoint(user);
    const afterDatabase = (explicit: DatabaseEndpoint | undefined) =>
      explicit === undefined && postgres !== undefined ? [postgres.release] : undefined;

    if (on("redis")) {
      this.redis = new RedisService(this, "redis", { ...opts(s.redis), connection });
    }
    if (on("prometheus")) {
      this.prometheus = new Prometheus(this, "prometheus", { ...opts(s.prometheus), connection });
    }
    if (on("loki")) {
      this.loki = new Loki(this, "loki", { ...opts(s.loki), connection });
    }
    if (on("grafana")) {
      const o = opts(s.grafana);
      const datasources: GrafanaDataSources = o.datasources ?? {
        ...(this.prometheus !== undefined ? { prometheusUrl: this.prometheus.url } : {}),
        ...(this.loki !== undefined ? { lokiUrl: this.loki.url } : {}),
      };
      this.grafana = new Grafana(this, "grafana", {
        ...o,
        connection,
        datasources,
        ingress: expose(o.ingress, serviceNames(GRAFANA_SERVICE, o)),
      });
    }
    if (on("keto")) {
      const o = opts(s.keto);
      this.keto = new OryKeto(this, "keto", {
        ...o,
        connection,
        database: database("keto", o.database),
        dependsOn: o.dependsOn ?? afterDatabase(o.database),
      });
    }
    if (on("kratos")) {
      const o = opts(s.kratos);
      this.kratos = new OryKratos(this, "kratos", {
        ...o,
        connection,
        publicUrl: o.publicUrl!,
        defaultReturnUrl: o.defaultReturnUrl!,
        database: database("kratos", o.database),
        dependsOn: o.dependsOn ?? afterDatabase(o.database),
        ingress: expose(o.ingress, serviceNames(KRATOS_SERVICE, o)),
      });
    }
    if (on("hydra")) {
      const o = opts(s.hydra);
      this.hydra = new OryHydra(this, "hydra", {
        ...o,
        connection,
        issuerUrl: o.issuerUrl!,
        loginUrl: o.loginUrl!,
        consentUrl: o.consentUrl!,
        database: database("hydra", o.database),
        dependsOn: o.dependsOn ?? afterDatabase(o.database),
        ingress: expose(o.ingress, serviceNames(HYDRA_SERVICE, o)),
      });
    }
    if (on("oathkeeper")) {
      const o = opts(s.oathkeeper);
      this.oathkeeper = new OryOathkeeper(this, "oathkeeper", {
        ...o,
        connection,
        kratosPublicUrl: o.kratosPublicUrl ?? this.kratos!.publicServiceUrl,
        ketoReadUrl: o.ketoReadUrl ?? this.keto?.readUrl,
        ingress: expose(o.ingress, serviceNames(OATHKEEPER_SERVICE, o)),
      });
    }
    if (on("argocd")) {
      const o = opts(s.argocd);
      this.argocd = new ArgoCd(this, "argocd", {
        ...o,
        connection,
        ingress: expose(
          o.ingress === undefined ? undefined : { ...o.ingress, tlsSecretName: ARGOCD_TLS_SECRET },
          serviceNames(ARGOCD_SERVICE, o),
        ),
      });
    }

    // Services that read Secrets, in install order (the PostgreSQL role password is generated in
    // its own namespace before the ORY services copy it).
    const readers = [
      this.postgresql,
      this.redis,
      this.grafana,
      this.keto,
      this.kratos,
      this.hydra,
      this.oathkeeper,
      this.argocd,
    ].filter((c) => c !== undefined);
    const consumers: SecretConsumer[] = readers.map((c) => ({
      namespace: c.namespace,
      namespaceName: c.namespaceName,
      release: c.release,
      requiredSecrets: [...c.requiredSecrets, ...extraSecrets.filter((x) => x.namespace === c.namespaceName)],
    }));
    this.requiredSecrets = mergeSecrets(consumers.flatMap((c) => c.requiredSecrets));
    this.secrets = new ServiceSecrets(this, "secrets", { connection, consumers });
  }

  /** Checks the wiring of the whole selection and throws once, listing every problem. */
  private validate(
    s: SupportingServicesSelection,
    on: (name: ServiceName) => boolean,
    opts: <T extends object>(value: boolean | T | undefined) => Partial<T>,
    controller: ExternalIngressController | undefined,
  ): void {
    const problems: string[] = [];
    if (controller !== undefined && on("nginx")) {
      problems.push(
        `services.nginx: ${controller.name} already serves this cluster's hosts on the address its DNS names point at; NGINX's Service would get a new address that no DNS name points at, so its hosts and their HTTP-01 challenges would never reach it. Remove nginx; published hosts use the "${controller.ingressClassName}" class`,
      );
    }
    const hasController = controller !== undefined || on("nginx");
    const zone = controller?.dnsZone;
    if (zone !== undefined) {
      for (const name of ["grafana", "kratos", "hydra", "oathkeeper", "argocd"] as const) {
        const host = on(name) ? opts<{ ingress?: ServiceIngress }>(s[name]).ingress?.host : undefined;
        const label = host?.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
        if (host !== undefined && host !== zone && (label === undefined || label.includes("."))) {
          problems.push(
            `services.${name}.ingress.host "${host}" is not a name in this cluster's DNS zone ${zone}, whose apex and wildcard point at ${controller!.name}; use the zone or one label under it, e.g. "${name}.${zone}"`,
          );
        }
      }
    }
    for (const [name, value] of Object.entries(s)) {
      if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
        problems.push(`services.${name} is not a supporting service; use one of ${SERVICE_NAMES.join(", ")}`);
      } else if (
        value !== undefined &&
        typeof value !== "boolean" &&
        (typeof value !== "object" || value === null)
      ) {
        problems.push(`services.${name} must be true, false or an options object`);
      }
    }
    const required = <T extends object>(name: ServiceName, value: T, keys: readonly (keyof T & string)[]) => {
      const missing = keys.filter((k) => value[k] === undefined);
      if (missing.length > 0) {
        problems.push(
          `${name} needs ${missing.join(", ")}; pass services.${name} as an object with ${missing.length === 1 ? "it" : "them"}`,
        );
      }
    };
    for (const name of ORY_DATABASES) {
      if (
        on(name) &&
        opts<{ database?: DatabaseEndpoint }>(s[name]).database === undefined &&
        !on("postgresql")
      ) {
        problems.push(
          `${name} needs a database: enable postgresql, or pass services.${name}.database (e.g. azurePostgresDatabase(server, ...))`,
        );
      }
    }
    if (on("hydra")) {
      required("hydra", opts(s.hydra), ["issuerUrl", "loginUrl", "consentUrl"]);
    }
    if (on("kratos")) {
      required("kratos", opts(s.kratos), ["publicUrl", "defaultReturnUrl"]);
    }
    if (on("oathkeeper")) {
      const o = opts(s.oathkeeper);
      if (!on("kratos") && o.kratosPublicUrl === undefined) {
        problems.push(
          "oathkeeper authenticates with Kratos sessions: enable kratos, or pass services.oathkeeper.kratosPublicUrl",
        );
      }
      if (!on("keto") && o.ketoReadUrl === undefined) {
        problems.push(
          "oathkeeper authorizes with Keto: enable keto, or pass services.oathkeeper.ketoReadUrl",
        );
      }
    }
    if (on("grafana")) {
      const o = opts(s.grafana);
      if (o.datasources === undefined && !on("prometheus") && !on("loki")) {
        problems.push(
          "grafana has no data source: enable prometheus or loki, or pass services.grafana.datasources",
        );
      }
    }
    if (on("certManager")) {
      const acme = opts(s.certManager).acme;
      if (acme !== false && acme?.ingressClassName === undefined && !hasController) {
        problems.push(
          "certManager's ACME HTTP-01 solver needs an ingress controller: enable nginx, set services.certManager.acme.ingressClassName, or pass acme: false",
        );
      }
    }
    for (const name of ["grafana", "kratos", "hydra", "oathkeeper", "argocd"] as const) {
      const ingress = on(name) ? opts<{ ingress?: ServiceIngress }>(s[name]).ingress : undefined;
      if (ingress !== undefined && ingress.ingressClassName === undefined && !hasController) {
        problems.push(
          `${name}.ingress (${ingress.host}) needs an ingress controller: enable nginx, or set services.${name}.ingress.ingressClassName`,
        );
      }
    }
    if (problems.length > 0) {
      throw new ConstructValidationError(
        this.node.path,
        problems.length === 1
          ? problems[0]!
          : `${problems.length} problems:\n${problems.map((p) => `- ${p}`).join("\n")}`,
      );
    }
  }
}
