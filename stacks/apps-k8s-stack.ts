/**
 * `apps-<org>-<env>-k8s`: what runs inside an org's cluster. Separate from the cluster's own
 * stack because providers configured from a cluster created in the same apply break plans (the
 * kubernetes and helm provider docs say so); it depends on `apps-<org>-<env>`.
 */
import type { Construct } from "constructs";
import { KubernetesWrapper } from "../constructs/in-cluster";
import type { AppsEnvironment, Fleet } from "../fleet/model";
import { ClusterOperators } from "./cluster-operators";
import { ClusterWorkloads } from "./cluster-workloads";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { orgTags } from "./tags";

export interface AppsK8sStackProps {
  readonly fleet: Fleet;
  readonly apps: AppsEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class AppsK8sStack extends FleetStack {
  readonly workloads: ClusterWorkloads;
  readonly wrapper: KubernetesWrapper;
  readonly operators: ClusterOperators;

  constructor(scope: Construct, props: AppsK8sStackProps) {
    const { fleet, apps } = props;
    super(scope, {
      stackId: props.stackId,
      stateScope: apps.environment.token,
      settings: fleet.settings,
      backend: props.backend,
      tags: orgTags(fleet, apps.org, apps.environment.token),
    });
    this.workloads = new ClusterWorkloads(this, "cluster", {
      clusterName: apps.names.cluster,
      resourceGroupName: apps.names.resourceGroup,
      ingressPublicIpName: apps.names.ingressPublicIp,
      dnsZone: apps.names.dnsZone,
      settings: apps.settings,
      services: apps.services,
    });
    this.wrapper = new KubernetesWrapper(this, "kubernetes-wrapper", {
      connection: this.workloads.connection,
    });
    this.operators = new ClusterOperators(this, "operators", {
      workloads: this.workloads,
      names: apps.names,
      environmentToken: apps.environment.token,
    });
  }
}
