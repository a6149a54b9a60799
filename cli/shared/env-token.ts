/**
 * Environment names given on the command line (`--env`). What a stack is (kind, state scope,
 * org, environment) is never parsed from its id: synth writes it to `cdktf.out/stacks.json`
 * (stacks/metadata.ts), read through `readManifest`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";

/**
 * The environment token for a name given on the command line. Tokens are accepted as they
 * are; a registry name the fleet writes differently (`production` → `prod`, from `nameTokens`
 * in `<fleet dir>/fleet.yaml`) is translated, so `--env production` does not silently select
 * nothing. The fleet directory is `$FLEET_DIR`, else `environments/`.
 */
export function resolveEnvToken(env: string, cwd: string, fleetDir = process.env.FLEET_DIR): string {
  const file = join(resolve(cwd, fleetDir ?? "environments"), "fleet.yaml");
  if (!existsSync(file)) return env;
  try {
    const settings = parse(readFileSync(file, "utf8")) as { nameTokens?: unknown } | null;
    const tokens = settings?.nameTokens;
    if (typeof tokens === "object" && tokens !== null && !Array.isArray(tokens)) {
      const mapped = (tokens as Record<string, unknown>)[env];
      if (typeof mapped === "string") return mapped;
    }
  } catch {
    // An unreadable fleet.yaml is synth's problem to report; the token is used as given.
  }
  return env;
}
