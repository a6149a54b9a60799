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
