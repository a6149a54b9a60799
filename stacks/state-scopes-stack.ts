/**
 * `state-scopes`: the state container of every state scope but its own, and each scope's plan
 * and apply access to it. The pipeline plans and applies it before every other scope
 * (`plan_state`, `apply_state`), with the `state` scope's identities, which `bootstrap-state`
 * allowed to create containers and to assign exactly the two state roles on the account. A new
 * environment therefore gets its container in the same run that first plans its stacks, and the
 * `state` scope's apply identity may create the state blobs of its never-applied stacks in every
 * container (`pipeline init-state`, stage `init_state`) before their plans.
 */
import type { Construct } from "constructs";
import { StateScopes } from "../constructs/state";
import { STATE_SCOPE, subscriptionOf } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { type BackendKind, FleetStack, stateContainerName } from "./fleet-stack";
import { operatorTags } from "./tags";

export interface StateScopesStackProps {
  readonly fleet: Fleet;
  readonly stackId: string;
  readonly backend: BackendKind;
}

/** The state account's Resource Manager id, from the declared subscription and names. */
export function stateAccountId(fleet: Fleet): string {
  const state = fleet.settings.state;
  return (
    `/subscriptions/${subscriptionOf(fleet.settings, STATE_SCOPE)}/resourceGroups/${state.resourceGroupName}` +
    `/providers/Microsoft.Storage/storageAccounts/${state.storageAccountName}`
  );
}

export class StateScopesStack extends FleetStack {
  readonly scopes: StateScopes;

  constructor(scope: Construct, props: StateScopesStackProps) {
    const { fleet } = props;
    super(scope, {
      stackId: props.stackId,
      stateScope: STATE_SCOPE,
      settings: fleet.settings,
      backend: props.backend,
      tags: operatorTags(fleet, "platform", "prod"),
    });
    const state = fleet.settings.state;
    this.scopes = new StateScopes(this, "scopes", {
      storageAccountId: stateAccountId(fleet),
      environments: fleet.stateScopes
        .filter((s) => s !== STATE_SCOPE)
        .map((s) => ({
          name: s,
          containerName: stateContainerName(state, s),
          planPrincipalId: state.principals[s]!.plan,
          applyPrincipalId: state.principals[s]!.apply,
        })),
      // The init_state stage runs `pipeline init-state` with the state scope's apply identity.
      initializerPrincipalId: state.principals[STATE_SCOPE]!.apply,
    });
  }
}
