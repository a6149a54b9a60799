import { Aspects } from "cdktf";
import { parse } from "yaml";
import { ConstructValidationError } from "../../constructs/common/errors";
import { PolicyAspect } from "../../constructs/policy";
import {
  type DatabaseEndpoint,
  mergeSecrets,
  SERVICE_NAMES,
  SupportingServices,
  type SupportingServicesSelection,
} from "../../constructs/services";
import { resourcesOf, type SynthesizedStack, synthStack } from "../../testing";
import { clusterTestStack, helmRelease, helmValues } from "../../testing/helm";

function build(services: SupportingServicesSelection) {
  const { stack, connection } = clusterTestStack();
  const bundle = new SupportingServices(stack, "services", { connection, services });
  return { stack, bundle };
}

function releases(synth: SynthesizedStack): Record<string, unknown>[] {
  return Object.values(resourcesOf(synth, "helm_release"));
}

const release = helmRelease;
const values = helmValues;

const HYDRA = {
  issuerUrl: "https://auth.example.com/",
  loginUrl: "https://app.example.com/login",
  consentUrl: "https://app.example.com/consent",
};
const KRATOS = { publicUrl: "https://id.example.com/", defaultReturnUrl: "https://app.example.com/" };

/** Every service on, with the options a real cluster would set. */
const ALL: SupportingServicesSelection = {
  postgresql: true,
  redis: true,
  nginx: { loadBalancer: { ip: "20.100.1.20", resourceGroup: "test-rg" } },
  certManager: { acme: { email: "ops@example.com" } },
  loki: true,
  grafana: { ingress: { host: "grafana.example.com" } },
  prometheus: true,
  oathkeeper: {
    ingress: { host: "app.example.com" },
    rules: [
      {
        id: "api",
        match: { url: "https://app.example.com/api/<**>", methods: ["GET", "POST"] },
        upstream: { url: "http://api.apps.svc.cluster.local" },
        authorizer: { keto: { namespace: "default", object: "api", relation: "use" } },
      },
    ],
  },
  hydra: { ...HYDRA, ingress: { host: "auth.example.com" } },
  keto: true,
  kratos: { ...KRATOS, ingress: { host: "id.example.com" } },
  argocd: { ingress: { host: "argocd.example.com" } },
};

/** Keys whose value would be a credential if it were a literal. */
const CREDENTIAL_KEY = /(password|secret|token|dsn|connection_?uri)$/i;
/** Keys that name a Secret rather than hold one (`existingSecret`, `passwordKey`, `secretName`). */
const REFERENCE_KEY = /^existing|(Key|Name)$/;
/** A URL with a password in it, unless it is a Kubernetes `$(VAR)` reference. */
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^:/@\s"]+:(?!\$\()[^@/\s"]+@/i;

/** Every literal credential in the values of every release, as `chart: path`. */
function literalSecrets(synth: SynthesizedStack): string[] {
  const found: string[] = [];
  const walk = (chart: string, path: string, value: unknown): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) {
        walk(chart, `${path}[${i}]`, v);
      }
    } else if (value !== null && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) {
        walk(chart, path === "" ? k : `${path}.${k}`, v);
        if (
          CREDENTIAL_KEY.test(k) &&
          !REFERENCE_KEY.test(k) &&
          typeof v === "string" &&
          v !== "" &&
          !/^\$\{|\$\(/.test(v)
        ) {
          found.push(`${chart}: ${path === "" ? k : `${path}.${k}`}`);
        }
      }
    } else if (typeof value === "string" && URL_WITH_PASSWORD.test(value)) {
      found.push(`${chart}: ${path} holds a URL with a password`);
    }
  };
  for (const r of releases(synth)) {
    for (const doc of r.values as string[]) {
      walk(String(r.chart), "", parse(doc));
    }
  }
  // The rest of the JSON (providers, namespaces) must not carry a password-bearing URL either.
  if (URL_WITH_PASSWORD.test(synth.json.replace(/\$\([A-Z_]+\)/g, ""))) {
    found.push("synthesized JSON holds a URL with a password");
  }
  return found;
}

