/**
 * The common part of `platform-<env>` and `studio-<env>`: a stack in the environment's state
 * scope, tagged for the platform's operator, holding the cluster environment on the service
 * subnet layout and the product's storage and PostgreSQL. The products add what is theirs.
 */
import type { Construct } from "constructs";
import type { Fleet, PlatformEnvironment, StudioEnvironment } from "../fleet/model";
import { ClusterEnvironment, type ClusterEnvironmentProps, childZonesOf } from "./cluster-environment";
import { type BackendKind, FleetStack } from "./fleet-stack";
import { SERVICE_SUBNET_OPTIONS, SharedServices } from "./shared-services";
import { operatorTags } from "./tags";

export interface SharedEnvironmentStackProps {
  readonly fleet: Fleet;
  readonly product: "platform" | "studio";
  readonly shared: PlatformEnvironment | StudioEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
  /** Blob containers of the product's storage account. */
  readonly containers?: readonly string[];
  /** DNS of the environment's zone; see `ClusterEnvironmentProps.dns`. */
  readonly dns?: ClusterEnvironmentProps["dns"];
}

export class SharedEnvironmentStack extends FleetStack {
  readonly environment: ClusterEnvironment;
  readonly services: SharedServices;
  protected readonly tags: Readonly<Record<string, string>>;

  constructor(scope: Construct, props: SharedEnvironmentStackProps) {
    const { fleet, shared, product } = props;
    const token = shared.environment.token;
    const tags = operatorTags(fleet, product, token);
    super(scope, {
      stackId: props.stackId,
      stateScope: token,
      settings: fleet.settings,
      backend: props.backend,
      tags,
    });
    this.tags = tags;
    const location = fleet.settings.location;
    const classSettings = "platform" in shared ? shared.platform : shared.studio;
    const productSettings = fleet.settings[product];

    this.environment = new ClusterEnvironment(this, "environment", {
      location,
      names: shared.names,
      settings: shared.settings,
      addressSpace: shared.addressSpace,
      subnets: shared.subnets,
      addressPlan: fleet.addressPlan,
      adminGroupObjectIds: shared.clusterAdminGroupObjectIds,
      subnetOptions: SERVICE_SUBNET_OPTIONS,
      dns: { ...props.dns, childZones: childZonesOf(fleet, props.stackId) },
      tags,
    });
    this.services = new SharedServices(this, "services", {
      location,
      shared,
      environment: this.environment,
      storageAccountName: shared.names.storageAccount,
      storageReplication: classSettings.storageReplication,
      containers: props.containers,
      postgresServerName: shared.names.postgresServer,
      postgres: classSettings.postgres,
      postgresDatabases: productSettings.postgresDatabases,
      databaseAdmin: productSettings.databaseAdmin,
      tags,
    });
  }
}
