/** Runs one of the project's commands in a child process, the way a user would. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const REPO_ROOT = join(__dirname, "..");
const TSX = join(REPO_ROOT, "node_modules", ".bin", "tsx");

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
  const r = spawnSync(TSX, [join(REPO_ROOT, script), ...args], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
