/**
 * `studio-<env>`: one Altinn Studio environment (dev, staging, prod) on its cluster
 * `studio-<env>-aks`, with the PostgreSQL, storage and Key Vault that Designer and the
 * repositories need.
 */
import type { Construct } from "constructs";
import type { Fleet, StudioEnvironment } from "../fleet/model";
import { ClusterEnvironment } from "./cluster-environment";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { SERVICE_SUBNET_OPTIONS, SharedServices } from "./shared-services";
import { operatorTags } from "./tags";

export interface StudioStackProps {
  readonly fleet: Fleet;
  readonly studio: StudioEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class StudioStack extends FleetStack {
  readonly environment: ClusterEnvironment;
  readonly services: SharedServices;

  constructor(scope: Construct, props: StudioStackProps) {
    const { fleet, studio } = props;
    const token = studio.environment.token;
    const tags = operatorTags(fleet, "studio", token);
    super(scope, {
      stackId: props.stackId,
      stateScope: token,
      state: fleet.settings.state,
      backend: props.backend,
      tags,
    });
    const location = fleet.settings.location;
    const names = studio.names;

    this.environment = new ClusterEnvironment(this, "environment", {
      location,
      names,
      settings: studio.settings,
      addressSpace: studio.addressSpace,
      subnets: studio.subnets,
      addressPlan: fleet.addressPlan,
      adminGroupObjectIds: studio.clusterAdminGroupObjectIds,
      subnetOptions: SERVICE_SUBNET_OPTIONS,
      tags,
    });
    this.services = new SharedServices(this, "services", {
      location,
      shared: studio,
      environment: this.environment,
      storageAccountName: names.storageAccount,
      storageReplication: studio.studio.storageReplication,
      containers: ["repositories", "designer"],
      postgresServerName: names.postgresServer,
      postgres: studio.studio.postgres,
      postgresDatabases: fleet.settings.studio.postgresDatabases,
      databaseAdmin: fleet.settings.studio.databaseAdmin,
      tags,
    });
  }
}
