/**
 * What a stack id says about the stack: its kind, org and environment. Stack ids are a public
 * contract (DESIGN.md "Units of state"):
 *
 * | id | kind | environment |
 * |---|---|---|
 * | `org-<org>` | org | `shared` |
 * | `apps-<org>-<env>` / `apps-<org>-<env>-k8s` | apps / apps-k8s | `<env>` |
 * | `platform-<env>` / `platform-<env>-k8s` | platform / platform-k8s | `<env>` |
 * | `studio-<env>` / `studio-<env>-k8s` | studio / studio-k8s | `<env>` |
 * | `bootstrap-<...>` | bootstrap | none (applied once by hand, never by the pipeline) |
 * | `state-scopes` | state | `state` (the state containers of every other scope; applied first) |
 *
 * Environment tokens are the names used in resource names (`prod`, not the registry's
 * `production`) and contain no hyphen, so the token is the last hyphen-separated part of an
 * apps id once `-k8s` is stripped; org codes may contain hyphens.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { STATE_SCOPE } from "../fleet/load";

export type StackKind =
  | "org"
  | "apps"
  | "apps-k8s"
  | "platform"
  | "platform-k8s"
  | "studio"
  | "studio-k8s"
  | "bootstrap"
  | "state"
  | "other";

export interface StackIdParts {
  readonly kind: StackKind;
  readonly org?: string;
  /** The environment token, `shared` for org stacks; absent for bootstrap and unknown ids. */
  readonly env?: string;
}

/** The environment org stacks belong to: they hold what an org shares across environments. */
export const SHARED_ENV = "shared";

export function parseStackId(id: string): StackIdParts {
  const k8s = id.endsWith("-k8s");
  const base = k8s ? id.slice(0, -4) : id;
  const [prefix, ...rest] = base.split("-");
  if (rest.length === 0 || rest.some((p) => p === "")) return { kind: "other" };
  switch (prefix) {
    case "org":
      return k8s ? { kind: "other" } : { kind: "org", org: rest.join("-"), env: SHARED_ENV };
    case "apps":
      if (rest.length < 2) return { kind: "other" };
      return { kind: k8s ? "apps-k8s" : "apps", org: rest.slice(0, -1).join("-"), env: rest.at(-1)! };
    case "platform":
    case "studio":
      if (rest.length !== 1) return { kind: "other" };
      return { kind: k8s ? `${prefix}-k8s` : prefix, env: rest[0]! };
    case "bootstrap":
      return { kind: "bootstrap" };
    case "state":
      return k8s || rest.join("-") !== "scopes" ? { kind: "other" } : { kind: "state", env: STATE_SCOPE };
    default:
      return { kind: "other" };
  }
}

export function stackEnv(id: string): string | undefined {
  return parseStackId(id).env;
}

/** The stacks of one environment (`shared` selects the org stacks), order kept. */
export function filterByEnv(ids: Iterable<string>, env: string | undefined): string[] {
  const all = [...ids];
  return env === undefined ? all : all.filter((id) => stackEnv(id) === env);
}

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
