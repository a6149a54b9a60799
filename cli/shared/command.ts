/** What the fleet commands share: their I/O, argument parsing conventions and stack lists. */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Command, CommanderError, InvalidArgumentError } from "commander";

/** Where a command reads and writes; tests pass their own. */
export interface CommandIO {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Results (stack ids, JSON, diff, ##vso commands). */
  out(text: string): void;
  /** Progress, notices and errors. */
  err(text: string): void;
  /** All of stdin; undefined when stdin is a terminal (nothing piped). */
  readStdin(): Promise<string | undefined>;
}

export function processIO(): CommandIO {
  return {
    cwd: process.cwd(),
    env: process.env,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    readStdin: async () => {
      if (process.stdin.isTTY) return undefined;
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
  };
}

export type Main = (argv: readonly string[], io?: CommandIO) => Promise<number>;

/**
 * The one entry-point convention: every `bin/<command>.ts` is `runMain(<main>)`, where `<main>`
 * takes the user's arguments and returns the exit code (or a promise of it). The command's code
 * lives in its folder under cli/ (or fleet/, docs-gen/ for allocate and docs); an error that
 * escapes becomes one line on stderr and exit 1, never a stack trace.
 */
export function runMain(main: (argv: readonly string[]) => number | Promise<number>): void {
  Promise.resolve()
    .then(() => main(process.argv.slice(2)))
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exitCode = 1;
      },
    );
}

/** A commander program that reports through `io` and never exits the process itself. */
export function program(name: string, description: string, io: CommandIO): Command {
  return new Command(name)
    .description(description)
    .exitOverride()
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });
}

/**
 * Parses `argv` (user arguments only). Returns an exit code when parsing ended the command
 * (`--help` → 0, a usage error → 1), else undefined.
 */
export function parse(cmd: Command, argv: readonly string[]): number | undefined {
  try {
    cmd.parse([...argv], { from: "user" });
    return undefined;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    throw e;
  }
}

/** Runs a command body, turning a thrown error into `error: …` on stderr and exit code 1. */
export async function guarded(io: CommandIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a whole number of at least 1");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a whole number of at least 0");
  return n;
}

/** Stack ids from text: separated by whitespace or newlines; `#` starts a comment. */
export function parseStackList(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .flatMap((line) => line.split(/\s+/))
    .filter((id) => id !== "");
}

/** Stack ids from `--stacks-file` (`-` = stdin), or undefined when none was given. */
export async function readStacksFile(file: string | undefined, io: CommandIO): Promise<string[] | undefined> {
  if (file === undefined) return undefined;
  if (file === "-") {
    const text = await io.readStdin();
    return parseStackList(text ?? "");
  }
  return parseStackList(readFileSync(resolve(io.cwd, file), "utf8"));
}

/** Seconds with one decimal, for progress lines. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
