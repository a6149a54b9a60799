import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ConstructValidationError } from "../../constructs/common/errors";
import { PostgresFlexibleServer } from "../../constructs/database";
import {
  azurePostgresDatabase,
  DATABASE_PASSWORD_ENV,
  type DatabaseEndpoint,
  databaseEnv,
  databaseProblems,
  POSTGRES_CHART_REPOSITORY,
  POSTGRES_CHART_VERSION,
  PostgresService,
  type PostgresServiceProps,
  postgresDsn,
  REDIS_CHART_REPOSITORY,
  REDIS_CHART_VERSION,
  RedisService,
  type RedisServiceProps,
} from "../../constructs/services";
import { onlyResource, type SynthesizedStack, synthStack } from "../../testing";
import { clusterTestStack, helmValues } from "../../testing/helm";

const newStack = clusterTestStack;

const values = (synth: SynthesizedStack) => helmValues(synth);

const DB: DatabaseEndpoint = {
  host: "postgresql.postgresql.svc.cluster.local",
  port: 5432,
  database: "hydra",
  user: "app",
  passwordSecret: { name: "postgresql-auth", key: "password" },
  sslMode: "disable",
};

describe("DatabaseEndpoint", () => {
  test("builds a DSN that references the password env var, never a value", () => {
    expect(postgresDsn(DB)).toBe(
      `postgres://app:$(${DATABASE_PASSWORD_ENV})@postgresql.postgresql.svc.cluster.local:5432/hydra?sslmode=disable`,
    );
  });

  test("defines the password from the Secret before the DSN that expands it", () => {
    expect(databaseEnv(DB)).toEqual([
      {
        name: "ORY_DATABASE_PASSWORD",
        valueFrom: { secretKeyRef: { name: "postgresql-auth", key: "password" } },
      },
      { name: "DSN", value: expect.stringContaining("$(ORY_DATABASE_PASSWORD)") },
    ]);
  });

  test("points at an Azure flexible server's FQDN with TLS required", () => {
    const { stack } = newStack();
    const server = new PostgresFlexibleServer(stack, "psql", {
      name: "altinn-platform-test-psql",
      resourceGroupName: "test-rg",
      location: "norwayeast",
      tenantId: "cd0026d8-283b-4a55-9bfa-d0ef4a8ba21c",
      delegatedSubnetId:
        "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/test-rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/postgres",
      privateDns: {
        virtualNetworkId:
          "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/test-rg/providers/Microsoft.Network/virtualNetworks/vnet",
      },
      administrator: {
        objectId: "3f2b1a6c-8d4e-4b7a-9c15-2e6f0a1d7b34",
        principalName: "dba",
        principalType: "Group",
      },
      sku: "GP_Standard_D2ds_v5",
      geoRedundantBackup: false,
      databases: ["hydra"],
      tags: { org: "altinn" },
    });
    const db = azurePostgresDatabase(server, {
      database: "hydra",
      user: "hydra",
      passwordSecret: { name: "hydra-db", key: "password" },
    });
    expect(db.sslMode).toBe("require");
    expect(db.port).toBe(5432);
    expect(db.host).toBe(server.fqdn);
    expect(databaseProblems("database", db)).toEqual([]);
  });

  test("fails if the user needs URL escaping", () => {
    expect(databaseProblems("database", { ...DB, user: "ory@prod" })).toEqual([
      expect.stringMatching(/database.user "ory@prod" must be a plain PostgreSQL identifier/),
    ]);
  });

  test("fails if the password Secret name is invalid", () => {
    expect(
      databaseProblems("database", { ...DB, passwordSecret: { name: "Bad_Name", key: "password" } }),
    ).toEqual([expect.stringMatching(/passwordSecret.name "Bad_Name" is not a valid Secret name/)]);
  });
});

