/**
 * An Azure Monitor Private Link Scope (AMPLS) for one cluster environment: the environment's
 * workspace, Application Insights and a data collection endpoint as scoped resources, ingestion
 * and query access mode `PrivateOnly`, and one private endpoint (subresource `azuremonitor`) in
 * the environment's `endpoints` subnet with the five Azure Monitor zones.
 *
 * Microsoft Learn, "Design your Azure Monitor private link configuration"
 * (https://learn.microsoft.com/azure/azure-monitor/fundamentals/private-link-design): a network
 * connected to an AMPLS overrides the DNS of Azure Monitor's global endpoints for everyone who
 * shares that DNS, so there must be one AMPLS per DNS scope. Each cluster VNet links its own
 * private zones (PrivateDnsZoneSet) and no VNet shares another's DNS, so one AMPLS per cluster
 * environment is one per DNS scope. With the Azure Monitor agent behind an AMPLS, every data
 * collection rule must use a data collection endpoint that is in the AMPLS (Learn, "Network
 * firewall requirements for monitoring Kubernetes clusters",
 * https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-firewall):
 * `dataCollectionEndpointId` is that endpoint, for the Container Insights data collection rule.
 */
import { MonitorDataCollectionEndpoint } from "@cdktf/provider-azurerm/lib/monitor-data-collection-endpoint";
import { MonitorPrivateLinkScope } from "@cdktf/provider-azurerm/lib/monitor-private-link-scope";
import { MonitorPrivateLinkScopedService } from "@cdktf/provider-azurerm/lib/monitor-private-link-scoped-service";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { type PrivateDnsZoneSet, PrivateEndpoint } from "../network/private-endpoint";

export interface MonitorPrivateLinkProps {
  /** Base of the scope's and its endpoint's names: `<name>-ampls`, `<name>-ampls-pe`. */
  readonly name: string;
  /** The data collection endpoint's name, 3-44 letters, digits and hyphens. */
  readonly dataCollectionEndpointName: string;
  /** Resource group of the scope and the data collection endpoint (the monitor group). */
  readonly resourceGroupName: string;
  /** Resource group of the private endpoint: the network owner's. */
  readonly endpointResourceGroupName: string;
  readonly location: string;
  readonly workspaceId: string;
  readonly appInsightsId: string;
  /** The environment's `endpoints` subnet. */
  readonly endpointSubnetId: string;
  readonly dnsZones: PrivateDnsZoneSet;
  readonly tags: Tags;
}

export class MonitorPrivateLink extends Construct {
  readonly scope: MonitorPrivateLinkScope;
  readonly dataCollectionEndpoint: MonitorDataCollectionEndpoint;
  readonly endpoint: PrivateEndpoint;
  /** The data collection endpoint's id, for data collection rules and their associations. */
  readonly dataCollectionEndpointId: string;

  constructor(scope: Construct, id: string, props: MonitorPrivateLinkProps) {
    super(scope, id);
    const dceName = props.dataCollectionEndpointName;
    if (!Token.isUnresolved(dceName)) {
      const problem = checkName(NAMING_RULES.dataCollectionEndpoint, dceName);
      if (problem)
        throw new ConstructValidationError(this.node.path, `dataCollectionEndpointName: ${problem}`);
    }
    const tags = withSubmodule(props.tags, "monitor-private-link");

    this.scope = new MonitorPrivateLinkScope(this, "scope", {
      name: `${props.name}-ampls`,
      resourceGroupName: props.resourceGroupName,
      // Only networks connected to this scope may send or query (the provider's default is Open).
      ingestionAccessMode: "PrivateOnly",
      queryAccessMode: "PrivateOnly",
      tags,
    });
    this.dataCollectionEndpoint = new MonitorDataCollectionEndpoint(this, "dce", {
      name: dceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      kind: "Linux",
      publicNetworkAccessEnabled: false,
      description: "Container Insights ingestion through the environment's Azure Monitor Private Link Scope",
      tags,
    });
    this.dataCollectionEndpointId = this.dataCollectionEndpoint.id;

    const scoped: [string, string][] = [
      ["workspace", props.workspaceId],
      ["app-insights", props.appInsightsId],
      ["dce", this.dataCollectionEndpoint.id],
    ];
    for (const [key, linkedResourceId] of scoped) {
      new MonitorPrivateLinkScopedService(this, `scoped-${key}`, {
        name: key,
        resourceGroupName: props.resourceGroupName,
        scopeName: this.scope.name,
        linkedResourceId,
      });
    }

    this.endpoint = new PrivateEndpoint(this, "private-endpoint", {
      name: `${props.name}-ampls-pe`,
      resourceGroupName: props.endpointResourceGroupName,
      location: props.location,
      subnetId: props.endpointSubnetId,
      targetResourceId: this.scope.id,
      subresource: "azuremonitor",
      dnsZones: props.dnsZones,
      tags,
    });
  }
}
