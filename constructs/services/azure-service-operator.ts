/**
 * Azure Service Operator v2 in a cluster, authenticating with workload identity (no client
 * secret): the identity, its federated credential and its narrowly scoped role are created on
 * the Azure side (stacks/operators.ts). Needs cert-manager for its webhook certificates; pass the
 * release so ASO installs after it.
 *
 * Chart: `azure-service-operator` from the ASO repository's chart index; since ASO v2.1 no CRDs
 * are installed unless `crdPattern` asks for them, so the pattern lists exactly the resource
 * groups the operators may create.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { Construct } from "constructs";
import type { ClusterConnection } from "../in-cluster/cluster-connection";
import type { ContainerResources } from "../in-cluster/helm-values";
import { type ChartSource, resourcesValue } from "./common";
import { HelmService } from "./helm-service";

/**
 * The chart pin, written as the repository's index.yaml writes versions since 2.3.0 (no "v").
 * The package `v2/charts/azure-service-operator-2.14.0.tgz` is published next to that index in
 * Azure/azure-service-operator (see constructs/services/README.md, "Azure Service Operator").
 */
export const AZURE_SERVICE_OPERATOR_CHART: ChartSource = {
  repository: "https://raw.githubusercontent.com/Azure/azure-service-operator/main/v2/charts",
  chart: "azure-service-operator",
  version: "2.14.0",
};

/** The CRD groups installed: identities, role assignments, PostgreSQL, networking, diagnostics. */
export const DEFAULT_CRD_PATTERN = [
  "managedidentity.azure.com/*",
  "authorization.azure.com/*",
  "dbforpostgresql.azure.com/*",
  "network.azure.com/*",
  "insights.azure.com/*",
].join(";");

export interface AzureServiceOperatorProps {
  readonly connection?: ClusterConnection;
  /**
   * The service account ASO's identity is federated with: the release installs into its
   * namespace and the chart creates it under its name (`serviceAccount.create` and `.name`; the
   * chart's `azure-service-operator.serviceAccountName` helper falls back to
   * `azureserviceoperator-default`, or to `default` when `create` is off).
   */
  readonly serviceAccount: { readonly namespace: string; readonly name: string };
  /**
   * Client id of ASO's user-assigned identity. The chart writes it into the
   * `aso-controller-settings` Secret the manager reads (with `useWorkloadIdentityAuth`), and the
   * manager mounts its own projected token (audience api://AzureADTokenExchange), so no
   * workload-identity webhook label is needed.
   */
  readonly clientId: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  /** The cert-manager release; ASO's webhook certificates come from it. */
  readonly certManager: Release;
  /** @default DEFAULT_CRD_PATTERN */
  readonly crdPattern?: string;
  /** @default 100m CPU / 256Mi requested, 512Mi memory limit */
  readonly resources?: ContainerResources;
}

/**
 * ASO in the namespace of its service account, release `azure-service-operator`, after
 * cert-manager. Its names come from the identity wiring (stacks/operators.ts), so it takes no
 * namespace, release or values overrides.
 */
export class AzureServiceOperator extends HelmService {
  constructor(scope: Construct, id: string, props: AzureServiceOperatorProps) {
    super(
      scope,
      id,
      {
        connection: props.connection,
        namespace: props.serviceAccount.namespace,
        dependsOn: [props.certManager],
      },
      {
        chart: AZURE_SERVICE_OPERATOR_CHART,
        namespace: props.serviceAccount.namespace,
        releaseName: "azure-service-operator",
      },
    );
    this.install({
      crdPattern: props.crdPattern ?? DEFAULT_CRD_PATTERN,
      // The federated credential's subject is this account; name it rather than rely on the default.
      serviceAccount: { create: true, name: props.serviceAccount.name },
      useWorkloadIdentityAuth: true,
      azureTenantID: props.tenantId,
      azureSubscriptionID: props.subscriptionId,
      azureClientID: props.clientId,
      resources: resourcesValue(
        props.resources ?? { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
      ),
    });
  }
}
