/** `org-<org>`: what an org shares across its environments, today its container registry. */
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import type { Construct } from "constructs";
import { statefulLifecycle } from "../constructs/common";
import { ContainerRegistry } from "../constructs/registry";
import { subscriptionOf } from "../fleet/load";
import type { Fleet, FleetOrg } from "../fleet/model";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { orgTags } from "./tags";

export const SHARED_STATE_SCOPE = "shared";

/**
 * The Resource Manager id of an org's registry, from the declared shared subscription and the
 * org's names: stacks in other scopes (each `apps-<org>-<env>`, possibly in another
 * subscription) use it without a data source, so their plan identity needs no read access to the
 * shared subscription and their provider never looks for the registry in its own subscription.
 */
export function orgRegistryId(fleet: Fleet, org: FleetOrg): string {
  return (
    `/subscriptions/${subscriptionOf(fleet.settings, SHARED_STATE_SCOPE)}/resourceGroups/${org.names.resourceGroup}` +
    `/providers/Microsoft.ContainerRegistry/registries/${org.names.registry}`
  );
}

export interface OrgStackProps {
  readonly fleet: Fleet;
  readonly org: FleetOrg;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class OrgStack extends FleetStack {
  readonly registry: ContainerRegistry;

  constructor(scope: Construct, props: OrgStackProps) {
    const { fleet, org } = props;
    // The registry serves every environment of the org, production included, so it is tagged prod.
    const tags = orgTags(fleet, org, "prod");
    super(scope, {
      stackId: props.stackId,
      stateScope: SHARED_STATE_SCOPE,
      settings: fleet.settings,
      backend: props.backend,
      tags,
    });
    const rg = new ResourceGroup(this, "resource-group", {
      name: org.names.resourceGroup,
      location: fleet.settings.location,
      tags,
      lifecycle: statefulLifecycle(),
    });
    this.registry = new ContainerRegistry(this, "registry", {
      name: org.names.registry,
      resourceGroupName: rg.name,
      location: fleet.settings.location,
      sku: fleet.settings.registry.sku,
      tags,
    });
  }
}
