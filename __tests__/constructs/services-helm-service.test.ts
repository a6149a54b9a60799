/**
 * The Helm-release skeleton is defined once (HelmService): every service gets the same namespace,
 * release, pin, values and ordering behaviour from it, and the props that override the skeleton
 * work the same way for all twelve.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common/errors";
import { RELEASE_DEFAULTS } from "../../constructs/in-cluster/helm-values";
import {
  HelmService,
  RedisService,
  SERVICE_NAMES,
  type ServiceName,
  SupportingServices,
  type SupportingServicesSelection,
} from "../../constructs/services";
import { resourcesOf, synthStack } from "../../testing";
import { clusterTestStack } from "../../testing/helm";

const ORY_RULE = {
  id: "api",
  match: { url: "https://app.example.com/api/<**>", methods: ["GET"] },
  upstream: { url: "http://api.apps.svc.cluster.local" },
  authorizer: "allow",
} as const;

/** Every service on, each with its own namespace, release name, chart version and an extra value. */
function overridden(name: ServiceName) {
  return {
    namespace: `ns-${name.toLowerCase()}`,
    releaseName: `rel-${name.toLowerCase()}`,
    chartVersion: `0.0.1-${name.toLowerCase()}`,
    extraValues: { skeletonTest: { service: name } },
  };
}

const SERVICES: SupportingServicesSelection = {
  nginx: overridden("nginx"),
  certManager: { ...overridden("certManager"), acme: { email: "ops@example.com" } },
  postgresql: overridden("postgresql"),
  redis: overridden("redis"),
  prometheus: overridden("prometheus"),
  loki: overridden("loki"),
  grafana: { ...overridden("grafana"), ingress: { host: "grafana.example.com" } },
  keto: overridden("keto"),
  kratos: {
    ...overridden("kratos"),
    publicUrl: "https://id.example.com/",
    defaultReturnUrl: "https://app.example.com/",
  },
  hydra: {
    ...overridden("hydra"),
    issuerUrl: "https://auth.example.com/",
    loginUrl: "https://app.example.com/login",
    consentUrl: "https://app.example.com/consent",
  },
  oathkeeper: { ...overridden("oathkeeper"), rules: [ORY_RULE] },
  argocd: overridden("argocd"),
};

/** Terraform JSON spells the provider's attributes in snake_case (`cleanup_on_fail`). */
function snakeCase(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), v]),
  );
}

function build(): { stack: TerraformStack; bundle: SupportingServices } {
  const { stack, connection } = clusterTestStack();
  return { stack, bundle: new SupportingServices(stack, "services", { connection, services: SERVICES }) };
}

describe("HelmService: one skeleton for every supporting service", () => {
  const { stack, bundle } = build();
  const synth = synthStack(stack);
  const releases = resourcesOf(synth, "helm_release");
  const namespaces = resourcesOf(synth, "kubernetes_namespace_v1");

  test.each(SERVICE_NAMES)("%s is a HelmService whose release follows the skeleton", (name) => {
    const service = bundle[name];
    expect(service).toBeInstanceOf(HelmService);
    const s = service as HelmService;
    const expected = overridden(name);
    expect(s.namespaceName).toBe(expected.namespace);
    expect(s.releaseName).toBe(expected.releaseName);
    expect(s.chartVersion).toBe(expected.chartVersion);
    expect(s.values.skeletonTest).toEqual({ service: name });

    const nsId = stack.getLogicalId(s.namespace);
    const releaseId = stack.getLogicalId(s.release);
    expect(namespaces[nsId]).toMatchObject({ metadata: { name: expected.namespace } });
    const release = releases[releaseId]!;
    expect(release).toMatchObject({
      name: expected.releaseName,
      version: expected.chartVersion,
      ...snakeCase(RELEASE_DEFAULTS),
      // The namespace by reference: created before the release, deleted after it.
      namespace: `\${kubernetes_namespace_v1.${nsId}.metadata[0].name}`,
    });
    expect((release.values as string[])[0]).toContain(`skeletonTest:\n  service: "${name}"`);
  });

  test("the only Helm releases and namespaces outside HelmService are cert-manager's issuer release", () => {
    const dir = join(__dirname, "../../constructs/services");
    const callers = readdirSync(dir)
      .filter((f) => f.endsWith(".ts") && f !== "helm-service.ts" && f !== "common.ts")
      .flatMap((f) => {
        const text = readFileSync(join(dir, f), "utf8");
        return [...text.matchAll(/\b(installChart|createNamespace|new Release|new NamespaceV1)\(/g)].map(
          (m) => `${f}: ${m[1]}`,
        );
      });
    expect(callers).toEqual(["cert-manager.ts: installChart"]);
  });
});

describe("certificate Secrets without cert-manager", () => {
  test("the bundle asks for the Secret each published service's values name", () => {
    const { stack, connection } = clusterTestStack();
    const { certManager: _issuer, ...withoutIssuer } = SERVICES;
    const services = {
      ...withoutIssuer,
      hydra: { ...(SERVICES.hydra as object), ingress: { host: "auth.example.com" } },
      kratos: { ...(SERVICES.kratos as object), ingress: { host: "id.example.com" } },
      oathkeeper: { ...(SERVICES.oathkeeper as object), ingress: { host: "app.example.com" } },
      argocd: { ...(SERVICES.argocd as object), ingress: { host: "argocd.example.com" } },
    } as SupportingServicesSelection;
    const bundle = new SupportingServices(stack, "services", { connection, services });
    const v = (name: ServiceName): any => (bundle[name] as HelmService).values;
    const used = {
      grafana: v("grafana").ingress.tls[0].secretName,
      hydra: v("hydra").ingress.public.tls[0].secretName,
      kratos: v("kratos").ingress.public.tls[0].secretName,
      oathkeeper: v("oathkeeper").ingress.proxy.tls[0].secretName,
      argocd: "argocd-server-tls",
    };
    expect(used).toEqual({
      grafana: "rel-grafana-tls",
      hydra: "rel-hydra-public-tls",
      kratos: "rel-kratos-public-tls",
      oathkeeper: "rel-oathkeeper-proxy-tls",
      argocd: "argocd-server-tls",
    });
    for (const [name, secret] of Object.entries(used)) {
      const namespace = (bundle[name as ServiceName] as HelmService).namespaceName;
      expect(bundle.requiredSecrets).toContainEqual(
        expect.objectContaining({ namespace, name: secret, keys: ["tls.crt", "tls.key"] }),
      );
    }
  });
});

describe("HelmService validation", () => {
  test("reports the namespace, the release name and the service's own problems at once", () => {
    const { stack, connection } = clusterTestStack();
    expect(
      () =>
        new RedisService(stack, "redis", {
          connection,
          namespace: "Bad_NS",
          releaseName: "-x",
          replicas: -1,
        }),
    ).toThrow(
      new ConstructValidationError(
        "platform-test-k8s/redis",
        [
          "3 problems:",
          "- namespace \"Bad_NS\" is not a valid name; use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit",
          "- releaseName \"-x\" is not a valid name; use at most 53 lowercase letters, digits and '-', starting and ending with a letter or digit",
          "- replicas -1 must be a whole number of at least 0",
        ].join("\n"),
      ),
    );
  });
});
