/**
 * The rules of a supporting-services selection as a whole (which services need which others,
 * required options, hosts and ingress controllers), as a pure function: SupportingServices runs
 * it and throws once; the fleet loader runs it on every selection in fleet.yaml and reports each
 * problem at its line. Loads neither cdktf nor the providers.
 */
import type { FieldProblem } from "../common/problems";
import type { ExternalIngressController } from "./bundle";
import { SERVICE_NAMES, type ServiceName } from "./service-names";

/** Databases the bundle's PostgreSQL creates for ORY services without an external database. */
export const ORY_DATABASES = ["keto", "kratos", "hydra"] as const;

/** Services that can publish a host through an Ingress. */
const PUBLISHING = ["grafana", "kratos", "hydra", "oathkeeper", "argocd"] as const;

type Options = Readonly<Record<string, unknown>>;

/**
 * Problems of a selection (service name → true, false or its options), at paths inside it
 * (`["hydra"]`, `["grafana", "ingress", "host"]`). `controller` is the ingress controller the
 * cluster's DNS points at, if the cluster has one outside the bundle.
 */
export function selectionProblems(
  s: Readonly<Record<string, unknown>>,
  controller?: Pick<ExternalIngressController, "name" | "ingressClassName" | "dnsZone">,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (path: (string | number)[], value: unknown, message: string, fix: string) =>
    problems.push({ path, value, message, fix });
  const on = (name: ServiceName): boolean => s[name] !== undefined && s[name] !== false;
  const opts = (name: ServiceName): Options =>
    typeof s[name] === "object" && s[name] !== null ? (s[name] as Options) : {};
  const ingressOf = (name: ServiceName) =>
    opts(name).ingress as { host?: string; ingressClassName?: string } | undefined;

  if (controller !== undefined && on("nginx")) {
    add(
      ["nginx"],
      s.nginx,
      `services.nginx: ${controller.name} already serves this cluster's hosts on the address its DNS names point at; NGINX's Service would get a new address that no DNS name points at, so its hosts and their HTTP-01 challenges would never reach it. Remove nginx; published hosts use the "${controller.ingressClassName}" class`,
      `remove nginx; published hosts use the "${controller.ingressClassName}" class`,
    );
  }
  const hasController = controller !== undefined || on("nginx");
  const zone = controller?.dnsZone;
  if (zone !== undefined) {
    for (const name of PUBLISHING) {
      const host = on(name) ? ingressOf(name)?.host : undefined;
      const label = host?.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
      if (host !== undefined && host !== zone && (label === undefined || label.includes("."))) {
        add(
          [name, "ingress", "host"],
          host,
          `services.${name}.ingress.host "${host}" is not a name in this cluster's DNS zone ${zone}, whose apex and wildcard point at ${controller!.name}; use the zone or one label under it, e.g. "${name}.${zone}"`,
          `use the zone or one label under it, e.g. "${name}.${zone}"`,
        );
      }
    }
  }
  for (const [name, value] of Object.entries(s)) {
    if (!(SERVICE_NAMES as readonly string[]).includes(name)) {
      add(
        [name],
        name,
        `services.${name} is not a supporting service; use one of ${SERVICE_NAMES.join(", ")}`,
        `use one of ${SERVICE_NAMES.join(", ")}`,
      );
    } else if (
      value !== undefined &&
      typeof value !== "boolean" &&
      (typeof value !== "object" || value === null)
    ) {
      add(
        [name],
        value,
        `services.${name} must be true, false or an options object`,
        "write true, false or the service's options",
      );
    }
  }
  const required = (name: ServiceName, keys: readonly string[]) => {
    const missing = keys.filter((k) => opts(name)[k] === undefined);
    if (missing.length > 0) {
      add(
        [name],
        s[name],
        `${name} needs ${missing.join(", ")}; pass services.${name} as an object with ${missing.length === 1 ? "it" : "them"}`,
        `give services.${name} ${missing.join(", ")}`,
      );
    }
  };
  for (const name of ORY_DATABASES) {
    if (on(name) && opts(name).database === undefined && !on("postgresql")) {
      add(
        [name],
        s[name],
        `${name} needs a database: enable postgresql, or pass services.${name}.database (e.g. azurePostgresDatabase(server, ...))`,
        `enable postgresql, or give services.${name}.database`,
      );
    }
  }
  if (on("hydra")) required("hydra", ["issuerUrl", "loginUrl", "consentUrl"]);
  if (on("kratos")) required("kratos", ["publicUrl", "defaultReturnUrl"]);
  if (on("oathkeeper")) {
    if (!on("kratos") && opts("oathkeeper").kratosPublicUrl === undefined) {
      add(
        ["oathkeeper"],
        s.oathkeeper,
        "oathkeeper authenticates with Kratos sessions: enable kratos, or pass services.oathkeeper.kratosPublicUrl",
        "enable kratos, or give services.oathkeeper.kratosPublicUrl",
      );
    }
    if (!on("keto") && opts("oathkeeper").ketoReadUrl === undefined) {
      add(
        ["oathkeeper"],
        s.oathkeeper,
        "oathkeeper authorizes with Keto: enable keto, or pass services.oathkeeper.ketoReadUrl",
        "enable keto, or give services.oathkeeper.ketoReadUrl",
      );
    }
  }
  if (on("grafana") && opts("grafana").datasources === undefined && !on("prometheus") && !on("loki")) {
    add(
      ["grafana"],
      s.grafana,
      "grafana has no data source: enable prometheus or loki, or pass services.grafana.datasources",
      "enable prometheus or loki, or give services.grafana.datasources",
    );
  }
  if (on("certManager")) {
    const acme = opts("certManager").acme as false | { ingressClassName?: string } | undefined;
    if (acme !== false && acme?.ingressClassName === undefined && !hasController) {
      add(
        ["certManager"],
        s.certManager,
        "certManager's ACME HTTP-01 solver needs an ingress controller: enable nginx, set services.certManager.acme.ingressClassName, or pass acme: false",
        "enable nginx, set services.certManager.acme.ingressClassName, or pass acme: false",
      );
    }
  }
  for (const name of PUBLISHING) {
    const ingress = on(name) ? ingressOf(name) : undefined;
    if (ingress !== undefined && ingress.ingressClassName === undefined && !hasController) {
      add(
        [name, "ingress"],
        ingress,
        `${name}.ingress (${ingress.host}) needs an ingress controller: enable nginx, or set services.${name}.ingress.ingressClassName`,
        `enable nginx, or set services.${name}.ingress.ingressClassName`,
      );
    }
  }
  return problems;
}
