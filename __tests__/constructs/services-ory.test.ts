import {
  type DatabaseEndpoint,
  ORY_CHART_REPOSITORY,
  ORY_CHART_VERSION,
  OryHydra,
  type OryHydraProps,
  OryKeto,
  type OryKetoProps,
  OryKratos,
  type OryKratosProps,
  OryOathkeeper,
  type OryOathkeeperProps,
} from "../../constructs/services";
import { onlyResource, type SynthesizedStack, synthStack } from "../../testing";
import { clusterTestStack, helmValues } from "../../testing/helm";

const newStack = clusterTestStack;

const values = (synth: SynthesizedStack) => helmValues(synth);

const AZURE_DB: DatabaseEndpoint = {
  host: "altinn-platform-test-psql.postgres.database.azure.com",
  port: 5432,
  database: "hydra",
  user: "hydra",
  passwordSecret: { name: "hydra-db", key: "password" },
  sslMode: "require",
};

const DSN_ENV = [
  { name: "ORY_DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "hydra-db", key: "password" } } },
  {
    name: "DSN",
    value:
      "postgres://hydra:$(ORY_DATABASE_PASSWORD)@altinn-platform-test-psql.postgres.database.azure.com:5432/hydra?sslmode=require",
  },
];

describe("OryHydra", () => {
  const PROPS: OryHydraProps = {
    database: AZURE_DB,
    issuerUrl: "https://auth.example.com/",
    loginUrl: "https://app.example.com/login",
    consentUrl: "https://app.example.com/consent",
  };
  function build(props: Partial<OryHydraProps> = {}) {
    const { stack, connection } = newStack();
    const hydra = new OryHydra(stack, "hydra", { connection, ...PROPS, ...props });
    return { stack, hydra };
  }
  const v = (props: Partial<OryHydraProps> = {}) => values(synthStack(build(props).stack));

  test("installs the hydra chart from ORY's moved repository, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "hydra",
      repository: "https://k8s.ory.com/helm/charts",
      version: "0.60.0",
    });
    expect(ORY_CHART_REPOSITORY).toBe("https://k8s.ory.com/helm/charts");
    expect(ORY_CHART_VERSION).toBe("0.60.0");
  });

  test("builds the DSN in the pod from the password Secret, for the server and the migration job", () => {
    const values = v();
    expect(values.deployment.extraEnv).toEqual(DSN_ENV);
    expect(values.job.extraEnv).toEqual(DSN_ENV);
    expect(values.hydra.config.dsn).toBeUndefined();
  });

  test("reads system secrets from the operator's Secret instead of generating one", () => {
    expect(v().secret).toEqual({ enabled: false, nameOverride: "hydra-secrets" });
    expect(v().hydra.config.secrets).toBeUndefined();
  });

  test("configures issuer, login and consent URLs", () => {
    expect(v().hydra.config.urls).toEqual({
      self: { issuer: "https://auth.example.com/" },
      login: "https://app.example.com/login",
      consent: "https://app.example.com/consent",
    });
  });

  test("migrates the database in a job and turns off Maester", () => {
    const values = v();
    expect(values.hydra.automigration).toEqual({ enabled: true, type: "job" });
    expect(values.maester).toEqual({ enabled: false });
  });

  test("runs 2 replicas with a PDB and a memory limit", () => {
    const values = v();
    expect(values.replicaCount).toBe(2);
    expect(values.pdb).toEqual({ enabled: true, spec: { minAvailable: 1 } });
    expect(values.deployment.resources.limits.memory).toBe("256Mi");
  });

  test("enforces baseline and reports restricted on its namespace", () => {
    const ns = Object.values(synthStack(build().stack).parsed.resource!.kubernetes_namespace_v1!)[0] as any;
    expect(ns.metadata.labels).toMatchObject({
      "pod-security.kubernetes.io/enforce": "baseline",
      "pod-security.kubernetes.io/warn": "restricted",
    });
  });

  test("lists its Secrets: system secrets and the database password", () => {
    expect(build().hydra.requiredSecrets).toEqual([
      expect.objectContaining({
        namespace: "hydra",
        name: "hydra-secrets",
        keys: ["secretsSystem", "secretsCookie"],
      }),
      expect.objectContaining({ namespace: "hydra", name: "hydra-db", keys: ["password"] }),
    ]);
  });

  test("publishes only the public API", () => {
    const ingress = v({ ingress: { host: "auth.example.com", ingressClassName: "nginx" } }).ingress;
    expect(Object.keys(ingress)).toEqual(["public"]);
    expect(ingress.public).toMatchObject({
      enabled: true,
      className: "nginx",
      hosts: [{ host: "auth.example.com", paths: [{ path: "/", pathType: "Prefix" }] }],
      tls: [{ secretName: "hydra-public-tls", hosts: ["auth.example.com"] }],
    });
  });

  test("fails if the issuer is not https", () => {
    expect(() => build({ issuerUrl: "http://auth.example.com/" })).toThrow(/issuerUrl .* must use https/);
  });

  test("fails if the database user would need escaping in the DSN", () => {
    expect(() => build({ database: { ...AZURE_DB, user: "hydra@server" } })).toThrow(
      /database.user "hydra@server"/,
    );
  });
});

