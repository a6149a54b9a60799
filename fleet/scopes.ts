/** State scopes: one Terraform state container each, and the subscription its stacks deploy into. */
import type { FleetSettings } from "./model";

/** The state scope of stacks that serve every environment (org registries). */
export const SHARED_SCOPE = "shared";

/**
 * The state scope of the `state-scopes` stack: the other scopes' state containers and their
 * access, applied by the pipeline before every other scope (README "Who applies what, when").
 */
export const STATE_SCOPE = "state";

/** The `subscriptions` key of the subscription that holds the state account. */
export const BOOTSTRAP_SUBSCRIPTION = "bootstrap";

/**
 * The subscription a state scope's stacks deploy into. The `state` scope manages the state
 * account, so it uses the state account's subscription (`subscriptions.bootstrap`).
 */
export function subscriptionOf(settings: Pick<FleetSettings, "subscriptions">, scope: string): string {
  const key = scope === STATE_SCOPE ? BOOTSTRAP_SUBSCRIPTION : scope;
  const id = settings.subscriptions[key];
  if (id === undefined) throw new Error(`no subscription for state scope ${scope} (subscriptions.${key})`);
  return id;
}

/**
 * Every state scope: `state`, each environment's token, each Studio environment and `shared`.
 */
export function stateScopesOf(
  environmentNames: Iterable<string>,
  nameTokens: Readonly<Record<string, string>>,
  studioEnvironments: readonly string[],
): string[] {
  return [
    ...new Set([
      STATE_SCOPE,
      ...[...environmentNames].map((name) => nameTokens[name] ?? name),
      ...studioEnvironments,
      SHARED_SCOPE,
    ]),
  ];
}
