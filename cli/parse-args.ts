import { type Command, CommanderError } from "commander";

/**
 * Parses a command line with `exitOverride` on: returns the exit code when commander has
 * already answered (`--help`, `--version`: 0; a usage error: 1, message printed), else undefined.
 */
export function parseArgs(program: Command, argv: readonly string[]): number | undefined {
  try {
    program.parse([...argv], { from: "user" });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    throw e;
  }
}
