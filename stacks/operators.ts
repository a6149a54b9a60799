/**
 * What the in-cluster operators of an Apps cluster need from Azure (research/altinn.md §6):
 *
 * - Azure Service Operator v2: its own user-assigned identity, federated with the cluster's
 *   service account `azureserviceoperator-system:azureserviceoperator-system`, and a custom role
 *   whose only assignable scope is the operators' resource group, assigned there. Per-app Azure
 *   resources (identities, databases) that operators create land in that group and nowhere else.
 * - The Studio runtime operator (its identity is created with the cluster): read access to the
 *   environment's Maskinporten vault, and its own configuration-sync database: a PostgreSQL
 *   flexible server in this cluster's network (delegated `postgres` subnet, private DNS zone in
 *   this stack's resource group linked to this VNet, Entra ID only) whose only administrators are
 *   this org's runtime operator and the platform's DBA group. Nothing is shared with another org
 *   or written into another stack: no peering, no DNS link or administrator on a Platform server.
 *
 * Everything is in the org's own stack, so adding an org never changes a shared stack.
 */
import { DataAzurermKeyVault } from "@cdktf/provider-azurerm/lib/data-azurerm-key-vault";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { RoleDefinition } from "@cdktf/provider-azurerm/lib/role-definition";
import { Construct } from "constructs";
import { statefulLifecycle, type Tags } from "../constructs/common";
import type { PostgresFlexibleServer } from "../constructs/database";
import { roleAssignment, WorkloadIdentity } from "../constructs/identity";
import type { AppsEnvironment, EntraPrincipalSetting, OperatorsSettings } from "../fleet/model";
import type { ClusterEnvironment } from "./cluster-environment";
import { postgresServer } from "./shared-services";

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

/** The database the runtime operator syncs configuration through. */
export const CONFIG_SYNC_DATABASE = "configsync";

export interface OperatorInfrastructureProps {
  readonly apps: AppsEnvironment;
  readonly environment: ClusterEnvironment;
  readonly runtimeOperator: WorkloadIdentity;
  readonly settings: OperatorsSettings;
  /** The platform's database administrators (a group), the config-sync server's other admin. */
  readonly databaseAdmin: EntraPrincipalSetting;
  readonly location: string;
  readonly tags: Tags;
}

export class OperatorInfrastructure extends Construct {
  readonly resourceGroup: ResourceGroup;
  readonly serviceOperator: WorkloadIdentity;
  readonly role: RoleDefinition;
  /** This environment's configuration-sync server (docs/operators.md). */
  readonly configSync: PostgresFlexibleServer;

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

    // The runtime operator's configuration-sync database: this environment's own server, in this
    // stack's resource group (not the operators' group, where Azure Service Operator may change
    // PostgreSQL servers) and this cluster's network.
    this.configSync = postgresServer(this, "config-sync", {
      name: names.configSyncServer,
      environment: env,
      location,
      setting: props.settings.configSync[apps.environment.type],
      databases: [CONFIG_SYNC_DATABASE],
      administrator: props.databaseAdmin,
      additionalAdministrators: [
        {
          objectId: props.runtimeOperator.principalId,
          principalName: names.runtimeOperatorIdentity,
          principalType: "ServicePrincipal",
        },
      ],
      tags,
    });
  }
}
