/**
 * The base of every stack in the fleet: its remote state, its Azure provider and the FinOps
 * tags applied to every taggable resource inside it (as an aspect on the stack; cdktf never
 * runs aspects added to the App).
 */
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import {
  Aspects,
  AzurermBackend,
  type IAspect,
  LocalBackend,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { Tags } from "../constructs/common";
import { PolicyAspect, type PolicyEnvironment } from "../constructs/policy";
import { STATE_SCOPE, subscriptionOf } from "../fleet/load";
import type { FleetSettings, StateSettings } from "../fleet/model";

/** Where state lives. `azurerm` in the pipeline; `local` for offline work (FLEET_BACKEND=local). */
export type BackendKind = "azurerm" | "local";

export interface FleetStackProps {
  /** The stack id: a public contract (state key, pipeline leg, `npm run affected`). */
  readonly stackId: string;
  /** Which state container the stack's state lives in: an environment token, or `shared`. */
  readonly stateScope: string;
  /**
   * `fleet.yaml`'s `state` (where the backend keeps state) and `subscriptions` (the provider deploys
   * into the state scope's subscription, the backend reads the state account's).
   */
  readonly settings: Pick<FleetSettings, "state" | "subscriptions">;
  readonly backend: BackendKind;
  /** Tags every taggable resource in the stack gets, unless it sets the same key itself. */
  readonly tags: Tags;
  /** Whether the stack talks to Azure (false for stacks with only kubernetes/helm resources). */
  readonly azure?: boolean;
  /**
   * Which policy rules apply: `prod` adds the production-only ones (redundancy, backups).
   * @default - "prod" for state scopes `prod`, `shared`, `bootstrap` and `state` (they serve production too), else "test"
   */
  readonly policyEnvironment?: PolicyEnvironment;
  /**
   * Resource provider namespaces the stack's default azurerm provider registers when it starts
   * (only the bootstrap stack, applied by a person who may register them). Every other
   * provider registers nothing.
   * @default []
   */
  readonly resourceProvidersToRegister?: readonly string[];
}

/** Relative path from a stack's working directory (cdktf.out/stacks/<id>) to the repo's .state/. */
const LOCAL_STATE_DIR = "../../../.state";

export class FleetStack extends TerraformStack {
  readonly stackId: string;
  /** The state scope the stack's state lives in (stacks.json records it; synth checks it). */
  readonly stateScope: string;
  readonly azurerm?: AzurermProvider;
  /** Policy at synth time (constructs/policy); suppress findings with `suppress()` from there. */
  readonly policy: PolicyAspect;

  constructor(scope: Construct, props: FleetStackProps) {
    super(scope, props.stackId);
    this.stackId = props.stackId;
    this.stateScope = props.stateScope;
    if (props.backend === "azurerm") {
      const state = props.settings.state;
      new AzurermBackend(this, {
        resourceGroupName: state.resourceGroupName,
        storageAccountName: state.storageAccountName,
        containerName: stateContainerName(state, props.stateScope),
        key: `${props.stackId}.tfstate`,
        // The state account lives where the state scope's own stacks deploy.
        subscriptionId: subscriptionOf(props.settings, STATE_SCOPE),
        // Entra ID only: no access key or SAS token ever appears in the configuration.
        useAzureadAuth: true,
        useOidc: true,
      });
    } else {
      new LocalBackend(this, { path: `${LOCAL_STATE_DIR}/${props.stackId}.tfstate` });
    }
    if (props.azure !== false) {
      this.azurerm = new AzurermProvider(
        this,
        "azurerm",
        fleetProviderConfig(
          subscriptionOf(props.settings, props.stateScope),
          props.resourceProvidersToRegister ?? [],
        ),
      );
    }
    Aspects.of(this).add(new FinOpsTagger(props.tags));
    // Last, so the rules see resources as the other aspects leave them.
    this.policy = new PolicyAspect({
      environment: props.policyEnvironment ?? policyEnvironmentOf(props.stateScope),
    });
    Aspects.of(this).add(this.policy);
  }
}

/**
 * The configuration of every azurerm provider the fleet emits (default and aliased ones).
 *
 * - `subscription_id`: the state scope's subscription from `fleet.yaml` (`subscriptions`), the
 *   one place it is written; nothing depends on `ARM_SUBSCRIPTION_ID`.
 * - `resource_provider_registrations = "none"`: the default (`legacy`) registers dozens of
 *   resource providers when the provider starts, which a read-only plan identity may not do
 *   (hashicorp/terraform-provider-azurerm@v4.55.0: internal/provider/provider.go,
 *   internal/resourceproviders/required.go). The fleet's namespaces are registered once per
 *   subscription by the bootstrap stack (`resourceProvidersToRegister`, fleet/resource-providers.ts).
 * - `features.storage.data_plane_available = false`: with it on, creating a storage account
 *   waits for its blob and queue endpoints, and every read fetches queue properties (and static
 *   website) over the data plane (internal/services/storage/storage_account_resource.go,
 *   storage_account_data_plane_helpers.go). Every account's firewall denies by default, so the
 *   pipeline agents would get a 403 and apply and every later plan would fail. Blob and file
 *   service properties go through Resource Manager and keep working; resources that need the
 *   data plane are not allowed in the fleet (constructs/storage/README.md, "Data plane").
 */
export function fleetProviderConfig(subscriptionId: string, register: readonly string[] = []) {
  return {
    subscriptionId,
    resourceProviderRegistrations: "none",
    ...(register.length > 0 ? { resourceProvidersToRegister: [...register] } : {}),
    features: [
      {
        keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
        resourceGroup: [{ preventDeletionIfContainsResources: true }],
        storage: [{ dataPlaneAvailable: false }],
      },
    ],
    // Storage accounts have shared-key access off; the data plane is reached with Entra ID.
    storageUseAzuread: true,
  };
}

/**
 * Production rules for the production state scope, for shared stacks (an org's registry serves its
 * production clusters) and for the bootstrap and state scopes (they hold every stack's state).
 */
export function policyEnvironmentOf(stateScope: string): PolicyEnvironment {
  return ["prod", "shared", "bootstrap", STATE_SCOPE].includes(stateScope) ? "prod" : "test";
}

export function stateContainerName(state: StateSettings, scope: string): string {
  return state.containerPattern.replace("{env}", scope);
}

interface Taggable {
  tags: Record<string, string> | undefined;
  readonly tagsInput: Record<string, string> | undefined;
}

function isTaggable(node: IConstruct): node is TerraformResource & Taggable {
  return node instanceof TerraformResource && "tagsInput" in node;
}

/** Adds the base tags to every taggable resource; keys a resource sets itself win. Idempotent. */
export class FinOpsTagger implements IAspect {
  constructor(private readonly tags: Tags) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) {
      node.tags = { ...this.tags, ...(node.tagsInput ?? {}) };
    }
  }
}
