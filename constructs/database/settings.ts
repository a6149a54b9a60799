/**
 * What a PostgreSQL flexible server's callers may set, as data and pure checks:
 * PostgresFlexibleServer runs them and throws; the fleet's settings schema takes its enum sets
 * from here and the loader runs the checks on fleet.yaml. Loads neither cdktf nor the provider.
 */
import { ALL_RESOLVED, type FieldProblem, type IsUnresolved, wholeNumberProblems } from "../common/problems";

/** PostgreSQL major versions Azure offers on flexible servers. */
export const POSTGRES_VERSIONS = ["13", "14", "15", "16", "17"] as const;
export type PostgresVersion = (typeof POSTGRES_VERSIONS)[number];

/**
 * Storage sizes Azure accepts, in MiB (32 GiB to 32 TiB): the provider's `storage_mb` list
 * (hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/postgres/postgresql_flexible_server_resource.go).
 */
export const POSTGRES_STORAGE_SIZES_MB = [
  32768, 65536, 131072, 262144, 524288, 1048576, 2097152, 4193280, 4194304, 8388608, 16777216, 33553408,
] as const;
export type PostgresStorageMb = (typeof POSTGRES_STORAGE_SIZES_MB)[number];

/** Days of point-in-time restore Azure keeps: 7 to 35 (`backup_retention_days`, same source). */
export const POSTGRES_BACKUP_RETENTION_DAYS = { min: 7, max: 35 } as const;

/**
 * Problems with a server's compute, storage and backup settings, at paths inside them
 * (`["storageMb"]`). `highAvailability` is whether a standby is asked for.
 */
export function postgresServerProblems(
  s: {
    readonly sku: string;
    readonly storageMb?: number;
    readonly backupRetentionDays?: number;
    readonly highAvailability: boolean;
  },
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (s.highAvailability && !isUnresolved(s.sku) && s.sku.startsWith("B_")) {
    problems.push({
      path: ["highAvailability"],
      related: [["sku"]],
      value: true,
      message: `highAvailability needs a General Purpose (GP_) or Memory Optimized (MO_) SKU; "${s.sku}" is Burstable, which has no standby`,
      fix: "use a GP_ or MO_ SKU, or turn highAvailability off",
    });
  }
  problems.push(
    ...wholeNumberProblems(
      "backupRetentionDays",
      s.backupRetentionDays,
      { ...POSTGRES_BACKUP_RETENTION_DAYS, fix: "use 7 to 35 days" },
      isUnresolved,
    ),
  );
  const storage = s.storageMb;
  if (
    storage !== undefined &&
    !isUnresolved(storage) &&
    !(POSTGRES_STORAGE_SIZES_MB as readonly number[]).includes(storage)
  ) {
    problems.push({
      path: ["storageMb"],
      value: storage,
      message: `storageMb ${storage} is not a size Azure offers; use one of ${POSTGRES_STORAGE_SIZES_MB.join(", ")}`,
      fix: "use the next listed size up",
    });
  }
  return problems;
}
