import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFleet } from "../../fleet/load";
import type { FleetProblem } from "../../fleet/problems";
import { scanOutputDir } from "../../safety/output-scan";
import { synthFleet } from "../../stacks/synth-fleet";
import { fleetFixture } from "../../testing/fleet-fixture";
import { REPO_ROOT } from "../../testing/run-cli";

const EXAMPLE = join(REPO_ROOT, "examples", "all-services");
const SERVICES = [
  "argocd",
  "cert-manager",
  "grafana",
  "hydra",
  "keto",
  "kratos",
  "kube-prometheus-stack",
  "loki",
  "nginx-ingress",
  "oathkeeper",
  "postgresql",
  "redis",
];

type Json = Record<string, any>;
const { fleet, problems } = loadFleet(EXAMPLE);
const out = mkdtempSync(join(tmpdir(), "services-example-"));
if (fleet) synthFleet(fleet, { outdir: out });
const stack = (id: string): Json => JSON.parse(readFileSync(join(out, "stacks", id, "cdk.tf.json"), "utf8"));
const releases = (s: Json) => Object.values(s.resource?.helm_release ?? {}) as Json[];

describe("examples/all-services", () => {
  test("is a valid fleet directory", () => {
    expect(problems.filter((p) => p.severity === "error")).toEqual([]);
  });

  test.each([
    ["apps-ttd-tt02-k8s", SERVICES.filter((s) => s !== "nginx-ingress")],
    ["services-lab", SERVICES],
  ])(
    "%s has a pinned Helm release for each service it switches on (Traefik serves fleet clusters' hosts)",
    (id, services) => {
      const byName = new Map(releases(stack(id)).map((r) => [r.name as string, r]));
      expect(byName.has("nginx-ingress")).toBe(id === "services-lab");
      for (const name of services) {
        const r = byName.get(name);
        expect([name, r !== undefined]).toEqual([name, true]);
        expect([name, r!.version]).toEqual([name, expect.stringMatching(/^v?\d+\.\d+\.\d+$/)]);
        expect([name, r!.repository]).toEqual([name, expect.stringMatching(/^(https|oci):\/\//)]);
      }
    },
  );

  test("services-lab reaches its cluster by kubeconfig context and has nothing of Azure", () => {
    const s = stack("services-lab");
    expect(Object.keys(s.provider).sort()).toEqual(["helm", "kubernetes"]);
    expect(s.provider.kubernetes[0]).toMatchObject({
      config_context: "lab-cluster",
      config_path: "~/.kube/config",
    });
    expect(s.provider.helm[0].kubernetes).toMatchObject({ config_context: "lab-cluster" });
    expect(Object.keys(s.resource).filter((t) => t.startsWith("azurerm_"))).toEqual([]);
    expect(Object.keys(s.data ?? {}).filter((t) => t.startsWith("azurerm_"))).toEqual([]);
    expect(Object.keys(s.terraform.required_providers).sort()).toEqual(["helm", "kubernetes"]);
  });

  test("no literal secret or machine path anywhere in cdktf.out", () => {
    expect(scanOutputDir(out, { repoRoot: REPO_ROOT })).toEqual([]);
  });

  test("Grafana reads Prometheus and Loki, and ORY reads its database password from a secret", () => {
    const s = JSON.stringify(stack("apps-ttd-tt02-k8s"));
    expect(s).toMatch(/prometheus/i);
    expect(s).toMatch(/loki/i);
    expect(s).toMatch(/secretKeyRef|existingSecret/);
    expect(s).not.toMatch(/postgres:\/\/[^:"$]+:[^$@"]+@/);
  });

  test("snapshot of the services stack kind", () => {
    const s = stack("services-lab");
    delete s["//"];
    expect(s).toMatchSnapshot();
  });
});

describe("services in the fleet definition", () => {
  const errorsOf = (dir: string) =>
    loadFleet(dir).problems.filter((p: FleetProblem) => p.severity === "error");

  test("fails if services name a cluster the fleet does not have", () => {
    const dir = fleetFixture({
      settings: (s) => {
        s.services = { clusters: { "apps-nope-tt02": { redis: true } } };
      },
    });
    expect(errorsOf(dir).map((p) => p.field)).toEqual(["services.clusters.apps-nope-tt02"]);
  });

  test("fails if two external clusters share a name", () => {
    const cluster = { name: "lab", kubeconfigContext: "lab", services: { redis: true } };
    const dir = fleetFixture({
      settings: (s) => {
        s.services = { external: [cluster, cluster] };
      },
    });
    expect(errorsOf(dir).map((p) => p.field)).toEqual(["services.external[1].name"]);
  });

  test("fails if a service name is unknown", () => {
    const dir = fleetFixture({
      settings: (s) => {
        s.services = { clusters: { "apps-ttd-tt02": { rabbitmq: true } } };
      },
    });
    expect(errorsOf(dir).map((p) => p.field)).toEqual(["services.clusters.apps-ttd-tt02.rabbitmq"]);
  });
});