describe("SupportingServices with all twelve services", () => {
  const { stack, bundle } = build(ALL);
  const synth = synthStack(stack);

  test("creates every Secret a release reads, in its namespace, before the release", () => {
    const secrets = resourcesOf(synth, "kubernetes_secret_v1");
    const namespaces = resourcesOf(synth, "kubernetes_namespace_v1");
    const nsName = (ref: string) =>
      (namespaces[ref.match(/kubernetes_namespace_v1\.([^.]+)\./)![1]!]!.metadata as { name: string }).name;
    const byRelease = new Map(releases(synth).map((r) => [r, nsName(String(r.namespace))]));
    for (const required of bundle.requiredSecrets) {
      const [id, secret] = Object.entries(secrets).find(
        ([, s]) =>
          (s.metadata as { name: string }).name === required.name &&
          nsName(String((s.metadata as { namespace: string }).namespace)) === required.namespace,
      )!;
      expect([required.name, Object.keys(secret.data as object).sort()]).toEqual([
        required.name,
        [...required.keys].sort(),
      ]);
      // Every release in that namespace waits for it (atomic + wait would time out otherwise).
      for (const [r, ns] of byRelease) {
        if (ns === required.namespace) expect(r.depends_on).toContain(`kubernetes_secret_v1.${id}`);
      }
    }
    expect(bundle.requiredSecrets.length).toBeGreaterThanOrEqual(9);
  });

  test("generates random keys once, copies the role password, and asks the pipeline only for what it cannot make", () => {
    const secrets = Object.values(resourcesOf(synth, "kubernetes_secret_v1"));
    const values = secrets.flatMap((s) => Object.values(s.data as Record<string, string>));
    // No literal anywhere: every value is an expression evaluated at apply time.
    for (const v of values)
      expect(v).toMatch(
        /^\$\{(replace\(uuid\(\), "-", ""\)|var\.[a-z0-9_]+|kubernetes_secret_v1\.[^}]+)\}$/i,
      );
    const pg = secrets.find(
      (s) => (s.metadata as { name: string }).name === "postgresql-auth" && s.lifecycle,
    )!;
    const generated = `\${replace(uuid(), "-", "")}`;
    expect(pg.data).toEqual({ "postgres-password": generated, password: generated });
    expect((pg.lifecycle as { ignore_changes: string[] }).ignore_changes).toEqual([
      'data["postgres-password"]',
      'data["password"]',
    ]);
    const copies = secrets.filter(
      (s) => (s.metadata as { name: string }).name === "postgresql-auth" && !s.lifecycle,
    );
    expect(copies).toHaveLength(3);
    for (const c of copies) {
      expect((c.data as Record<string, string>).password).toMatch(
        /^\$\{kubernetes_secret_v1\..+\.data\.password\}$/,
      );
    }
    expect(bundle.secrets.provided.map((p) => `${p.namespace}/${p.secret}/${p.key}`)).toEqual([
      "kratos/kratos-secrets/smtpConnectionURI",
      "oathkeeper/oathkeeper-jwks/mutator.id_token.jwks.json",
    ]);
    const variable = synth.parsed.variable as Record<string, Record<string, unknown>>;
    expect(variable.secret_kratos_kratos_secrets_smtpConnectionURI).toMatchObject({
      sensitive: true,
      nullable: false,
      type: "string",
    });
    expect(JSON.stringify(variable)).toContain("Set TF_VAR_secret_kratos_kratos_secrets_smtpConnectionURI");
  });

  test("installs one release per service, plus the ClusterIssuer release", () => {
    expect(bundle.enabled).toEqual(SERVICE_NAMES);
    expect(
      releases(synth)
        .map((r) => r.chart)
        .sort(),
    ).toEqual(
      [
        "argo-cd",
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
        "raw",
        "redis",
      ].sort(),
    );
  });

  test("pins every release to a version and a repository", () => {
    for (const r of releases(synth)) {
      expect(r.version).toMatch(/^v?[0-9]+\.[0-9]+\.[0-9]+$/);
      expect(r.repository).toMatch(/^(https|oci):\/\//);
      expect(r).toMatchObject({ atomic: true, wait: true, max_history: 5 });
    }
  });

  test("creates a namespace with Pod Security labels for every service", () => {
    const namespaces = Object.values(resourcesOf(synth, "kubernetes_namespace_v1")) as any[];
    expect(namespaces).toHaveLength(12);
    for (const ns of namespaces) {
      expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toMatch(
        /^(restricted|baseline|privileged)$/,
      );
    }
  });

  test("synthesizes no literal secret: no password values, no DSN with a password", () => {
    expect(literalSecrets(synth)).toEqual([]);
    expect(synth.json).not.toMatch(/"password"\s*:\s*"[^$]/i);
  });

  test("the scan would catch a literal password and a password in a DSN", () => {
    const leaky = build({
      redis: { extraValues: { auth: { password: "hunter2" } } },
      keto: {
        database: {
          host: "db.example.com",
          port: 5432,
          database: "keto",
          user: "keto",
          passwordSecret: { name: "keto-db", key: "password" },
          sslMode: "require",
        },
        extraValues: {
          deployment: { extraEnv: [{ name: "DSN", value: "postgres://keto:hunter2@db:5432/keto" }] },
        },
      },
    });
    expect(literalSecrets(synthStack(leaky.stack)).sort()).toEqual([
      "keto: deployment.extraEnv[0].value holds a URL with a password",
      "redis: auth.password",
      "synthesized JSON holds a URL with a password",
    ]);
  });

  test("gives Hydra, Kratos and Keto databases on the bundle's PostgreSQL through Secrets", () => {
    expect(values(synth, "postgresql").primary.initdb.scripts["00-databases.sql"]).toBe(
      'CREATE DATABASE "keto" OWNER "app"; CREATE DATABASE "kratos" OWNER "app"; CREATE DATABASE "hydra" OWNER "app";',
    );
    for (const chart of ["hydra", "kratos", "keto"]) {
      const env = values(synth, chart).deployment.extraEnv;
      expect(env[0]).toEqual({
        name: "ORY_DATABASE_PASSWORD",
        valueFrom: { secretKeyRef: { name: "postgresql-auth", key: "password" } },
      });
      expect(env[1].value).toBe(
        `postgres://app:$(ORY_DATABASE_PASSWORD)@postgresql.postgresql.svc.cluster.local:5432/${chart}?sslmode=disable`,
      );
    }
  });

  test("installs the ORY services after PostgreSQL, so migrations find it", () => {
    for (const chart of ["hydra", "kratos", "keto"]) {
      expect(release(synth, chart).depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^helm_release\.services_postgresql_release_[A-F0-9]+$/),
        ]),
      );
    }
  });

  test("fronts services with Kratos sessions and Keto checks in Oathkeeper", () => {
    const config = values(synth, "oathkeeper").oathkeeper.config;
    expect(config.authenticators.cookie_session.config.check_session_url).toBe(
      "http://kratos-public.kratos.svc.cluster.local:80/sessions/whoami",
    );
    expect(config.authorizers.remote_json.config.remote).toBe(
      "http://keto-read.keto.svc.cluster.local:80/relation-tuples/check",
    );
  });

  test("gives Grafana Prometheus and Loki as data sources", () => {
    const ds = values(synth, "grafana").datasources["datasources.yaml"].datasources;
    expect(ds.map((d: { type: string; url: string }) => [d.type, d.url])).toEqual([
      ["prometheus", "http://kube-prometheus-prometheus.prometheus.svc.cluster.local:9090"],
      ["loki", "http://loki.loki.svc.cluster.local:3100"],
    ]);
  });

  test("solves ACME challenges through the NGINX IngressClass", () => {
    expect(values(synth, "raw").resources[0].spec.acme.solvers).toEqual([
      { http01: { ingress: { ingressClassName: "nginx" } } },
    ]);
  });

  test("has cert-manager issue the certificate of every published host", () => {
    const annotations = {
      "cert-manager.io/cluster-issuer": "letsencrypt",
      "cert-manager.io/private-key-rotation-policy": "Always",
    };
    expect(values(synth, "grafana").ingress).toMatchObject({ ingressClassName: "nginx", annotations });
    expect(values(synth, "oathkeeper").ingress.proxy).toMatchObject({ className: "nginx", annotations });
    expect(values(synth, "hydra").ingress.public).toMatchObject({ className: "nginx", annotations });
    expect(values(synth, "kratos").ingress.public).toMatchObject({ className: "nginx", annotations });
    expect(values(synth, "argo-cd").server.ingress).toMatchObject({ ingressClassName: "nginx", annotations });
  });

  test("passes the fleet's policy packs (prod), the node-exporter namespace by a reasoned suppression", () => {
    const policyStack = build(ALL).stack;
    const policy = new PolicyAspect({ environment: "prod" });
    Aspects.of(policyStack).add(policy);
    synthStack(policyStack);
    expect(policy.findings.filter((f) => f.suppression === undefined)).toEqual([]);
    expect(policy.findings.map((f) => [f.rule.id, f.constructPath])).toEqual([
      ["K8S-014", "platform-test-k8s/services/prometheus/namespace"],
    ]);
  });

  test("lists the Secrets the operator provides, once each", () => {
    expect(bundle.requiredSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "postgresql/postgresql-auth",
      "redis/redis-auth",
      "grafana/grafana-admin",
      "keto/postgresql-auth",
      "kratos/kratos-secrets",
      "kratos/postgresql-auth",
      "hydra/hydra-secrets",
      "hydra/postgresql-auth",
      "oathkeeper/oathkeeper-jwks",
    ]);
  });
});