describe("OryKratos", () => {
  const PROPS: OryKratosProps = {
    database: {
      ...AZURE_DB,
      database: "kratos",
      user: "kratos",
      passwordSecret: { name: "kratos-db", key: "pw" },
    },
    publicUrl: "https://id.example.com/",
    defaultReturnUrl: "https://app.example.com/",
  };
  function build(props: Partial<OryKratosProps> = {}) {
    const { stack, connection } = newStack();
    const kratos = new OryKratos(stack, "kratos", { connection, ...PROPS, ...props });
    return { stack, kratos };
  }
  const v = (props: Partial<OryKratosProps> = {}) => values(synthStack(build(props).stack));

  test("installs the kratos chart, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "kratos",
      repository: ORY_CHART_REPOSITORY,
      version: ORY_CHART_VERSION,
    });
  });

  test("gives the server, the migration job and the courier the DSN and SMTP URI from Secrets", () => {
    const values = v();
    const expected = [
      { name: "ORY_DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "kratos-db", key: "pw" } } },
      { name: "DSN", value: expect.stringMatching(/^postgres:\/\/kratos:\$\(ORY_DATABASE_PASSWORD\)@/) },
      {
        name: "COURIER_SMTP_CONNECTION_URI",
        valueFrom: { secretKeyRef: { name: "kratos-secrets", key: "smtpConnectionURI" } },
      },
    ];
    expect(values.deployment.extraEnv).toEqual(expected);
    expect(values.job.extraEnv).toEqual(expected);
    expect(values.statefulSet.extraEnv).toEqual(expected);
  });

  test("reads its secrets from the operator's Secret", () => {
    expect(v().secret).toEqual({ enabled: false, nameOverride: "kratos-secrets" });
  });

  test("configures public URL, return URLs and the default identity schema", () => {
    const k = v().kratos;
    expect(k.config.serve.public.base_url).toBe("https://id.example.com/");
    expect(k.config.serve.admin.base_url).toBe("http://kratos-admin.kratos.svc.cluster.local:80/");
    expect(k.config.selfservice.default_browser_return_url).toBe("https://app.example.com/");
    expect(k.config.identity.schemas).toEqual([
      { id: "default", url: "file:///etc/config/identity.default.schema.json" },
    ]);
    expect(JSON.parse(k.identitySchemas["identity.default.schema.json"]).properties.traits.required).toEqual([
      "email",
    ]);
  });

  test("points every self-service flow at the UI when one is given", () => {
    const flows = v({ uiUrl: "https://app.example.com/auth/" }).kratos.config.selfservice.flows;
    expect(flows.login).toEqual({ ui_url: "https://app.example.com/auth/login" });
    expect(flows.settings).toEqual({ ui_url: "https://app.example.com/auth/settings" });
  });

  test("exposes the in-cluster public URL Oathkeeper checks sessions against", () => {
    expect(build().kratos.publicServiceUrl).toBe("http://kratos-public.kratos.svc.cluster.local:80");
  });

  test("lists its Secrets", () => {
    expect(build().kratos.requiredSecrets.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      "kratos/kratos-secrets",
      "kratos/kratos-db",
    ]);
  });

  test("fails if the identity schema is not JSON", () => {
    expect(() => build({ identitySchema: "{" })).toThrow(/identitySchema is not valid JSON/);
  });

  test("fails if the public URL is not https", () => {
    expect(() => build({ publicUrl: "http://id.example.com/" })).toThrow(/publicUrl .* must use https/);
  });
});

