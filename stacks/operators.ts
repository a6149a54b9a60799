/**
 * What the in-cluster operators of an Apps cluster need from Azure (research/altinn.md §6):
 *
 * - Azure Service Operator v2: its own user-assigned identity, federated with the cluster's
 *   service account `azureserviceoperator-system:azureserviceoperator-system`, and a custom role
 *   whose only assignable scope is the operators' resource group, assigned there. Per-app Azure
 *   resources (identities, databases) that operators create land in that group and nowhere else.
 * - The Studio runtime operator (its identity is created with the cluster): read access to the
 *   environment's Maskinporten vault, and access to the environment's configuration-sync
 *   database: this stack peers the cluster network with the Platform network, links the server's
 *   private DNS zone, and makes the runtime operator an Entra administrator of that server, which
 *   holds nothing but the configuration-sync database.
 *
 * Everything is in the org's own stack, so adding an org never changes a shared stack.
 */
import { DataAzurermKeyVault } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault";
import { DataAzurermPostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/data-azurerm-postgresql-flexible-server";
import { DataAzurermVirtualNetwork } from "@cdktf/provider-azurerm/lib/data-azurerm-virtual-network";
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RoleDefinition } from "@cdktf/provider-azurerm/lib/role-definition";
import { VirtualNetworkPeering } from "@cdktf/provider-azurerm/lib/virtual-network-peering";
import { Construct } from "constructs";
import { statefulLifecycle, type Tags } from "../constructs/common";
import { roleAssignment, WorkloadIdentity } from "../constructs/identity";
import type { PlatformNames } from "../constructs/naming";
import type { AppsEnvironment, OperatorsSettings } from "../fleet/model";
import type { ClusterEnvironment } from "./cluster-environment";

/** The service account Azure Service Operator v2 runs as (its Helm chart's default). */
export const SERVICE_OPERATOR_SERVICE_ACCOUNT = {
  namespace: "azureserviceoperator-system",
  name: "azureserviceoperator-system",
} as const;

/**
 * What the operators may do in their resource group: managed identities and their federated
 * credentials, PostgreSQL flexible servers and databases, private DNS, diagnostic settings, and
 * reading role assignments. Nothing outside the group (the role cannot be assigned elsewhere).
 */
export const OPERATOR_ACTIONS = [
  "Microsoft.Resources/subscriptions/resourceGroups/read",
  "Microsoft.ManagedIdentity/userAssignedIdentities/*",
  "Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/*",
  "Microsoft.DBforPostgreSQL/flexibleServers/*",
  "Microsoft.Network/privateDnsZones/*",
  "Microsoft.Insights/diagnosticSettings/*",
  "Microsoft.Authorization/*/read",
] as const;

export interface OperatorInfrastructureProps {
  readonly apps: AppsEnvironment;
  readonly environment: ClusterEnvironment;
  readonly runtimeOperator: WorkloadIdentity;
  readonly platform: PlatformNames;
  readonly settings: OperatorsSettings;
  readonly location: string;
  readonly tags: Tags;
}

export class OperatorInfrastructure extends Construct {
  readonly resourceGroup: ResourceGroup;
  readonly serviceOperator: WorkloadIdentity;
  readonly role: RoleDefinition;

  constructor(scope: Construct, id: string, props: OperatorInfrastructureProps) {
    super(scope, id);
    const { apps, environment: env, location, tags } = props;
    const names = apps.names;
    const token = apps.environment.token;

    // Deleting it would delete every app's operator-made resources.
    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: names.operatorsResourceGroup,
      location,
      tags,
      lifecycle: statefulLifecycle(),
    });
    this.serviceOperator = new WorkloadIdentity(this, "service-operator", {
      name: names.serviceOperatorIdentity,
      resourceGroupName: env.resourceGroup.name,
      location,
      issuerUrl: env.cluster.oidcIssuerUrl,
      serviceAccounts: [SERVICE_OPERATOR_SERVICE_ACCOUNT],
      tags,
    });
    this.role = new RoleDefinition(this, "role", {
      name: names.operatorsRole,
      scope: this.resourceGroup.id,
      description: `Azure Service Operator of ${apps.clusterKey}: per-app resources in ${names.operatorsResourceGroup} only`,
      permissions: [{ actions: [...OPERATOR_ACTIONS] }],
      assignableScopes: [this.resourceGroup.id],
    });
    roleAssignment(this, "service-operator-role", {
      scope: this.resourceGroup.id,
      roleDefinitionId: this.role.roleDefinitionResourceId,
      principalId: this.serviceOperator.principalId,
      principalType: "ServicePrincipal",
      description: "Azure Service Operator manages per-app resources in this group",
    });

    // The runtime operator reads Maskinporten client credentials from the environment's vault.
    const vault = new DataAzurermKeyVault(this, "maskinporten-vault", {
      name: props.settings.maskinportenVault.name.replace("{env}", token),
      resourceGroupName: props.settings.maskinportenVault.resourceGroup.replace("{env}", token),
    });
    roleAssignment(this, "runtime-operator-maskinporten", {
      scope: vault.id,
      roleDefinitionName: "Key Vault Secrets User",
      principalId: props.runtimeOperator.principalId,
      principalType: "ServicePrincipal",
      description: "The runtime operator reads Maskinporten client secrets",
    });

    // The configuration-sync database lives in the Platform network of this environment.
    const platformVnet = new DataAzurermVirtualNetwork(this, "platform-network", {
      name: props.platform.virtualNetwork,
      resourceGroupName: props.platform.resourceGroup,
    });
    new VirtualNetworkPeering(this, "to-platform", {
      name: `${names.virtualNetwork}-to-platform`,
      resourceGroupName: env.resourceGroup.name,
      virtualNetworkName: env.network.vnetName,
      remoteVirtualNetworkId: platformVnet.id,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
    });
    new VirtualNetworkPeering(this, "from-platform", {
      name: `platform-to-${names.virtualNetwork}`,
      resourceGroupName: props.platform.resourceGroup,
      virtualNetworkName: props.platform.virtualNetwork,
      remoteVirtualNetworkId: env.network.vnetId,
      allowForwardedTraffic: false,
      allowGatewayTransit: false,
    });
    const configSync = new DataAzurermPostgresqlFlexibleServer(this, "config-sync", {
      name: props.platform.configSyncServer,
      resourceGroupName: props.platform.resourceGroup,
    });
    new PrivateDnsZoneVirtualNetworkLink(this, "config-sync-dns", {
      name: `${names.virtualNetwork}-config-sync`,
      resourceGroupName: props.platform.resourceGroup,
      privateDnsZoneName: `${props.platform.configSyncServer}.private.postgres.database.azure.com`,
      virtualNetworkId: env.network.vnetId,
      registrationEnabled: false,
      tags,
    });
    new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, "config-sync-access", {
      serverName: configSync.name,
      resourceGroupName: props.platform.resourceGroup,
      tenantId: env.tenantId,
      objectId: props.runtimeOperator.principalId,
      principalName: names.runtimeOperatorIdentity,
      principalType: "ServicePrincipal",
    });
  }
}
