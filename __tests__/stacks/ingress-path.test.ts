/**
 * The request path of every host a supporting service publishes, end to end, in the synthesized
 * example fleet: DNS name -> record in the cluster's zone -> the static IP -> the Traefik release
 * bound to that IP -> the IngressClass Traefik serves -> the Ingress's class -> the ClusterIssuer's
 * HTTP-01 solver class.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadFleet } from "../../fleet/load";
import { synthFleet } from "../../stacks/synth-fleet";
import { REPO_ROOT } from "../../testing/run-cli";

type Json = Record<string, any>;

const { fleet } = loadFleet(join(REPO_ROOT, "examples", "all-services"));
const out = mkdtempSync(join(tmpdir(), "ingress-path-"));
if (fleet) synthFleet(fleet, { outdir: out });
const stack = (id: string): Json => JSON.parse(readFileSync(join(out, "stacks", id, "cdk.tf.json"), "utf8"));
const releases = (s: Json): Json[] => Object.values(s.resource?.helm_release ?? {});
const values = (r: Json): Json => parse(r.values[0]);

interface PublishedHost {
  readonly release: string;
  readonly host: string;
  readonly className: string;
}

/** Every host a release publishes through an Ingress, with its class, per chart's values shape. */
function publishedHosts(r: Json): PublishedHost[] {
  const v = values(r);
  const ory = (ingress: Json | undefined) =>
    ingress?.enabled ? ingress.hosts.map((h: Json) => ({ host: h.host, className: ingress.className })) : [];
  const found: { host: string; className: string }[] =
    r.chart === "grafana" && v.ingress?.enabled
      ? v.ingress.hosts.map((host: string) => ({ host, className: v.ingress.ingressClassName }))
      : r.chart === "argo-cd" && v.server?.ingress?.enabled
        ? [{ host: v.server.ingress.hostname, className: v.server.ingress.ingressClassName }]
        : ["hydra", "kratos"].includes(r.chart)
          ? ory(v.ingress?.public)
          : r.chart === "oathkeeper"
            ? ory(v.ingress?.proxy)
            : [];
  return found.map((f) => ({ release: r.name, ...f }));
}

const k8sStacks = readdirSync(join(out, "stacks")).filter((id) => id.endsWith("-k8s"));
const withHosts = k8sStacks.filter((id) => releases(stack(id)).some((r) => publishedHosts(r).length > 0));

describe("the request path of every published host (examples/all-services)", () => {
  test("some fleet cluster publishes hosts", () => {
    expect(withHosts).toContain("apps-ttd-tt02-k8s");
  });

  test.each(withHosts)(
    "%s: every host resolves to the IP Traefik serves, in the class Traefik serves",
    (id) => {
      const k8s = stack(id);
      const cluster = stack(id.replace(/-k8s$/, ""));
      // DNS: the cluster's zone, its apex and wildcard A records, and the public IP they hold.
      const zone = Object.values(cluster.resource.azurerm_dns_zone as Json)[0]!.name as string;
      const records = Object.values(cluster.resource.azurerm_dns_a_record as Json);
      const ipOf = (name: string) => records.find((a) => a.name === name)?.records?.[0] as string | undefined;
      const pipRef = (ref: string | undefined) =>
        ref?.match(/^\$\{azurerm_public_ip\.([^.]+)\.ip_address\}$/)?.[1];
      const pipName = (key: string | undefined) =>
        key === undefined ? undefined : (cluster.resource.azurerm_public_ip[key]?.name as string | undefined);
      const resolve = (host: string): string | undefined => {
        if (host === zone) return pipName(pipRef(ipOf("@")));
        const label = host.endsWith(`.${zone}`) ? host.slice(0, -zone.length - 1) : undefined;
        return label !== undefined && !label.includes(".") ? pipName(pipRef(ipOf("*"))) : undefined;
      };
      // Traefik: bound to the public IP (read back by name), serving one IngressClass.
      const traefik = releases(k8s).find((r) => r.chart === "traefik")!;
      const tv = values(traefik);
      const ipData = tv.service.annotations["service.beta.kubernetes.io/azure-load-balancer-ipv4"] as string;
      const dataKey = ipData.match(/^\$\{data\.azurerm_public_ip\.([^.]+)\.ip_address\}$/)![1]!;
      const traefikIp = k8s.data.azurerm_public_ip[dataKey].name as string;
      expect(tv.providers.kubernetesIngress.enabled).toBe(true);
      const traefikClass = tv.ingressClass.name as string;
      expect(tv.ingressClass.enabled).toBe(true);
      expect(tv.providers.kubernetesIngress.ingressClass).toBe(traefikClass);
      // The ClusterIssuer's HTTP-01 solver.
      const issuers = values(releases(k8s).find((r) => r.name === "cert-manager-issuers")!)
        .resources as Json[];
      const solverClasses = issuers.flatMap((i) =>
        i.spec.acme.solvers.map((s: Json) => s.http01.ingress.ingressClassName as string),
      );

      const hosts = releases(k8s).flatMap(publishedHosts);
      expect(hosts.length).toBeGreaterThan(0);
      expect(releases(k8s).filter((r) => r.chart === "nginx-ingress")).toEqual([]);
      for (const h of hosts) {
        expect({ ...h, resolvesTo: resolve(h.host) }).toEqual({ ...h, resolvesTo: traefikIp });
        expect({ ...h, className: h.className }).toEqual({ ...h, className: traefikClass });
      }
      expect(solverClasses).toEqual([traefikClass]);
    },
  );
});