describe("OryKeto", () => {
  const PROPS: OryKetoProps = {
    database: {
      ...AZURE_DB,
      database: "keto",
      user: "keto",
      passwordSecret: { name: "keto-db", key: "password" },
    },
  };
  function build(props: Partial<OryKetoProps> = {}) {
    const { stack, connection } = newStack();
    const keto = new OryKeto(stack, "keto", { connection, ...PROPS, ...props });
    return { stack, keto };
  }
  const v = (props: Partial<OryKetoProps> = {}) => values(synthStack(build(props).stack));

  test("installs the keto chart, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "keto",
      repository: ORY_CHART_REPOSITORY,
      version: ORY_CHART_VERSION,
    });
  });

  test("removes the chart's in-memory DSN and takes the DSN from the Secret", () => {
    const values = v();
    expect(values.keto.config.dsn).toBeNull();
    expect(values.deployment.extraEnv[1]).toEqual({
      name: "DSN",
      value: expect.stringContaining("keto:$(ORY_DATABASE_PASSWORD)@"),
    });
    expect(values.secret).toEqual({ enabled: false });
  });

  test("numbers relation namespaces in order", () => {
    expect(v({ namespaces: ["documents", "groups"] }).keto.config.namespaces).toEqual([
      { id: 0, name: "documents" },
      { id: 1, name: "groups" },
    ]);
  });

  test("exposes the read API for Oathkeeper", () => {
    expect(build().keto.readUrl).toBe("http://keto-read.keto.svc.cluster.local:80");
  });

  test("fails if a relation namespace repeats", () => {
    expect(() => build({ namespaces: ["a", "a"] })).toThrow(/repeat a name/);
  });
});

