/**
 * Problems found in a fleet definition. Validation collects every problem before anything is
 * built, so a user sees them all at once; each names where it is and how to fix it.
 */

export type Severity = "error" | "notice";

export interface FleetProblem {
  readonly severity: Severity;
  /** File the problem is in, relative to the fleet directory (e.g. `altinn-orgs.json`). */
  readonly file: string;
  /** 1-based line in that file, where known. */
  readonly line?: number;
  /** 1-based column in that line, where known (syntax errors). */
  readonly column?: number;
  /** Org code the problem concerns, if any. */
  readonly org?: string;
  /** Environment name the problem concerns, if any. */
  readonly environment?: string;
  /** Dotted path of the offending field (e.g. `environmentClasses.test.nodePools.user.minCount`). */
  readonly field: string;
  /** The offending value, as the user wrote it (or as it was derived). */
  readonly value?: unknown;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** Shorthand for an error-level problem. */
export function problem(p: Omit<FleetProblem, "severity">): FleetProblem {
  return { severity: "error", ...p };
}

/** Shorthand for a notice: reported, never fatal. */
export function notice(p: Omit<FleetProblem, "severity">): FleetProblem {
  return { severity: "notice", ...p };
}

/** One line per problem: `file:line [org/env] field = value: message. Fix: ...`. */
export function formatProblem(p: FleetProblem): string {
  const where =
    p.line === undefined ? p.file : `${p.file}:${p.line}${p.column === undefined ? "" : `:${p.column}`}`;
  const scope = [p.org && `org ${p.org}`, p.environment && `environment ${p.environment}`]
    .filter(Boolean)
    .join(", ");
  const value = p.value === undefined ? "" : ` = ${JSON.stringify(p.value)}`;
  const label = p.severity === "error" ? "error" : "notice";
  return `${label}: ${where}${scope ? ` (${scope})` : ""}: ${p.field}${value}: ${p.message}. Fix: ${p.fix}`;
}

/** Thrown when a fleet definition has errors; carries all of them. */
export class FleetValidationError extends Error {
  constructor(readonly problems: readonly FleetProblem[]) {
    const errors = problems.filter((p) => p.severity === "error");
    super(
      `The fleet definition has ${errors.length} problem${errors.length === 1 ? "" : "s"}:\n${errors
        .map((p) => `  - ${formatProblem(p)}`)
        .join("\n")}`,
    );
    this.name = "FleetValidationError";
  }
}
