/**
 * Rules for remote state: every state scope has its pipeline identities and its subscription,
 * no settings name a scope no stack uses, and the state account's firewall admits the agents.
 */
import { FILES } from "../files";
import type { FleetSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import { BOOTSTRAP_SUBSCRIPTION, STATE_SCOPE } from "../scopes";
import type { SourceFile } from "../source";

/** Every state scope needs its plan and apply identities; unknown scopes are mistakes. */
export function checkStatePrincipals(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  for (const scope of scopes) {
    if (settings.state.principals[scope] === undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["state", "principals"]),
          environment: scope,
          field: `state.principals.${scope}`,
          message: "no pipeline identities for this state scope, so nobody could plan or apply its stacks",
          fix: `add state.principals.${scope}: { plan: <object id>, apply: <object id>, roles: <set in pipelineRoles.sets> }`,
        }),
      );
    }
  }
  for (const scope of Object.keys(settings.state.principals)) {
    if (!scopes.includes(scope)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["state", "principals", scope]),
          environment: scope,
          field: `state.principals.${scope}`,
          value: scope,
          message: "identities for a state scope no stack uses",
          fix: `use one of ${scopes.join(", ")}, or remove the entry`,
        }),
      );
    }
  }
  return problems;
}

/**
 * Every state scope, and `bootstrap`, needs its subscription (`state` uses bootstrap's: it
 * manages the state account); unknown keys are mistakes.
 */
export function checkSubscriptions(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const expected = [BOOTSTRAP_SUBSCRIPTION, ...scopes.filter((s) => s !== STATE_SCOPE)];
  for (const key of expected) {
    if (settings.subscriptions[key] === undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["subscriptions"]),
          environment: key,
          field: `subscriptions.${key}`,
          message:
            key === BOOTSTRAP_SUBSCRIPTION
              ? "no subscription for the state account (bootstrap-state and state-scopes deploy into it)"
              : "no subscription for this state scope, so its stacks would not know where to deploy",
          fix: `add subscriptions.${key}: <subscription id (GUID)>`,
        }),
      );
    }
  }
  for (const key of Object.keys(settings.subscriptions)) {
    if (!expected.includes(key)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["subscriptions", key]),
          environment: key,
          field: `subscriptions.${key}`,
          value: key,
          message:
            key === STATE_SCOPE
              ? "the state scope manages the state account, so it always uses subscriptions.bootstrap"
              : "a subscription for a state scope no stack uses",
          fix: `use one of ${expected.join(", ")}, or remove the entry`,
        }),
      );
    }
  }
  return problems;
}

/**
 * The state account's firewall must admit the pipeline agents. Storage IP rules never match
 * requests from the account's own region, so agents there need a subnet rule.
 */
export function checkStateNetwork(settings: FleetSettings, settingsSource: SourceFile): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const { allowedIpRanges, allowedSubnetIds = [] } = settings.state;
  if (allowedIpRanges.length === 0 && allowedSubnetIds.length === 0) {
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(["state"]),
        field: "state.allowedSubnetIds",
        message:
          "neither state.allowedSubnetIds nor state.allowedIpRanges is set: no pipeline agent could reach the state",
        fix:
          "list the agents' subnet resource ids in state.allowedSubnetIds (agents in the account's region; the subnet needs the " +
          "Microsoft.Storage service endpoint) or their public egress ranges in state.allowedIpRanges (agents in other regions)",
      }),
    );
  }
  return problems;
}