describe("OryOathkeeper", () => {
  const PROPS: OryOathkeeperProps = {
    kratosPublicUrl: "http://kratos-public.kratos.svc.cluster.local:80",
    ketoReadUrl: "http://keto-read.keto.svc.cluster.local:80",
    rules: [
      {
        id: "documents-read",
        match: { url: "https://app.example.com/documents/<**>", methods: ["GET"] },
        upstream: { url: "http://documents.apps.svc.cluster.local" },
        authorizer: { keto: { namespace: "documents", object: "all", relation: "viewer" } },
      },
    ],
  };
  function build(props: Partial<OryOathkeeperProps> = {}) {
    const { stack, connection } = newStack();
    const oathkeeper = new OryOathkeeper(stack, "oathkeeper", { connection, ...PROPS, ...props });
    return { stack, oathkeeper };
  }
  const v = (props: Partial<OryOathkeeperProps> = {}) => values(synthStack(build(props).stack));

  test("installs the oathkeeper chart, pinned, without Maester", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "oathkeeper",
      repository: ORY_CHART_REPOSITORY,
      version: ORY_CHART_VERSION,
    });
    expect(v().maester).toEqual({ enabled: false });
  });

  test("authenticates with Kratos session cookies and session tokens", () => {
    const auth = v().oathkeeper.config.authenticators;
    expect(auth.cookie_session).toEqual({
      enabled: true,
      config: {
        check_session_url: "http://kratos-public.kratos.svc.cluster.local:80/sessions/whoami",
        preserve_path: true,
        extra_from: "@this",
        subject_from: "identity.id",
        only: ["ory_kratos_session"],
      },
    });
    expect(auth.bearer_token.config.token_from).toEqual({ header: "X-Session-Token" });
  });

  test("authorizes with Keto's check API", () => {
    expect(v().oathkeeper.config.authorizers.remote_json).toEqual({
      enabled: true,
      config: { remote: "http://keto-read.keto.svc.cluster.local:80/relation-tuples/check", payload: "{}" },
    });
  });

  test("renders the access rules as the text of access-rules.json, which the chart indents into its ConfigMap", () => {
    // templates/configmap-rules.yaml (chart 0.60.0) pipes accessRules through `indent`: a string
    // function, so a list fails to render.
    const rules = v().oathkeeper.accessRules;
    expect(typeof rules).toBe("string");
    expect(JSON.parse(rules).map((r: { id: string }) => r.id)).toEqual(["documents-read"]);
    expect(v({ rules: [] }).oathkeeper.accessRules).toBe("[]");
  });

  test("renders a rule's Keto check as a remote_json payload with the subject template", () => {
    const rule = JSON.parse(v().oathkeeper.accessRules)[0];
    expect(rule.authorizer.handler).toBe("remote_json");
    expect(JSON.parse(rule.authorizer.config.payload)).toEqual({
      namespace: "documents",
      object: "all",
      relation: "viewer",
      subject_id: "{{ print .Subject }}",
    });
    expect(rule.authenticators).toEqual([{ handler: "cookie_session" }, { handler: "bearer_token" }]);
    expect(rule.mutators).toEqual([{ handler: "id_token" }]);
  });

  test("signs ID tokens with the operator's JWKS Secret, which the chart mounts", () => {
    const values = v();
    // The chart mounts `nameOverride` at `mountPath` only with `secret.enabled`
    // (templates/deployment-controller.yaml, chart 0.60.0); without mutatorIdTokenJWKs it
    // creates no Secret of its own.
    expect(values.secret).toEqual({
      enabled: true,
      nameOverride: "oathkeeper-jwks",
      mountPath: "/etc/secrets",
      filename: "mutator.id_token.jwks.json",
    });
    expect(values.oathkeeper.config.mutators.id_token.config.jwks_url).toBe(
      "file:///etc/secrets/mutator.id_token.jwks.json",
    );
    expect(values.oathkeeper.mutatorIdTokenJWKs).toBeUndefined();
  });

  test("has no migration job and sets the pod security context where the chart reads it", () => {
    const values = v();
    expect(values.job).toBeUndefined();
    expect(values.deployment.podSecurityContext).toBeUndefined();
    expect(values.podSecurityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });

  test("uses the published host as token issuer", () => {
    const values = v({ ingress: { host: "app.example.com", ingressClassName: "nginx" } });
    expect(values.oathkeeper.config.mutators.id_token.config.issuer_url).toBe("https://app.example.com/");
    expect(values.ingress.proxy.hosts).toEqual([
      { host: "app.example.com", paths: [{ path: "/", pathType: "Prefix" }] },
    ]);
  });

  test("turns the Keto authorizer off without a Keto URL", () => {
    expect(v({ ketoReadUrl: undefined, rules: [] }).oathkeeper.config.authorizers.remote_json).toEqual({
      enabled: false,
    });
  });

  test("fails if a rule asks Keto but no Keto URL is set", () => {
    expect(() => build({ ketoReadUrl: undefined })).toThrow(
      /rule "documents-read" asks Keto, but ketoReadUrl is not set/,
    );
  });

  test("fails if rules repeat an id", () => {
    expect(() => build({ rules: [PROPS.rules![0]!, PROPS.rules![0]!] })).toThrow(/rules repeat an id/);
  });
});
