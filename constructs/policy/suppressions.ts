/**
 * Suppressions: an explicit, reasoned exception to one rule for one resource (and what is below
 * it in the construct tree). They are recorded in the construct's node metadata, so they travel
 * with the construct and are visible where it is created; fleet-wide ones sit in
 * fleet-suppressions.ts, matched by construct path. `npm run policy` lists every one, and those
 * that no longer suppress anything.
 */
import type { IConstruct } from "constructs";
import { ruleById } from "./packs";

/** cdk-nag asks for at least 10 characters; a reason a reviewer can judge needs a sentence. */
export const MIN_REASON_LENGTH = 20;

export const SUPPRESSION_METADATA_TYPE = "altinn-fleet:policy-suppression";

export interface Suppression {
  readonly rule: string;
  readonly reason: string;
}

/** A suppression for every construct whose path matches, across stacks. */
export interface FleetSuppression extends Suppression {
  /**
   * Glob (picomatch) over the construct path of the resource or of an ancestor, stack id
   * included, e.g. `apps-*\/environment/network/nsg-rule-ingress-http-*`.
   */
  readonly path: string;
}

export class SuppressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SuppressionError";
  }
}

/** Throws unless the rule exists and the reason is a real sentence. */
export function validateSuppression(rule: string, reason: string, where: string): void {
  if (!ruleById(rule)) {
    throw new SuppressionError(
      `${where}: cannot suppress unknown rule "${rule}"; use a rule id from \`npm run policy\` (e.g. AZ-ST-003)`,
    );
  }
  const trimmed = (reason ?? "").trim();
  if (trimmed.length < MIN_REASON_LENGTH) {
    throw new SuppressionError(
      `${where}: suppressing ${rule} needs a reason of at least ${MIN_REASON_LENGTH} characters that says why ` +
        `the risk is accepted (got ${JSON.stringify(reason ?? "")})`,
    );
  }
}

/**
 * Suppresses a rule for a construct and everything below it: use the resource itself, or the L2
 * construct that owns it. The reason is shown in every report; make it say why the risk is
 * accepted, not that it is.
 */
export function suppress(scope: IConstruct, rule: string, reason: string): void {
  validateSuppression(rule, reason, scope.node.path);
  const existing = suppressionsOn(scope).find((s) => s.rule === rule);
  if (existing) {
    throw new SuppressionError(
      `${scope.node.path}: ${rule} is already suppressed here ("${existing.reason}")`,
    );
  }
  scope.node.addMetadata(SUPPRESSION_METADATA_TYPE, { rule, reason: reason.trim() } satisfies Suppression);
}

/** The suppressions recorded on one construct (not its ancestors). */
export function suppressionsOn(scope: IConstruct): Suppression[] {
  return scope.node.metadata
    .filter((m) => m.type === SUPPRESSION_METADATA_TYPE)
    .map((m) => m.data as Suppression);
}
