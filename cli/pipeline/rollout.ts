/**
 * Rollout slots: the order in which an apply stage applies a scope's saved plans
 * (fleet.yaml `rollout`, README "Waves, canaries and the failure budget").
 *
 * A scope's stacks apply in dependency waves (wave 0 depends on nothing in the scope's run,
 * wave 1 on wave 0, ...). Within each wave they apply in rollout groups: the canary orgs first,
 * then the other orgs in `batches` batches. One (wave, group) pair is a slot; slots run one
 * after the other, dependency wave major, group minor, and `pipeline gate` decides between two
 * slots whether the scope goes on (the failure budget and the clusters' health).
 *
 * Which batch an org lands in is a hash of its code, not its place in a sorted list: adding or
 * removing an org never moves another org to another batch, so a rollout that was reviewed
 * ("batch 2 holds ...") stays what it was as the registry grows. An org's stacks of every wave
 * (cluster, then what runs in it) land in the same group, so a failure in a batch blocks the
 * same batch's later waves and nothing else.
 *
 * Stacks of no org (Platform, Studio, the state containers, external service clusters) go to
 * the last batch: everything every org depends on changes only after the canaries and the
 * earlier batches proved the change.
 *
 * The slot list depends only on fleet.yaml, never on a run: the pipeline has one gate and one
 * apply job per slot, and a slot with nothing to apply is skipped.
 */
import { createHash } from "node:crypto";
import type { FleetSettings, RolloutSettings } from "../../fleet/model";

/**
 * Dependency waves one scope may have: clusters, then what reads them, then what reads those
 * (an Apps cluster's `-k8s` stack). The pipeline has this many waves of slots; more waves in a
 * scope fail the Build stage, saying so.
 */
export const DEPENDENCY_WAVES = 3;

/** What an absent `rollout` section (or an absent field of it) means. */
export const ROLLOUT_DEFAULTS = {
  canaries: [] as readonly string[],
  batches: 1,
  /** No budget: any failed stack stops the scope. */
  failureBudget: { stacks: 0 } as FailureBudget,
} as const;

export interface FailureBudget {
  /** Stop the scope when more than this many stacks failed. */
  readonly stacks?: number;
  /** Stop the scope when more than this share (0-100) of the stacks applied so far failed. */
  readonly percent?: number;
}

export interface Rollout {
  readonly canaries: readonly string[];
  readonly batches: number;
  readonly failureBudget: FailureBudget;
}

/** One apply slot, as the pipeline generator takes it (`{index, label}`, the contract). */
export interface ApplySlot {
  readonly index: number;
  /** "wave 0 canaries", "wave 0 batch 2 of 3". */
  readonly label: string;
}

/** The rollout with every default filled in. */
export function resolveRollout(settings: Pick<FleetSettings, "rollout">): Rollout {
  const r: RolloutSettings = settings.rollout ?? {};
  return {
    canaries: [...(r.canaries ?? ROLLOUT_DEFAULTS.canaries)],
    batches: r.batches ?? ROLLOUT_DEFAULTS.batches,
    failureBudget: r.failureBudget ?? ROLLOUT_DEFAULTS.failureBudget,
  };
}

/** The groups of one wave, in order: `canaries` (when any are named), then the batches. */
export function rolloutGroups(rollout: Rollout): string[] {
  const batches = Array.from({ length: rollout.batches }, (_, i) =>
    rollout.batches === 1 ? "all" : `batch ${i + 1} of ${rollout.batches}`,
  );
  return rollout.canaries.length > 0 ? ["canaries", ...batches] : batches;
}

function slotsOf(rollout: Rollout): ApplySlot[] {
  const groups = rolloutGroups(rollout);
  const slots: ApplySlot[] = [];
  for (let wave = 0; wave < DEPENDENCY_WAVES; wave++) {
    groups.forEach((g) => {
      slots.push({ index: slots.length, label: `wave ${wave} ${g}` });
    });
  }
  return slots;
}

/** Every apply slot of a scope, in the order they run (the same for every scope and run). */
export function applySlots(settings: Pick<FleetSettings, "rollout">): ApplySlot[] {
  return slotsOf(resolveRollout(settings));
}

/** The same slots from an already resolved rollout (run.json carries one). */
export function slotsOfRollout(rollout: Rollout): ApplySlot[] {
  return slotsOf(rollout);
}

/** The batch (0-based) of an org: a hash of its code, stable as orgs come and go. */
export function batchOf(org: string, batches: number): number {
  if (batches <= 1) return 0;
  const h = createHash("sha256").update(org.toLowerCase()).digest();
  return h.readUInt32BE(0) % batches;
}

/** The rollout group (index into `rolloutGroups`) of a stack of `org` (undefined: no org). */
export function groupOf(rollout: Rollout, org: string | undefined): number {
  const offset = rollout.canaries.length > 0 ? 1 : 0;
  if (org === undefined) return offset + rollout.batches - 1;
  if (rollout.canaries.includes(org)) return 0;
  return offset + batchOf(org, rollout.batches);
}

/** The slot of a stack in dependency wave `wave` of its scope's run. */
export function slotOf(rollout: Rollout, wave: number, org: string | undefined): number {
  if (!Number.isInteger(wave) || wave < 0 || wave >= DEPENDENCY_WAVES) {
    throw new Error(
      `dependency wave ${wave} is beyond the pipeline's ${DEPENDENCY_WAVES} waves of apply slots (cli/pipeline/rollout.ts DEPENDENCY_WAVES)`,
    );
  }
  return wave * rolloutGroups(rollout).length + groupOf(rollout, org);
}

export interface BudgetVerdict {
  readonly exceeded: boolean;
  /** "2 of 14 stacks failed (14%): the budget allows 1 stack and 10%". */
  readonly text: string;
}

/** Whether `failed` failures among `attempted` applied stacks exceed the budget. */
export function checkBudget(budget: FailureBudget, failed: number, attempted: number): BudgetVerdict {
  const percent = attempted === 0 ? 0 : (failed * 100) / attempted;
  // A budget naming neither allows no failure.
  const stacks = budget.stacks ?? (budget.percent === undefined ? 0 : undefined);
  const overStacks = stacks !== undefined && failed > stacks;
  const overPercent = budget.percent !== undefined && percent > budget.percent;
  const allows = [
    stacks !== undefined ? `${stacks} failed stack(s)` : undefined,
    budget.percent !== undefined ? `${budget.percent}%` : undefined,
  ]
    .filter((x) => x !== undefined)
    .join(" and ");
  return {
    exceeded: overStacks || overPercent,
    text: `${failed} of ${attempted} applied stack(s) failed (${Math.round(percent)}%); the budget allows ${allows}`,
  };
}