describe("SupportingServices wiring", () => {
  const AZURE_HYDRA: DatabaseEndpoint = {
    host: "altinn-platform-test-psql.postgres.database.azure.com",
    port: 5432,
    database: "hydra",
    user: "hydra",
    passwordSecret: { name: "hydra-secrets", key: "databasePassword" },
    sslMode: "require",
  };

  test("installs only the services switched on", () => {
    const { stack, bundle } = build({ redis: true, prometheus: false });
    expect(bundle.enabled).toEqual(["redis"]);
    expect(releases(synthStack(stack)).map((r) => r.chart)).toEqual(["redis"]);
    expect(bundle.prometheus).toBeUndefined();
  });

  test("uses an external database where given and PostgreSQL for the rest", () => {
    const { stack } = build({ postgresql: true, hydra: { ...HYDRA, database: AZURE_HYDRA }, kratos: KRATOS });
    const synth = synthStack(stack);
    expect(values(synth, "postgresql").primary.initdb.scripts["00-databases.sql"]).toBe(
      'CREATE DATABASE "kratos" OWNER "app";',
    );
    expect(values(synth, "hydra").deployment.extraEnv[1].value).toContain(
      "@altinn-platform-test-psql.postgres.database.azure.com:5432/hydra?sslmode=require",
    );
    expect(release(synth, "hydra").depends_on).not.toContainEqual(expect.stringMatching(/^helm_release\./));
  });

  test("runs Hydra on an Azure database without any PostgreSQL in the cluster", () => {
    const { stack, bundle } = build({ hydra: { ...HYDRA, database: AZURE_HYDRA } });
    expect(releases(synthStack(stack)).map((r) => r.chart)).toEqual(["hydra"]);
    expect(bundle.requiredSecrets).toEqual([
      expect.objectContaining({
        namespace: "hydra",
        name: "hydra-secrets",
        keys: ["secretsSystem", "secretsCookie", "databasePassword"],
      }),
    ]);
  });

  test("adds only enabled Prometheus or Loki as Grafana data sources", () => {
    const { stack } = build({ grafana: true, loki: true });
    const ds = values(synthStack(stack), "grafana").datasources["datasources.yaml"].datasources;
    expect(ds).toEqual([expect.objectContaining({ type: "loki", isDefault: true })]);
  });

  test("uses a custom NGINX class for the solver and the Ingresses", () => {
    const { stack } = build({
      nginx: { ingressClassName: "public" },
      certManager: true,
      grafana: {
        datasources: { prometheusUrl: "http://prom:9090" },
        ingress: { host: "grafana.example.com" },
      },
    });
    const synth = synthStack(stack);
    expect(values(synth, "raw").resources[0].spec.acme.solvers[0].http01.ingress.ingressClassName).toBe(
      "public",
    );
    expect(values(synth, "grafana").ingress.ingressClassName).toBe("public");
  });

  test("publishes hosts and solves challenges in the class of the controller the cluster's DNS points at", () => {
    const { stack, connection } = clusterTestStack();
    const { nginx: _, ...withoutNginx } = ALL;
    new SupportingServices(stack, "services", {
      connection,
      services: withoutNginx,
      ingressController: { name: "Traefik", ingressClassName: "traefik" },
    });
    const synth = synthStack(stack);
    expect(releases(synth).map((r) => r.chart)).not.toContain("nginx-ingress");
    expect(values(synth, "raw").resources[0].spec.acme.solvers).toEqual([
      { http01: { ingress: { ingressClassName: "traefik" } } },
    ]);
    expect(values(synth, "grafana").ingress.ingressClassName).toBe("traefik");
    expect(values(synth, "oathkeeper").ingress.proxy.className).toBe("traefik");
    expect(values(synth, "hydra").ingress.public.className).toBe("traefik");
    expect(values(synth, "kratos").ingress.public.className).toBe("traefik");
    expect(values(synth, "argo-cd").server.ingress.ingressClassName).toBe("traefik");
  });

  test("refuses hosts the cluster's DNS zone does not route to its controller", () => {
    const controller = { name: "Traefik", ingressClassName: "traefik", dnsZone: "ttd.apps.tt02.altinn.no" };
    const bundle = (grafanaHost: string, argocdHost: string) => {
      const { stack, connection } = clusterTestStack();
      return () =>
        new SupportingServices(stack, "services", {
          connection,
          services: {
            grafana: { datasources: { lokiUrl: "http://loki:3100" }, ingress: { host: grafanaHost } },
            argocd: { ingress: { host: argocdHost } },
          },
          ingressController: controller,
        });
    };
    expect(bundle("grafana.example.com", "a.b.ttd.apps.tt02.altinn.no")).toThrow(
      /2 problems:\n- services\.grafana\.ingress\.host "grafana\.example\.com" is not a name in this cluster's DNS zone ttd\.apps\.tt02\.altinn\.no.*e\.g\. "grafana\.ttd\.apps\.tt02\.altinn\.no"\n- services\.argocd\.ingress\.host "a\.b\.ttd/,
    );
    expect(bundle("grafana.ttd.apps.tt02.altinn.no", "ttd.apps.tt02.altinn.no")).not.toThrow();
  });

  test("refuses NGINX next to the controller the cluster's DNS points at", () => {
    const { stack, connection } = clusterTestStack();
    expect(
      () =>
        new SupportingServices(stack, "services", {
          connection,
          services: { nginx: true },
          ingressController: { name: "Traefik", ingressClassName: "traefik" },
        }),
    ).toThrow(/services\.nginx: Traefik already serves this cluster's hosts .* Remove nginx/);
  });

  test("without cert-manager, lists the TLS Secret of a published host as the operator's", () => {
    const { bundle } = build({
      nginx: true,
      grafana: { datasources: { lokiUrl: "http://loki:3100" }, ingress: { host: "g.example.com" } },
    });
    expect(bundle.requiredSecrets).toContainEqual(
      expect.objectContaining({ namespace: "grafana", name: "grafana-tls", keys: ["tls.crt", "tls.key"] }),
    );
  });

  test("keeps child construct ids stable, as they are Terraform addresses", () => {
    const { bundle } = build(ALL);
    expect(bundle.node.children.map((c) => c.node.id)).toEqual([
      "nginx",
      "cert-manager",
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
      "secrets",
    ]);
  });
});

describe("SupportingServices validation", () => {
  test("fails if hydra, kratos or keto has no database", () => {
    expect(() => build({ keto: true })).toThrow(
      /keto needs a database: enable postgresql, or pass services.keto.database/,
    );
  });

  test("fails if hydra is switched on without its URLs", () => {
    expect(() => build({ postgresql: true, hydra: true })).toThrow(
      /hydra needs issuerUrl, loginUrl, consentUrl; pass services.hydra as an object with them/,
    );
  });

  test("fails if kratos has no public URL", () => {
    expect(() =>
      build({ postgresql: true, kratos: { defaultReturnUrl: "https://app.example.com/" } }),
    ).toThrow(/kratos needs publicUrl/);
  });

  test("fails if oathkeeper has neither Kratos nor Keto", () => {
    expect(() => build({ oathkeeper: true })).toThrow(
      /2 problems:\n- oathkeeper authenticates with Kratos sessions.*\n- oathkeeper authorizes with Keto/,
    );
  });

  test("accepts oathkeeper with explicit Kratos and Keto URLs", () => {
    expect(() =>
      build({
        oathkeeper: {
          kratosPublicUrl: "http://kratos.example.internal",
          ketoReadUrl: "http://keto.example.internal",
        },
      }),
    ).not.toThrow();
  });

  test("fails if grafana has no data source", () => {
    expect(() => build({ grafana: true })).toThrow(/grafana has no data source: enable prometheus or loki/);
  });

  test("fails if cert-manager's HTTP-01 solver has no ingress controller", () => {
    expect(() => build({ certManager: true })).toThrow(
      /certManager's ACME HTTP-01 solver needs an ingress controller/,
    );
  });

  test("accepts cert-manager without an issuer", () => {
    expect(() => build({ certManager: { acme: false } })).not.toThrow();
  });

  test("fails if a published host has no ingress controller", () => {
    expect(() => build({ prometheus: true, grafana: { ingress: { host: "grafana.example.com" } } })).toThrow(
      /grafana.ingress \(grafana.example.com\) needs an ingress controller/,
    );
  });

  test("fails if a service name is unknown", () => {
    expect(() => build({ mysql: true } as SupportingServicesSelection)).toThrow(
      /services.mysql is not a supporting service/,
    );
  });

  test("lists every problem at once", () => {
    let error: unknown;
    try {
      build({ hydra: true, kratos: true, keto: true, oathkeeper: true, grafana: true, certManager: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructValidationError);
    const message = (error as Error).message;
    expect(message).toMatch(/^platform-test-k8s\/services: 7 problems:/);
    for (const part of [
      "keto needs a database",
      "kratos needs a database",
      "hydra needs a database",
      "hydra needs issuerUrl",
      "kratos needs publicUrl, defaultReturnUrl",
      "grafana has no data source",
      "certManager's ACME HTTP-01 solver",
    ]) {
      expect(message).toContain(part);
    }
  });
});

describe("mergeSecrets", () => {
  test("merges keys of the same Secret and keeps others apart", () => {
    expect(
      mergeSecrets([
        { namespace: "a", name: "s", keys: ["x"], purpose: "one" },
        { namespace: "b", name: "s", keys: ["x"], purpose: "two" },
        { namespace: "a", name: "s", keys: ["x", "y"], purpose: "three" },
      ]),
    ).toEqual([
      { namespace: "a", name: "s", keys: ["x", "y"], purpose: "one; three" },
      { namespace: "b", name: "s", keys: ["x"], purpose: "two" },
    ]);
  });
});
