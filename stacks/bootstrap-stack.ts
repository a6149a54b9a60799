/**
 * `bootstrap-state`: the storage that holds every other stack's state. Applied once, by hand,
 * with local state (it cannot keep its state in the account it creates); README "Bootstrap"
 * says how. One container per state scope; each scope's plan identity may read and its apply
 * identity write only its own container.
 */
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import type { Construct } from "constructs";
import { statefulLifecycle } from "../constructs/common";
import { StateStorage } from "../constructs/state";
import type { Fleet } from "../fleet/model";
import { FleetStack, stateContainerName } from "./fleet-stack";
import { operatorTags } from "./tags";

export interface BootstrapStackProps {
  readonly fleet: Fleet;
  readonly stackId: string;
}

export class BootstrapStack extends FleetStack {
  readonly state: StateStorage;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const { fleet } = props;
    const tags = operatorTags(fleet, "platform", "prod");
    // Always local: the remote state account does not exist before this stack is applied.
    super(scope, {
      stackId: props.stackId,
      stateScope: "bootstrap",
      state: fleet.settings.state,
      backend: "local",
      tags,
    });
    const state = fleet.settings.state;
    const rg = new ResourceGroup(this, "resource-group", {
      name: state.resourceGroupName,
      location: fleet.settings.location,
      tags,
      lifecycle: statefulLifecycle(),
    });
    this.state = new StateStorage(this, "state", {
      name: state.storageAccountName,
      resourceGroupName: rg.name,
      location: fleet.settings.location,
      environments: fleet.stateScopes.map((scope) => ({
        name: scope,
        containerName: stateContainerName(state, scope),
        planPrincipalId: state.principals[scope]!.plan,
        applyPrincipalId: state.principals[scope]!.apply,
      })),
      ipRules: state.allowedIpRanges,
      tags,
    });
  }
}
