/**
 * The in-cluster half of the operator pattern for an Apps cluster: Azure Service Operator v2
 * (with cert-manager for its webhook, unless the cluster's supporting services already run
 * one), and the identities' client ids published as configuration for the runtime's manifests
 * (Flux `substituteFrom` reads the ConfigMap). Identifiers only; no credential exists anywhere.
 */
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { DataAzurermUserAssignedIdentity } from "@cdktf/provider-azurerm/lib/data-azurerm-user-assigned-identity";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { podSecurityNamespaceLabels } from "../constructs/in-cluster/pod-security";
import type { AppsNames } from "../constructs/naming";
import { AzureServiceOperator, CertManager } from "../constructs/services";
import type { ClusterWorkloads } from "./cluster-workloads";
import { SERVICE_OPERATOR_SERVICE_ACCOUNT } from "./operators";

/** Where the runtime's identity configuration is published (a namespace of its own). */
export const RUNTIME_CONFIG = {
  namespace: "altinn-fleet-config",
  name: "altinn-runtime-identities",
} as const;

export interface ClusterOperatorsProps {
  readonly workloads: ClusterWorkloads;
  readonly names: AppsNames;
  readonly environmentToken: string;
}

export class ClusterOperators extends Construct {
  readonly serviceOperator: AzureServiceOperator;
  readonly certManager?: CertManager;
  readonly config: ConfigMapV1;

  constructor(scope: Construct, id: string, props: ClusterOperatorsProps) {
    super(scope, id);
    const { workloads, names } = props;
    const connection = workloads.connection;
    const client = new DataAzurermClientConfig(this, "client");
    const identity = (key: string, name: string) =>
      new DataAzurermUserAssignedIdentity(this, key, { name, resourceGroupName: names.resourceGroup });
    const aso = identity("service-operator-identity", names.serviceOperatorIdentity);
    const operator = identity("runtime-operator-identity", names.runtimeOperatorIdentity);
    const gateway = identity("runtime-gateway-identity", names.runtimeGatewayIdentity);

    const sharedCertManager = workloads.services?.certManager;
    if (!sharedCertManager) {
      // Only for ASO's webhook certificates: no ACME issuer.
      this.certManager = new CertManager(this, "cert-manager", { connection, acme: false });
    }
    this.serviceOperator = new AzureServiceOperator(this, "azure-service-operator", {
      connection,
      serviceAccount: SERVICE_OPERATOR_SERVICE_ACCOUNT,
      clientId: aso.clientId,
      tenantId: client.tenantId,
      subscriptionId: client.subscriptionId,
      certManager: (sharedCertManager ?? this.certManager)!.release,
    });

    const namespace = new NamespaceV1(this, "config-namespace", {
      provider: connection.kubernetesProvider,
      metadata: {
        name: RUNTIME_CONFIG.namespace,
        labels: {
          ...podSecurityNamespaceLabels({ enforce: "restricted" }),
          "app.kubernetes.io/managed-by": "terraform",
        },
      },
    });
    this.config = new ConfigMapV1(this, "runtime-identities", {
      provider: connection.kubernetesProvider,
      metadata: { name: RUNTIME_CONFIG.name, namespace: namespace.metadata.name },
      data: {
        STUDIO_OPERATOR_CLIENT_ID: operator.clientId,
        STUDIO_GATEWAY_CLIENT_ID: gateway.clientId,
        AZURE_SERVICE_OPERATOR_CLIENT_ID: aso.clientId,
        AZURE_TENANT_ID: client.tenantId,
        AZURE_SUBSCRIPTION_ID: client.subscriptionId,
        OPERATORS_RESOURCE_GROUP: names.operatorsResourceGroup,
        ENVIRONMENT: props.environmentToken,
      },
    });
  }
}
