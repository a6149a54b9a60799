/**
 * `bootstrap-state`: what a privileged person applies once, by hand, with local state (it cannot
 * keep its state in the account it creates); README "Bootstrap" and "Who applies what, when".
 *
 * - The storage that holds every other stack's state, with the container of the `state` scope
 *   and the grants that let that scope's pipeline identities create every other scope's
 *   container and access (the `state-scopes` stack, applied by the pipeline first in every run).
 * - Once per fleet subscription: the resource providers the fleet's resource types use
 *   (fleet/resource-providers.ts), through the provider's `resource_providers_to_register`
 *   (every other provider in the fleet registers nothing), and the subscription feature
 *   `Microsoft.Compute/EncryptionAtHost` where clusters run.
 */
import { DataAzurermSubscription } from "@cdktf/provider-azurerm/lib/data-azurerm-subscription";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import type { Construct } from "constructs";
import { EncryptionAtHostFeature } from "../constructs/cluster";
import { statefulLifecycle } from "../constructs/common";
import { StateStorage } from "../constructs/state";
import { BOOTSTRAP_SUBSCRIPTION, STATE_SCOPE, subscriptionOf } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { FLEET_RESOURCE_PROVIDERS } from "../fleet/resource-providers";
import { FleetStack, fleetProviderConfig, stateContainerName } from "./fleet-stack";
import { operatorTags } from "./tags";

export interface BootstrapStackProps {
  readonly fleet: Fleet;
  readonly stackId: string;
}

/** The subscriptions the fleet deploys into (the state account's first), and whether clusters run there. */
export function fleetSubscriptions(fleet: Fleet): { readonly id: string; readonly clusters: boolean }[] {
  const clusterScopes = new Set([
    ...fleet.apps.map((a) => a.environment.token),
    ...fleet.platforms.map((p) => p.environment.token),
    ...fleet.studios.map((s) => s.environment.token),
  ]);
  const out = new Map<string, boolean>();
  out.set(fleet.settings.subscriptions[BOOTSTRAP_SUBSCRIPTION]!.toLowerCase(), false);
  for (const scope of fleet.stateScopes) {
    const id = subscriptionOf(fleet.settings, scope).toLowerCase();
    out.set(id, (out.get(id) ?? false) || clusterScopes.has(scope));
  }
  return [...out].map(([id, clusters]) => ({ id, clusters }));
}

export class BootstrapStack extends FleetStack {
  readonly state: StateStorage;
  /** One provider per fleet subscription (the stack's default provider for the state account's). */
  readonly subscriptionProviders: ReadonlyMap<string, AzurermProvider>;
  /** The feature registration per subscription where clusters run. */
  readonly encryptionAtHost: ReadonlyMap<string, EncryptionAtHostFeature>;

  constructor(scope: Construct, props: BootstrapStackProps) {
    const { fleet } = props;
    const tags = operatorTags(fleet, "platform", "prod");
    // Always local: the remote state account does not exist before this stack is applied.
    super(scope, {
      stackId: props.stackId,
      stateScope: "bootstrap",
      settings: fleet.settings,
      backend: "local",
      tags,
      resourceProvidersToRegister: FLEET_RESOURCE_PROVIDERS,
    });

    // Registration happens when a provider starts, and Terraform starts only providers that
    // something uses: each subscription's provider reads its subscription, and everything else
    // in that subscription comes after that read.
    const providers = new Map<string, AzurermProvider>();
    const registered = new Map<string, DataAzurermSubscription>();
    const encryption = new Map<string, EncryptionAtHostFeature>();
    for (const [i, sub] of fleetSubscriptions(fleet).entries()) {
      const provider =
        i === 0
          ? this.azurerm!
          : new AzurermProvider(this, `azurerm-${sub.id}`, {
              ...fleetProviderConfig(sub.id, FLEET_RESOURCE_PROVIDERS),
              alias: `subscription-${sub.id}`,
            });
      providers.set(sub.id, provider);
      const read = new DataAzurermSubscription(this, `subscription-${sub.id}`, {
        subscriptionId: sub.id,
        provider,
      });
      registered.set(sub.id, read);
      if (sub.clusters) {
        encryption.set(
          sub.id,
          new EncryptionAtHostFeature(this, `encryption-at-host-${sub.id}`, {
            subscriptionId: sub.id,
            dependsOn: [read],
          }),
        );
      }
    }
    this.subscriptionProviders = providers;
    this.encryptionAtHost = encryption;

    const state = fleet.settings.state;
    const rg = new ResourceGroup(this, "resource-group", {
      name: state.resourceGroupName,
      location: fleet.settings.location,
      tags,
      lifecycle: statefulLifecycle(),
      dependsOn: [registered.get(fleetSubscriptions(fleet)[0]!.id)!],
    });
    const principals = state.principals[STATE_SCOPE]!;
    this.state = new StateStorage(this, "state", {
      name: state.storageAccountName,
      resourceGroupName: rg.name,
      location: fleet.settings.location,
      environments: [
        {
          name: STATE_SCOPE,
          containerName: stateContainerName(state, STATE_SCOPE),
          planPrincipalId: principals.plan,
          applyPrincipalId: principals.apply,
        },
      ],
      scopeManager: { environment: STATE_SCOPE, resourceGroupId: rg.id },
      allowedSubnetIds: state.allowedSubnetIds,
      ipRules: state.allowedIpRanges,
      tags,
    });
  }
}
