/**
 * The apply slots of every apply stage: the jobs an apply stage runs one after another, with a
 * gate between them. Slot order is dependency wave major, rollout group minor; the count depends
 * only on the fleet definition, never on the run, because the pipeline's jobs are fixed when a
 * run is compiled.
 *
 * This version knows no rollout groups yet: one slot per dependency wave (clusters, what reads
 * them, the apps' -k8s stacks). Canary and batch groups (the `rollout` section of fleet.yaml)
 * subdivide each wave.
 */
import type { FleetSettings } from "../fleet/model";

/** The most dependency waves one scope has: clusters, then what reads them, then apps -k8s. */
export const DEPENDENCY_WAVES = 3;

export interface ApplySlot {
  readonly index: number;
  /** For job display names and summaries: "wave 0", later "wave 0 canaries", "wave 0 batch 2". */
  readonly label: string;
}

export function applySlots(_settings: FleetSettings): ApplySlot[] {
  return Array.from({ length: DEPENDENCY_WAVES }, (_, index) => ({ index, label: `wave ${index}` }));
}
