/**
 * `services-<name>`: supporting services on a cluster outside Azure (on premises, or another
 * cloud), reached through a kubeconfig context. Only the kubernetes and helm providers: no
 * azurerm provider and no Azure resource. Its state lives with the org registries, in `shared`.
 */
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import type { Construct } from "constructs";
import { SupportingServices, type SupportingServicesSelection } from "../constructs/services";
import { SHARED_SCOPE } from "../fleet/load";
import type { ExternalClusterSetting, Fleet } from "../fleet/model";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { operatorTags } from "./tags";

/** Where Terraform finds the kubeconfig unless the fleet says otherwise (KUBE_CONFIG_PATH wins). */
export const DEFAULT_KUBECONFIG = "~/.kube/config";

export interface ServicesStackProps {
  readonly fleet: Fleet;
  readonly cluster: ExternalClusterSetting;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class ServicesStack extends FleetStack {
  readonly services: SupportingServices;

  constructor(scope: Construct, props: ServicesStackProps) {
    const { fleet, cluster } = props;
    super(scope, {
      stackId: props.stackId,
      stateScope: SHARED_SCOPE,
      settings: fleet.settings,
      backend: props.backend,
      tags: operatorTags(fleet, "platform", "prod"),
      azure: false,
    });
    const configPath = cluster.kubeconfigPath ?? DEFAULT_KUBECONFIG;
    new KubernetesProvider(this, "kubernetes", { configPath, configContext: cluster.kubeconfigContext });
    new HelmProvider(this, "helm", { kubernetes: { configPath, configContext: cluster.kubeconfigContext } });
    this.services = new SupportingServices(this, "services", {
      services: cluster.services as SupportingServicesSelection,
    });
  }
}
