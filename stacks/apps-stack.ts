/**
 * `apps-<org>-<env>`: one org's Azure environment. The cluster environment every stack kind
 * shares, plus what is the org's own: its app-data storage account, the workload identities of
 * the Studio runtime operator and gateway, and pull access to the org's registry.
 */
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { roleAssignment, WorkloadIdentity } from "../constructs/identity";
import { HardenedStorageAccount } from "../constructs/storage";
import type { AppsEnvironment, Fleet } from "../fleet/model";
import { ClusterEnvironment, childZonesOf } from "./cluster-environment";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { OperatorInfrastructure } from "./operators";
import { orgRegistryId } from "./org-stack";
import { SERVICE_SUBNET_OPTIONS } from "./shared-services";
import { orgTags } from "./tags";

/** Service accounts whose names Altinn's platform Terraform binds to (they must not change). */
export const RUNTIME_OPERATOR_SERVICE_ACCOUNT = {
  namespace: "runtime-operator",
  name: "operator-controller-manager",
};
export const RUNTIME_GATEWAY_SERVICE_ACCOUNT = { namespace: "runtime-gateway", name: "studio-gateway" };

export interface AppsStackProps {
  readonly fleet: Fleet;
  readonly apps: AppsEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class AppsStack extends FleetStack {
  readonly environment: ClusterEnvironment;
  readonly storage: HardenedStorageAccount;
  readonly runtimeOperator: WorkloadIdentity;
  readonly runtimeGateway: WorkloadIdentity;
  readonly operators: OperatorInfrastructure;
  /** Resource Manager id of the org's registry (owned by `org-<org>`, shared scope). */
  readonly registryId: string;

  constructor(scope: Construct, props: AppsStackProps) {
    const { fleet, apps } = props;
    const tags = orgTags(fleet, apps.org, apps.environment.token);
    super(scope, {
      stackId: props.stackId,
      stateScope: apps.environment.token,
      settings: fleet.settings,
      backend: props.backend,
      tags,
    });
    const location = fleet.settings.location;
    const names = apps.names;

    this.environment = new ClusterEnvironment(this, "environment", {
      location,
      names,
      settings: apps.settings,
      addressSpace: apps.addressSpace,
      subnets: apps.subnets,
      addressPlan: fleet.addressPlan,
      adminGroupObjectIds: apps.clusterAdminGroupObjectIds,
      dns: { childZones: childZonesOf(fleet, props.stackId) },
      // The delegated `postgres` subnet holds the environment's configuration-sync server.
      subnetOptions: SERVICE_SUBNET_OPTIONS,
      tags,
    });
    const env = this.environment;

    this.storage = new HardenedStorageAccount(this, "apps-storage", {
      name: names.storageAccount,
      resourceGroupName: env.resourceGroup.name,
      location,
      replication: apps.settings.storage.replication,
      containers: [names.appsDataContainer],
      tags,
    });
    // The cluster of the same org and environment is the account's only client.
    env.privateEndpoint("apps-storage-endpoint", {
      name: `${names.storageAccount}-blob-pe`,
      targetResourceId: this.storage.id,
      subresource: "blob",
    });

    this.runtimeOperator = new WorkloadIdentity(this, "runtime-operator", {
      name: names.runtimeOperatorIdentity,
      resourceGroupName: env.resourceGroup.name,
      location,
      issuerUrl: env.cluster.oidcIssuerUrl,
      serviceAccounts: [RUNTIME_OPERATOR_SERVICE_ACCOUNT],
      tags,
    });
    this.runtimeGateway = new WorkloadIdentity(this, "runtime-gateway", {
      name: names.runtimeGatewayIdentity,
      resourceGroupName: env.resourceGroup.name,
      location,
      issuerUrl: env.cluster.oidcIssuerUrl,
      serviceAccounts: [RUNTIME_GATEWAY_SERVICE_ACCOUNT],
      tags,
    });
    // The gateway reads the org's logs and telemetry for Studio.
    this.runtimeGateway.grant("gateway-log-reader", env.monitorResourceGroup.id, "Log Analytics Reader");

    // The kubelet pulls app images from the org's registry (created by the org-<org> stack, in
    // the shared scope's subscription): its id is derived, not read through this stack's provider.
    this.registryId = orgRegistryId(fleet, apps.org);
    // The consumer's half of the registry connection: an endpoint in this environment's network.
    env.privateEndpoint("org-registry-endpoint", {
      name: `${apps.org.names.registry}-pe`,
      targetResourceId: this.registryId,
      subresource: "registry",
    });
    roleAssignment(this, "kubelet-acr-pull", {
      scope: this.registryId,
      roleDefinitionName: "AcrPull",
      principalId: env.cluster.kubeletObjectId,
      principalType: "ServicePrincipal",
      description: "The cluster pulls the org's app images",
    });

    this.operators = new OperatorInfrastructure(this, "operators", {
      apps,
      environment: env,
      runtimeOperator: this.runtimeOperator,
      settings: fleet.settings.operators,
      databaseAdmin: fleet.settings.platform.databaseAdmin,
      location,
      tags,
    });

    // Identifiers (never credentials) the runtime's configuration needs.
    new TerraformOutput(this, "runtime_operator_client_id", { value: this.runtimeOperator.clientId });
    new TerraformOutput(this, "runtime_gateway_client_id", { value: this.runtimeGateway.clientId });
    new TerraformOutput(this, "oidc_issuer_url", { value: env.cluster.oidcIssuerUrl });
    new TerraformOutput(this, "service_operator_client_id", {
      value: this.operators.serviceOperator.clientId,
    });
  }
}
