/** Child processes for the fleet CLI: run a command, capture its output, optionally stream it. */
import { spawn } from "node:child_process";

export interface RunOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Called with every chunk the child writes to stdout or stderr, as it arrives. */
  readonly onOutput?: (chunk: string) => void;
}

export interface RunResult {
  /** The exit code; 127 when the command could not be started, 128+n when killed by signal n. */
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr interleaved in arrival order: what a log file should hold. */
  readonly output: string;
  /** Set when the command could not be started at all (ENOENT and the like). */
  readonly spawnError?: string;
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    let output = "";
    let spawnError: string | undefined;
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk;
      output += chunk;
      options.onOutput?.(chunk);
    });
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      output += chunk;
      options.onOutput?.(chunk);
    });
    child.on("error", (e) => {
      spawnError = e.message;
    });
    child.on("close", (code, signal) => {
      const exit = code ?? (signal ? 128 + signalNumber(signal) : 1);
      resolve({
        code: spawnError !== undefined ? 127 : exit,
        stdout,
        stderr,
        output,
        ...(spawnError !== undefined ? { spawnError } : {}),
      });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  const numbers: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return numbers[signal] ?? 0;
}

/** The last `n` lines of a command's output, for error messages. */
export function tail(text: string, n = 20): string {
  const lines = text.trimEnd().split("\n");
  return lines.slice(-n).join("\n");
}
