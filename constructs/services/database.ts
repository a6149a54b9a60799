/**
 * A PostgreSQL database as its consumers see it: where it is, which database and role, and which
 * Kubernetes Secret key holds the password. Produced by `PostgresService` (in-cluster) or by
 * `azurePostgresDatabase` (an Azure Database for PostgreSQL flexible server); consumed by the ORY
 * services, which build their DSN in the pod from the Secret, never from a literal.
 */
import { Token } from "cdktf";
import type { PostgresFlexibleServer } from "../database/postgres-flexible-server";
import type { HelmValue } from "../in-cluster/helm-values";
import { type SecretKeyRef, secretRefProblems } from "./common";

/** libpq `sslmode` values the ORY services (pgx) accept. */
export type PostgresSslMode = "disable" | "require" | "verify-ca" | "verify-full";
const SSL_MODES: readonly PostgresSslMode[] = ["disable", "require", "verify-ca", "verify-full"];

/** A PostgreSQL database reachable from the cluster. */
export interface DatabaseEndpoint {
  /** Host name (an in-cluster Service or the flexible server's FQDN; may be a token). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
  /** Database name. */
  readonly database: string;
  /** Login role. */
  readonly user: string;
  /**
   * The Secret key holding the role's password, in the namespace of the consumer. Only the
   * reference is synthesized. The password is pasted into a URL by Kubernetes, so it must be
   * URL-safe: generate it with e.g. `openssl rand -hex 32`.
   */
  readonly passwordSecret: SecretKeyRef;
  /** TLS mode. Azure requires TLS (`require` or stricter); in-cluster traffic may use `disable`. */
  readonly sslMode: PostgresSslMode;
}

/** Options for a database on an Azure flexible server. */
export interface AzurePostgresDatabaseOptions {
  /** Database name, e.g. one of `PostgresFlexibleServer.databases`. */
  readonly database: string;
  /** Login role, created by the DBA with a password (the server needs password authentication). */
  readonly user: string;
  /**
   * The Secret key with the role's password, synced from Key Vault into the consumer's namespace
   * by the Key Vault secrets provider (a SecretProviderClass with `secretObjects`).
   */
  readonly passwordSecret: SecretKeyRef;
  /**
   * TLS mode; `verify-full` needs the DigiCert/Microsoft root CAs in the image.
   * @default "require"
   */
  readonly sslMode?: PostgresSslMode;
}

/**
 * A database on an Azure Database for PostgreSQL flexible server. The ORY services authenticate
 * with a password (they cannot fetch Entra ID tokens), so the server must allow password
 * authentication (`passwordAuthentication` on `PostgresFlexibleServer`), and the cluster's VNet
 * must reach the server's delegated subnet.
 */
export function azurePostgresDatabase(
  server: PostgresFlexibleServer,
  options: AzurePostgresDatabaseOptions,
): DatabaseEndpoint {
  return {
    host: server.fqdn,
    port: 5432,
    database: options.database,
    user: options.user,
    passwordSecret: options.passwordSecret,
    sslMode: options.sslMode ?? "require",
  };
}

/** Name of the env var that carries the database password inside ORY pods. */
export const DATABASE_PASSWORD_ENV = "ORY_DATABASE_PASSWORD";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problems of a database endpoint, prefixed with the field name. */
export function databaseProblems(field: string, db: DatabaseEndpoint): string[] {
  const problems: string[] = [];
  if (!Token.isUnresolved(db.host) && !HOST.test(db.host)) {
    problems.push(`${field}.host "${db.host}" is not a host name`);
  }
  if (!Token.isUnresolved(db.port) && (!Number.isInteger(db.port) || db.port < 1 || db.port > 65535)) {
    problems.push(`${field}.port ${db.port} is not a TCP port`);
  }
  for (const [name, value] of [
    ["database", db.database],
    ["user", db.user],
  ] as const) {
    if (!Token.isUnresolved(value) && !IDENTIFIER.test(value)) {
      problems.push(
        `${field}.${name} "${value}" must be a plain PostgreSQL identifier (lowercase letters, digits, '_'), because it is written into a connection URL unescaped`,
      );
    }
  }
  if (!(SSL_MODES as readonly string[]).includes(db.sslMode)) {
    problems.push(`${field}.sslMode "${db.sslMode}" is not allowed; use one of ${SSL_MODES.join(", ")}`);
  }
  problems.push(...secretRefProblems(`${field}.passwordSecret`, db.passwordSecret));
  return problems;
}

/**
 * The DSN with the password as a Kubernetes dependent env var reference: the kubelet substitutes
 * `$(ORY_DATABASE_PASSWORD)` from the env var defined just before it, so the synthesized JSON only
 * ever contains the reference.
 */
export function postgresDsn(db: DatabaseEndpoint, passwordEnv: string = DATABASE_PASSWORD_ENV): string {
  return `postgres://${db.user}:$(${passwordEnv})@${db.host}:${db.port}/${db.database}?sslmode=${db.sslMode}`;
}

/**
 * The env entries that give an ORY container its `DSN`: the password from the Secret first (the
 * order matters for `$(VAR)` expansion), then the DSN that references it. The ORY charts skip
 * their own `DSN` entry when `extraEnv` defines one.
 */
export function databaseEnv(db: DatabaseEndpoint): HelmValue[] {
  return [
    {
      name: DATABASE_PASSWORD_ENV,
      valueFrom: { secretKeyRef: { name: db.passwordSecret.name, key: db.passwordSecret.key } },
    },
    { name: "DSN", value: postgresDsn(db) },
  ];
}
