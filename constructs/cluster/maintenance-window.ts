import type { KubernetesClusterMaintenanceWindowAutoUpgrade } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { Token } from "cdktf";

export const MAINTENANCE_FREQUENCIES = ["Weekly", "Daily"] as const;
export type MaintenanceFrequency = (typeof MAINTENANCE_FREQUENCIES)[number];

export const DAYS_OF_WEEK = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
] as const;
export type DayOfWeek = (typeof DAYS_OF_WEEK)[number];

/**
 * A planned maintenance window (AKS `aksManagedAutoUpgradeSchedule` or
 * `aksManagedNodeOSUpgradeSchedule`). AKS only starts upgrades inside it, so at fleet scale the
 * windows are how upgrades are staggered across clusters.
 */
export interface MaintenanceWindowSpec {
  /** How often the window recurs. */
  readonly frequency: MaintenanceFrequency;
  /** Day of the week; required for `Weekly`, not allowed for `Daily`. */
  readonly dayOfWeek?: DayOfWeek;
  /** Local start time, `HH:MM` (24-hour). */
  readonly startTime: string;
  /** Length in whole hours, 4-24 (AKS needs at least four hours to finish an upgrade). */
  readonly durationHours: number;
  /**
   * Offset of `startTime` from UTC, `+HH:MM` or `-HH:MM`.
   * @default "+00:00"
   */
  readonly utcOffset?: string;
  /**
   * Recur every `interval` weeks (Weekly) or days (Daily).
   * @default 1
   */
  readonly interval?: number;
}

const START_TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const UTC_OFFSET = /^[+-]([01][0-9]|2[0-3]):[0-5][0-9]$/;

/** Problems with a window, as messages prefixed with `field`. */
export function maintenanceWindowProblems(field: string, spec: MaintenanceWindowSpec): string[] {
  const problems: string[] = [];
  if (spec.frequency === "Weekly" && spec.dayOfWeek === undefined) {
    problems.push(`${field}: a Weekly window needs dayOfWeek`);
  }
  if (spec.frequency === "Daily" && spec.dayOfWeek !== undefined) {
    problems.push(`${field}: a Daily window must not set dayOfWeek (got ${spec.dayOfWeek})`);
  }
  if (!Token.isUnresolved(spec.startTime) && !START_TIME.test(spec.startTime)) {
    problems.push(`${field}: startTime "${spec.startTime}" must be HH:MM in 24-hour time, e.g. "23:30"`);
  }
  const hours = spec.durationHours;
  if (!Token.isUnresolved(hours) && (!Number.isInteger(hours) || hours < 4 || hours > 24)) {
    problems.push(`${field}: durationHours ${hours} must be a whole number from 4 to 24`);
  }
  const offset = spec.utcOffset;
  if (offset !== undefined && !Token.isUnresolved(offset) && !UTC_OFFSET.test(offset)) {
    problems.push(`${field}: utcOffset "${offset}" must look like "+00:00" or "-05:00"`);
  }
  const interval = spec.interval;
  if (
    interval !== undefined &&
    !Token.isUnresolved(interval) &&
    (!Number.isInteger(interval) || interval < 1)
  ) {
    problems.push(`${field}: interval ${interval} must be a whole number of at least 1`);
  }
  return problems;
}

/**
 * The provider block. The auto-upgrade and node-OS blocks have the same shape, so one mapping
 * serves both.
 */
export function maintenanceWindowBlock(
  spec: MaintenanceWindowSpec,
): KubernetesClusterMaintenanceWindowAutoUpgrade {
  return {
    frequency: spec.frequency,
    interval: spec.interval ?? 1,
    dayOfWeek: spec.dayOfWeek,
    startTime: spec.startTime,
    duration: spec.durationHours,
    utcOffset: spec.utcOffset ?? "+00:00",
  };
}
