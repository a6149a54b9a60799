/**
 * A problem with one field of what a caller passes, found by a pure check. Constructs run their
 * checks in the constructor and throw one ConstructValidationError listing them; the fleet loader
 * runs the same checks on fleet.yaml and reports each at the file and line the field came from.
 */
export type FieldPath = readonly (string | number)[];

export interface FieldProblem {
  /** The field, relative to the value that was checked (e.g. `["minCount"]`). */
  readonly path: FieldPath;
  /** Other fields the problem depends on (a contradiction): whichever was set last is to blame. */
  readonly related?: readonly FieldPath[];
  readonly value: unknown;
  /** What is wrong, naming the field and its value. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

/** The problems of a nested value, with paths from the outer one. */
export function under(prefix: FieldPath, problems: readonly FieldProblem[]): FieldProblem[] {
  return problems.map((p) => ({
    ...p,
    path: [...prefix, ...p.path],
    ...(p.related ? { related: p.related.map((r) => [...prefix, ...r]) } : {}),
  }));
}

/**
 * A whole number from `min` to `max` at `field`, or one problem saying so (`why` explains the
 * range). Undefined and unresolved values pass.
 */
export function wholeNumberProblems(
  field: string,
  value: number | undefined,
  range: { readonly min: number; readonly max: number; readonly why?: string; readonly fix: string },
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  if (value === undefined || isUnresolved(value)) return [];
  if (Number.isInteger(value) && value >= range.min && value <= range.max) return [];
  return [
    {
      path: [field],
      value,
      message: `${field} ${value} must be a whole number from ${range.min} to ${range.max}${range.why ? ` ${range.why}` : ""}`,
      fix: range.fix,
    },
  ];
}

/** Tells whether a value is a Terraform token (cdktf's `Token.isUnresolved`): such values are not checked. */
export type IsUnresolved = (value: unknown) => boolean;

export const ALL_RESOLVED: IsUnresolved = () => false;
