/**
 * `platform-<env>-k8s` and `studio-<env>-k8s`: what runs inside a shared environment's
 * cluster (Traefik, and Kured where the node OS channel needs it), on the same workloads
 * construct as the Apps `-k8s` stacks; it depends on its cluster stack.
 */
import type { Construct } from "constructs";
import type { SharedEnvironmentNames } from "../constructs/naming";
import type { ClusterSettings, Fleet, ServiceSelectionSetting } from "../fleet/model";
import { ClusterWorkloads } from "./cluster-workloads";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { operatorTags } from "./tags";

export interface SharedK8sStackProps {
  readonly fleet: Fleet;
  readonly product: "platform" | "studio";
  readonly environmentToken: string;
  readonly names: SharedEnvironmentNames;
  readonly settings: ClusterSettings;
  readonly services?: ServiceSelectionSetting;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class SharedK8sStack extends FleetStack {
  readonly workloads: ClusterWorkloads;

  constructor(scope: Construct, props: SharedK8sStackProps) {
    const { fleet } = props;
    super(scope, {
      stackId: props.stackId,
      stateScope: props.environmentToken,
      settings: fleet.settings,
      backend: props.backend,
      tags: operatorTags(fleet, props.product, props.environmentToken),
    });
    this.workloads = new ClusterWorkloads(this, "cluster", {
      clusterName: props.names.cluster,
      resourceGroupName: props.names.resourceGroup,
      ingressPublicIpName: props.names.ingressPublicIp,
      dnsZone: props.names.dnsZone,
      settings: props.settings,
      services: props.services,
    });
  }
}
