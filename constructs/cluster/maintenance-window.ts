import type { KubernetesClusterMaintenanceWindowAutoUpgrade } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { Token } from "cdktf";

import { type DayOfWeek, type MaintenanceFrequency, maintenanceWindowFieldProblems } from "./settings";

export { DAYS_OF_WEEK, type DayOfWeek, MAINTENANCE_FREQUENCIES, type MaintenanceFrequency } from "./settings";

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

/** Problems with a window, as messages prefixed with `field` (the rules: `maintenanceWindowFieldProblems`). */
export function maintenanceWindowProblems(field: string, spec: MaintenanceWindowSpec): string[] {
  return maintenanceWindowFieldProblems(spec, Token.isUnresolved).map((p) => `${field}: ${p.message}`);
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
