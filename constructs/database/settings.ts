/** What callers may set, as data the fleet's settings schema reuses. Loads neither cdktf nor the provider. */

/** PostgreSQL major versions Azure offers on flexible servers. */
export const POSTGRES_VERSIONS = ["13", "14", "15", "16", "17"] as const;
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];
