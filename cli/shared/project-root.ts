/**
 * The repository's root directory, found from wherever the running code lives: the source tree
 * under tsx or Jest, or a cached bundle under node_modules/.cache (tools/run.cjs).
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

const PACKAGE_NAME = "altinn-fleet-infra";

export function findProjectRoot(from: string = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === PACKAGE_NAME
    ) {
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the ${PACKAGE_NAME} repository above ${from}`);
    dir = parent;
  }
}

/**
 * tools/run.cjs names the checkout it runs from: its bundle lives in node_modules/.cache, which
 * may be another checkout's (a worktree linking a shared node_modules resolves to the real path),
 * so searching upwards from the bundle would find the wrong repository.
 */
const RUNNER_ROOT = (globalThis as { __fleetProjectRoot?: unknown }).__fleetProjectRoot;

export const PROJECT_ROOT = typeof RUNNER_ROOT === "string" ? RUNNER_ROOT : findProjectRoot();
