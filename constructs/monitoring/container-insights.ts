import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { MonitorDataCollectionRuleAssociation } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { type Tags, withSubmodule } from "../common/tags";

/**
 * The stream group Container Insights sends: container logs (v2), Kubernetes inventory and
 * events, performance and Prometheus-style insights metrics.
 */
export const CONTAINER_INSIGHTS_STREAM = "Microsoft-ContainerInsights-Group-Default";

/**
 * The association names Azure Monitor looks up on a cluster: the rule's association, and the
 * data collection endpoint's (configuration access over Private Link). The provider's own
 * default name is the endpoint's (hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/monitor/monitor_data_collection_rule_association_resource.go).
 */
export const CONTAINER_INSIGHTS_ASSOCIATION = "ContainerInsightsExtension";
export const CONFIGURATION_ACCESS_ASSOCIATION = "configurationAccessEndpoint";

export interface ContainerInsightsProps {
  /** Name of the AKS cluster; the rule is named `MSCI-<cluster>` like the portal's. */
  readonly clusterName: string;
  /** Resource ID of the AKS cluster whose `oms_agent` sends with its managed identity. */
  readonly clusterId: string;
  /** Resource ID of the Log Analytics workspace the data lands in. */
  readonly workspaceId: string;
  /** Resource group of the rule (the workspace's). Changing this replaces the rule. */
  readonly resourceGroupName: string;
  /** Azure region, the workspace's. Changing this replaces the rule. */
  readonly location: string;
  /**
   * A data collection endpoint for ingestion over Private Link (Azure Monitor Private Link
   * Scope). The rule sends through it and the cluster reads its configuration from it.
   * @default - the public ingestion endpoints
   */
  readonly dataCollectionEndpointId?: string;
  /**
   * How often the agent collects, e.g. `1m` or `5m` (Learn: cost optimisation settings).
   * @default "1m"
   */
  readonly interval?: string;
  /** FinOps tags; `submodule = "container-insights"` is added. */
  readonly tags: Tags;
}

/** Data collection rule names: 1-64 letters, digits, underscores, periods and hyphens. */
const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}[A-Za-z0-9_]$/;
const INTERVAL = /^([1-9]|[1-2][0-9]|30)m$/;

/**
 * What Container Insights needs to collect anything when the cluster's `oms_agent` sends with
 * its managed identity (`msi_auth_for_monitoring_enabled`): a data collection rule that routes
 * the Container Insights stream to the workspace, and its association with the cluster. The
 * portal and the CLI create both when they enable monitoring; the provider's `oms_agent` block
 * only sets the add-on's `useAADAuth` (hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/containers/kubernetes_addons.go), so without them the agent runs and sends
 * nothing. Learn: "Enable monitoring for Kubernetes clusters" (Terraform),
 * https://learn.microsoft.com/azure/azure-monitor/containers/kubernetes-monitoring-enable.
 */
export class ContainerInsights extends Construct {
  readonly rule: MonitorDataCollectionRule;
  readonly association: MonitorDataCollectionRuleAssociation;
  /** The endpoint association, when `dataCollectionEndpointId` is given. */
  readonly endpointAssociation?: MonitorDataCollectionRuleAssociation;

  constructor(scope: Construct, id: string, props: ContainerInsightsProps) {
    super(scope, id);
    const name = `MSCI-${props.clusterName}`;
    this.validate(props, name);
    const tags = withSubmodule(props.tags, "container-insights");
    const destination = "workspace";

    this.rule = new MonitorDataCollectionRule(this, "rule", {
      name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      kind: "Linux",
      description: `Container Insights of ${props.clusterName}`,
      dataCollectionEndpointId: props.dataCollectionEndpointId,
      dataSources: {
        extension: [
          {
            name: CONTAINER_INSIGHTS_ASSOCIATION,
            extensionName: "ContainerInsights",
            streams: [CONTAINER_INSIGHTS_STREAM],
            extensionJson: JSON.stringify({
              dataCollectionSettings: {
                interval: props.interval ?? "1m",
                namespaceFilteringMode: "Off",
                enableContainerLogV2: true,
              },
            }),
          },
        ],
      },
      destinations: {
        logAnalytics: [{ name: destination, workspaceResourceId: props.workspaceId }],
      },
      dataFlow: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: [destination] }],
      tags,
    });

    this.association = new MonitorDataCollectionRuleAssociation(this, "association", {
      name: CONTAINER_INSIGHTS_ASSOCIATION,
      targetResourceId: props.clusterId,
      dataCollectionRuleId: this.rule.id,
      description: "Container Insights sends nothing without this association",
    });

    if (props.dataCollectionEndpointId !== undefined) {
      this.endpointAssociation = new MonitorDataCollectionRuleAssociation(this, "endpoint-association", {
        name: CONFIGURATION_ACCESS_ASSOCIATION,
        targetResourceId: props.clusterId,
        dataCollectionEndpointId: props.dataCollectionEndpointId,
        description: "The agent reads its configuration through the private endpoint",
      });
    }
  }

  private validate(props: ContainerInsightsProps, name: string): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    if (!Token.isUnresolved(props.clusterName) && !RULE_NAME.test(name)) {
      throw err(
        `derived rule name "${name}" must be 1-64 letters, digits, underscores, periods and hyphens; shorten clusterName`,
      );
    }
    const interval = props.interval;
    if (interval !== undefined && !Token.isUnresolved(interval) && !INTERVAL.test(interval)) {
      throw err(`interval "${interval}" must be 1m to 30m, e.g. "1m" or "5m"`);
    }
  }
}
