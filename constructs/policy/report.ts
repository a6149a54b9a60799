/**
 * The fleet-wide policy report behind `npm run policy`: every rule, every finding, every
 * suppression with what it covers, and the suppressions that cover nothing any more.
 */
import { type TerraformStack, Testing } from "cdktf";
import { type PolicyAspect, type PolicyFinding, policyAspectsOf, type SuppressionOrigin } from "./aspect";
import { ALL_RULES } from "./packs";
import type { PolicyRule } from "./rule";
import { SUPPRESSION_METADATA_TYPE, type Suppression } from "./suppressions";

export interface CoveredResource {
  readonly stackId: string;
  readonly address: string;
  readonly constructPath: string;
}

export interface SuppressionEntry {
  readonly rule: string;
  readonly reason: string;
  readonly origin: SuppressionOrigin;
  /** The findings it suppressed; empty means it is unused (stale, or misplaced). */
  readonly covers: readonly CoveredResource[];
}

export interface PolicyReport {
  readonly rules: readonly PolicyRule[];
  readonly stacks: readonly string[];
  readonly resourcesEvaluated: number;
  readonly evaluations: {
    readonly pass: number;
    readonly fail: number;
    readonly "n/a": number;
    readonly unknown: number;
  };
  /** Findings no suppression covers: each fails synth. */
  readonly violations: readonly PolicyFinding[];
  readonly suppressions: readonly SuppressionEntry[];
  readonly unusedSuppressions: readonly SuppressionEntry[];
}

/**
 * Runs the stacks' aspects (policy included) the way synth does, without writing anything:
 * stacks are prepared first (cross-stack references), then rendered.
 */
export function evaluateStacks(stacks: readonly TerraformStack[]): void {
  for (const stack of stacks) stack.prepareStack();
  for (const stack of stacks) Testing.synth(stack);
}

/** Collects the report from stacks whose aspects have run (evaluateStacks, or a synth). */
export function collectPolicyReport(stacks: readonly TerraformStack[]): PolicyReport {
  const evaluations = { pass: 0, fail: 0, "n/a": 0, unknown: 0 };
  let resourcesEvaluated = 0;
  const findings: PolicyFinding[] = [];
  const entries = new Map<
    unknown,
    { rule: string; reason: string; origin: SuppressionOrigin; covers: CoveredResource[] }
  >();
  const constructKey = (path: string, rule: string) => `construct:${path}#${rule}`;

  for (const stack of stacks) {
    const aspects: PolicyAspect[] = policyAspectsOf(stack);
    for (const aspect of aspects) {
      resourcesEvaluated += aspect.counts.resources;
      for (const k of ["pass", "fail", "n/a", "unknown"] as const) evaluations[k] += aspect.counts[k];
      const fleet = aspect.fleetSuppressionList;
      fleet.forEach((s, index) => {
        if (!entries.has(s)) {
          entries.set(s, {
            rule: s.rule,
            reason: s.reason,
            origin: { kind: "fleet", index, path: s.path },
            covers: [],
          });
        }
      });
      for (const f of aspect.findings) {
        findings.push(f);
        const o = f.suppression?.origin;
        if (!o) continue;
        const key = o.kind === "fleet" ? fleet[o.index] : constructKey(o.path, f.rule.id);
        if (o.kind === "construct" && !entries.has(key)) {
          entries.set(key, { rule: f.rule.id, reason: f.suppression!.reason, origin: o, covers: [] });
        }
        entries
          .get(key)
          ?.covers.push({ stackId: f.stackId, address: f.address, constructPath: f.constructPath });
      }
    }
    for (const c of stack.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type !== SUPPRESSION_METADATA_TYPE) continue;
        const s = m.data as Suppression;
        const key = constructKey(c.node.path, s.rule);
        if (!entries.has(key)) {
          entries.set(key, {
            rule: s.rule,
            reason: s.reason,
            origin: { kind: "construct", path: c.node.path },
            covers: [],
          });
        }
      }
    }
  }

  const suppressions = [...entries.values()];
  return {
    rules: ALL_RULES,
    stacks: stacks.map((s) => s.node.id),
    resourcesEvaluated,
    evaluations,
    violations: findings.filter((f) => !f.suppression),
    suppressions,
    unusedSuppressions: suppressions.filter((s) => s.covers.length === 0),
  };
}
