/** Runs one of the project's commands in a child process, the way a user would. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(__dirname, "..");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  cwd = REPO_ROOT,
): CliResult {
  // As the npm scripts run them: through tools/run.cjs (a cached bundle of the entry point).
  const r = spawnSync(process.execPath, [join(REPO_ROOT, "tools", "run.cjs"), script, ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The committed fleet's stderr is silent but for the preconditions outside the fleet, each said
 * once as a notice (README "DNS: who answers which name"): the fields they name, in order, and
 * any other line as it is.
 */
export function stderrNoticeFields(stderr: string): string[] {
  return (
    stderr
      .trim()
      .split("\n")
      .filter((line) => line !== "")
      // Progress lines of a long synthesis (cli/synth/synth.ts synthProgress) are no notices.
      .filter((line) => !line.startsWith("synth: "))
      .map((line) => /^notice: [^ ]+: ([a-zA-Z.]+)/.exec(line)?.[1] ?? line)
  );
}

/** What `stderrNoticeFields` gives for the committed fleet. */
export const COMMITTED_FLEET_NOTICES = [
  "hostname",
  "platform.gatewayCertificate.imported",
  "platform.cosmosFailoverLocation",
];
