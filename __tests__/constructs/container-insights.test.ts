import { MonitorDataCollectionRule } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule";
import { MonitorDataCollectionRuleAssociation } from "@cdktf/provider-azurerm/lib/monitor-data-collection-rule-association";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import {
  CONTAINER_INSIGHTS_STREAM,
  ContainerInsights,
  type ContainerInsightsProps,
} from "../../constructs/monitoring";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const CLUSTER_ID =
  "/subscriptions/0/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/ttd-at22-aks";
const WORKSPACE_ID =
  "/subscriptions/0/resourceGroups/monitor-ttd-at22-rg/providers/Microsoft.OperationalInsights/workspaces/application-ttd-at22-law";
const DCE_ID =
  "/subscriptions/0/resourceGroups/monitor-ttd-at22-rg/providers/Microsoft.Insights/dataCollectionEndpoints/ttd-at22-dce";

function props(overrides: Partial<ContainerInsightsProps> = {}): ContainerInsightsProps {
  return {
    clusterName: "ttd-at22-aks",
    clusterId: CLUSTER_ID,
    workspaceId: WORKSPACE_ID,
    resourceGroupName: "monitor-ttd-at22-rg",
    location: "norwayeast",
    tags: { org: "ttd" },
    ...overrides,
  };
}

function synth(p: ContainerInsightsProps = props()) {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  new ContainerInsights(stack, "ci", p);
  return synthStack(stack);
}

describe("ContainerInsights", () => {
  test("routes the Container Insights stream from the cluster's extension to the workspace", () => {
    const rule = onlyResource(synth(), MonitorDataCollectionRule.tfResourceType);
    expect(rule).toMatchObject({
      name: "MSCI-ttd-at22-aks",
      kind: "Linux",
      location: "norwayeast",
      resource_group_name: "monitor-ttd-at22-rg",
      destinations: { log_analytics: [{ name: "workspace", workspace_resource_id: WORKSPACE_ID }] },
      data_flow: [{ streams: [CONTAINER_INSIGHTS_STREAM], destinations: ["workspace"] }],
    });
    const [extension] = (rule.data_sources as { extension: Record<string, unknown>[] }).extension;
    expect(extension).toMatchObject({
      extension_name: "ContainerInsights",
      streams: [CONTAINER_INSIGHTS_STREAM],
    });
    expect(JSON.parse(String(extension!.extension_json))).toEqual({
      dataCollectionSettings: { interval: "1m", namespaceFilteringMode: "Off", enableContainerLogV2: true },
    });
    expect(rule.data_collection_endpoint_id).toBeUndefined();
  });

  test("associates the rule with the cluster under the name Azure Monitor looks for", () => {
    const association = onlyResource(synth(), MonitorDataCollectionRuleAssociation.tfResourceType);
    expect(association).toMatchObject({
      name: "ContainerInsightsExtension",
      target_resource_id: CLUSTER_ID,
      data_collection_rule_id: expect.stringMatching(
        /^\$\{azurerm_monitor_data_collection_rule\.ci_rule_[^.]+\.id\}$/,
      ),
    });
  });

  test("with a data collection endpoint, sends through it and lets the cluster read its configuration there", () => {
    const out = synth(props({ dataCollectionEndpointId: DCE_ID }));
    expect(onlyResource(out, MonitorDataCollectionRule.tfResourceType).data_collection_endpoint_id).toBe(
      DCE_ID,
    );
    const associations = Object.values(resourcesOf(out, MonitorDataCollectionRuleAssociation.tfResourceType));
    expect(associations.map((a) => [a.name, a.data_collection_endpoint_id ?? null]).sort()).toEqual([
      ["ContainerInsightsExtension", null],
      ["configurationAccessEndpoint", DCE_ID],
    ]);
  });

  test("fails if the derived name is too long or the interval is not minutes", () => {
    const stack = () => new TerraformStack(testApp(), "test");
    expect(() => new ContainerInsights(stack(), "ci", props({ clusterName: "a".repeat(60) }))).toThrow(
      ConstructValidationError,
    );
    expect(() => new ContainerInsights(stack(), "ci", props({ interval: "60s" }))).toThrow(/interval "60s"/);
  });
});
