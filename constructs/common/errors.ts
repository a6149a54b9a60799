/**
 * A misuse of a construct, raised in its constructor: names the construct path, what was wrong,
 * the bad value and how to fix it.
 */
export class ConstructValidationError extends Error {
  constructor(
    readonly constructPath: string,
    message: string,
  ) {
    super(`${constructPath}: ${message}`);
    this.name = "ConstructValidationError";
  }
}
