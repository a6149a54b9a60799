import { ContainerRegistry as AzureContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import type { RegistrySku } from "./settings";

export { REGISTRY_SKUS, type RegistrySku } from "./settings";

export interface ContainerRegistryProps {
  /**
   * Registry name: 5-50 letters and digits, globally unique; the login server is
   * `<name lowercased>.azurecr.io`. Changing this replaces the registry.
   */
  readonly name: string;
  /** Resource group. Changing this replaces the registry. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the registry. */
  readonly location: string;
  /**
   * Service tier. Only Premium offers zone redundancy, retention policies, private endpoints
   * and firewall rules.
   * @default "Premium"
   */
  readonly sku?: RegistrySku;
  /**
   * Replicate the registry across availability zones (Premium only). Changing this replaces
   * the registry.
   * @default - true with Premium, false otherwise
   */
  readonly zoneRedundant?: boolean;
  /**
   * Purge untagged manifests after this many days (Premium only, 0-365). Off by default: an
   * image that a running deployment references by digest can be untagged, and purging it breaks
   * the next pod restart.
   * @default - untagged manifests are kept
   */
  readonly retentionDays?: number;
  /**
   * Keep the public endpoint. Off (the default, Premium only), clients reach the registry only
   * through private endpoints (PrivateEndpoint, subresource `registry`) created by each consumer
   * in its own network, and export is disabled too, so images cannot be copied out of the
   * registry.
   * @default - false with Premium, true otherwise
   */
  readonly publicNetworkAccess?: boolean;
  /** FinOps tags; `submodule = "container-registry"` is added. */
  readonly tags: Tags;
}

/**
 * An Azure Container Registry without an admin user or anonymous pull and, on Premium, without
 * a public endpoint: clients connect through their own private endpoints and authenticate with
 * Entra ID (the kubelet identity gets `AcrPull`). It carries `prevent_destroy`.
 */
export class ContainerRegistry extends Construct {
  readonly registry: AzureContainerRegistry;
  /** Resource ID. */
  readonly id: string;
  /** Registry name (a reference, so users depend on the registry). */
  readonly name: string;
  /** `<name>.azurecr.io`. */
  readonly loginServer: string;

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    const sku = props.sku ?? "Premium";
    const premium = sku === "Premium";

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.containerRegistry, props.name);
      if (problem) throw err(`${problem}. Registry names are global; derive them from the org code.`);
    }
    if (props.zoneRedundant === true && !premium) {
      throw err(`zoneRedundant needs the Premium SKU (got ${sku})`);
    }
    const days = props.retentionDays;
    if (days !== undefined) {
      if (!premium) throw err(`retentionDays needs the Premium SKU (got ${sku})`);
      if (!Token.isUnresolved(days) && (!Number.isInteger(days) || days < 0 || days > 365)) {
        throw err(`retentionDays ${days} must be a whole number from 0 to 365`);
      }
    }
    const publicAccess = props.publicNetworkAccess ?? !premium;
    if (!publicAccess && !premium) {
      throw err(`turning off publicNetworkAccess needs the Premium SKU (private endpoints), got ${sku}`);
    }

    this.registry = new AzureContainerRegistry(this, "registry", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku,
      adminEnabled: false,
      // Anonymous pull only exists on Standard and Premium; Basic never allows it.
      anonymousPullEnabled: sku === "Basic" ? undefined : false,
      zoneRedundancyEnabled: props.zoneRedundant ?? premium,
      retentionPolicyInDays: days,
      publicNetworkAccessEnabled: publicAccess,
      // Azure only allows disabling export on a registry without public access.
      exportPolicyEnabled: publicAccess,
      // With private endpoints, layers come from <name>.<region>.data.azurecr.io, which the endpoint
      // maps to a private address (Learn: container-registry-endpoint-reference). Dedicated data
      // endpoints make that the only layer endpoint for every client, never *.blob.core.windows.net
      // (Learn: container-registry-dedicated-data-endpoints). Premium only (provider CustomizeDiff).
      dataEndpointEnabled: premium ? true : undefined,
      networkRuleBypassOption: "AzureServices",
      tags: withSubmodule(props.tags, "container-registry"),
      lifecycle: statefulLifecycle(),
    });
    this.id = this.registry.id;
    this.name = this.registry.name;
    this.loginServer = this.registry.loginServer;
  }
}
