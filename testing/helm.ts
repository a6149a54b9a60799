/** Helpers for tests of in-cluster constructs: a `-k8s` test stack and its Helm releases. */
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { ClusterConnection } from "../constructs/in-cluster";
import { resourcesOf, type SynthesizedStack, testApp } from "./index";

/** A stack with the azurerm provider and a connection to a test cluster, as `-k8s` stacks have. */
export function clusterTestStack(): { stack: TerraformStack; connection: ClusterConnection } {
  const stack = new TerraformStack(testApp(), "platform-test-k8s");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "test-aks",
    resourceGroupName: "test-rg",
  });
  return { stack, connection };
}

/** The Helm release of a chart (or the only release, without a chart); fails unless exactly one. */
export function helmRelease(synth: SynthesizedStack, chart?: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(synth, "helm_release")).filter(
    (r) => chart === undefined || r.chart === chart,
  );
  expect(all).toHaveLength(1);
  return all[0]!;
}

/** That release's values, parsed from YAML. */
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is walked freely in assertions.
export function helmValues(synth: SynthesizedStack, chart?: string): any {
  return parse((helmRelease(synth, chart).values as string[])[0]!);
}