describe("PostgresService", () => {
  function build(props: PostgresServiceProps = {}) {
    const { stack, connection } = newStack();
    const postgres = new PostgresService(stack, "postgresql", { connection, ...props });
    return { stack, postgres };
  }
  const v = (props: PostgresServiceProps = {}) => values(synthStack(build(props).stack));

  test("installs Bitnami's postgresql chart from its OCI registry, pinned", () => {
    const release = onlyResource(synthStack(build().stack), "helm_release");
    expect(release).toMatchObject({
      chart: "postgresql",
      repository: "oci://registry-1.docker.io/bitnamicharts",
      version: "17.0.1",
      atomic: true,
      max_history: 5,
    });
    expect(POSTGRES_CHART_VERSION).toBe("17.0.1");
    expect(POSTGRES_CHART_REPOSITORY).toBe("oci://registry-1.docker.io/bitnamicharts");
  });

  test("creates the postgresql namespace with the restricted Pod Security Standard", () => {
    expect(synthStack(build().stack).json).toHaveResourceWithProperties(NamespaceV1, {
      metadata: expect.objectContaining({
        name: "postgresql",
        labels: expect.objectContaining({ "pod-security.kubernetes.io/enforce": "restricted" }),
      }),
    });
  });

  test("takes passwords only from the existing Secret", () => {
    expect(v().auth).toEqual({
      enablePostgresUser: true,
      username: "app",
      database: "app",
      existingSecret: "postgresql-auth",
      secretKeys: { adminPasswordKey: "postgres-password", userPasswordKey: "password" },
    });
  });

  test("keeps data on a 20Gi persistent volume with requests and a memory limit", () => {
    expect(v().primary).toMatchObject({
      persistence: { enabled: true, size: "20Gi" },
      resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } },
    });
  });

  test("uses Bitnami's legacy image, which the chart only accepts with allowInsecureImages", () => {
    const values = v();
    expect(values.image).toEqual({
      registry: "docker.io",
      repository: "bitnamilegacy/postgresql",
      tag: "17.6.0-debian-12-r4",
    });
    expect(values.global.security.allowInsecureImages).toBe(true);
  });

  test("warns that the legacy image gets no updates", () => {
    const { postgres } = build();
    expect(postgres.node.metadata.map((m) => m.type)).toContain("@cdktf/warn");
  });

  test("does not warn for a mirrored image", () => {
    const { postgres } = build({
      image: {
        registry: "altinncr.azurecr.io",
        repository: "bitnami/postgresql",
        tag: "17.6.0-debian-12-r4",
      },
    });
    expect(postgres.node.metadata).toEqual([]);
  });

  test("creates additional databases owned by the role on first start", () => {
    expect(v({ additionalDatabases: ["hydra", "kratos"] }).primary.initdb.scripts).toEqual({
      "00-databases.sql": 'CREATE DATABASE "hydra" OWNER "app"; CREATE DATABASE "kratos" OWNER "app";',
    });
  });

  test("runs a single primary unless read replicas are asked for", () => {
    expect(v().architecture).toBe("standalone");
    expect(v({ readReplicas: 1 }).readReplicas.replicaCount).toBe(1);
  });

  test("gives consumers an endpoint without a password", () => {
    const { postgres } = build({ additionalDatabases: ["keto"] });
    expect(postgres.endpoint("keto")).toEqual({
      host: "postgresql.postgresql.svc.cluster.local",
      port: 5432,
      database: "keto",
      user: "app",
      passwordSecret: { name: "postgresql-auth", key: "password" },
      sslMode: "disable",
    });
  });

  test("lists the Secret the operator provides", () => {
    expect(build().postgres.requiredSecrets).toEqual([
      expect.objectContaining({
        namespace: "postgresql",
        name: "postgresql-auth",
        keys: ["postgres-password", "password"],
      }),
    ]);
  });

  test("fails if an endpoint names a database it does not create", () => {
    expect(() => build().postgres.endpoint("hydra")).toThrow(/database "hydra" is not created/);
  });

  test("fails if a database name is not a plain identifier", () => {
    expect(() => build({ additionalDatabases: ["ory-hydra"] })).toThrow(
      /database "ory-hydra" must be a plain PostgreSQL identifier/,
    );
  });

  test("fails if a database is listed twice", () => {
    expect(() => build({ additionalDatabases: ["app"] })).toThrow(/repeat a name/);
  });

  test("fails if the image tag is latest", () => {
    expect(() =>
      build({ image: { registry: "docker.io", repository: "bitnami/postgresql", tag: "latest" } }),
    ).toThrow(/image tag "latest" is not pinned/);
  });

  test("reports every problem at once", () => {
    expect(() => build({ storageSize: "20GB", username: "App" })).toThrow(
      /2 problems:\n- username "App".*\n- storageSize "20GB"/,
    );
  });

  test("names the construct path in validation errors", () => {
    expect(() => build({ storageSize: "big" })).toThrow(ConstructValidationError);
    expect(() => build({ storageSize: "big" })).toThrow(/^platform-test-k8s\/postgresql: /);
  });
});

describe("RedisService", () => {
  function build(props: RedisServiceProps = {}) {
    const { stack, connection } = newStack();
    const redis = new RedisService(stack, "redis", { connection, ...props });
    return { stack, redis };
  }
  const v = (props: RedisServiceProps = {}) => values(synthStack(build(props).stack));

  test("installs Bitnami's redis chart from its OCI registry, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "redis",
      repository: "oci://registry-1.docker.io/bitnamicharts",
      version: "23.0.5",
    });
    expect(REDIS_CHART_VERSION).toBe("23.0.5");
    expect(REDIS_CHART_REPOSITORY).toBe("oci://registry-1.docker.io/bitnamicharts");
  });

  test("requires AUTH with the password from the existing Secret", () => {
    expect(v().auth).toEqual({
      enabled: true,
      existingSecret: "redis-auth",
      existingSecretPasswordKey: "redis-password",
    });
  });

  test("runs a persistent standalone master without Sentinel", () => {
    const values = v();
    expect(values.architecture).toBe("standalone");
    expect(values.sentinel).toEqual({ enabled: false });
    expect(values.master.persistence).toEqual({ enabled: true, size: "8Gi" });
    expect(values.master.resources.limits.memory).toBe("256Mi");
  });

  test("adds replicas in replication mode", () => {
    const values = v({ replicas: 2 });
    expect(values.architecture).toBe("replication");
    expect(values.replica.replicaCount).toBe(2);
  });

  test("uses Bitnami's legacy Redis image with allowInsecureImages", () => {
    const values = v();
    expect(values.image.repository).toBe("bitnamilegacy/redis");
    expect(values.image.tag).toBe("8.2.1-debian-12-r0");
    expect(values.global.security.allowInsecureImages).toBe(true);
  });

  test("exposes the master endpoint without a password", () => {
    expect(build().redis.endpoint()).toEqual({
      host: "redis-master.redis.svc.cluster.local",
      port: 6379,
      passwordSecret: { name: "redis-auth", key: "redis-password" },
    });
  });

  test("fails if replicas is negative", () => {
    expect(() => build({ replicas: -1 })).toThrow(/replicas -1 must be a whole number of at least 0/);
  });
});
