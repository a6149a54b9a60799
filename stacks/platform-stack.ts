/**
 * `platform-<env>`: the Altinn Platform of one environment. The same cluster environment as
 * every Apps environment, plus API Management as the gateway `platform.{hostname}`, platform
 * storage, PostgreSQL and Cosmos DB, all reached privately through the cluster network.
 */
import type { Construct } from "constructs";
import { ApiManagement, type ApiManagementSku } from "../constructs/apim";
import { CosmosDbAccount } from "../constructs/cosmos";
import type { Fleet, PlatformEnvironment } from "../fleet/model";
import type { BackendKind } from "./fleet-stack";
import { SharedEnvironmentStack } from "./shared-environment-stack";

/** The subnet of the service layout that API Management is injected into. */
const APIM_SUBNET = "apim";

/** The Key Vault secret (a certificate) API Management's gateway host name is served with. */
export const GATEWAY_CERTIFICATE_SECRET = "platform-gateway-certificate";

export interface PlatformStackProps {
  readonly fleet: Fleet;
  readonly platform: PlatformEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

export class PlatformStack extends SharedEnvironmentStack {
  readonly cosmos: CosmosDbAccount;
  readonly apiManagement: ApiManagement;

  constructor(scope: Construct, props: PlatformStackProps) {
    const { fleet, platform } = props;
    super(scope, {
      fleet,
      product: "platform",
      shared: platform,
      stackId: props.stackId,
      backend: props.backend,
    });
    const { tags, environment: env } = this;
    const location = fleet.settings.location;
    const names = platform.names;
    const production = platform.environment.type === "production";

    this.cosmos = new CosmosDbAccount(this, "cosmos", {
      name: names.cosmosAccount,
      resourceGroupName: env.resourceGroup.name,
      location,
      failoverLocation: fleet.settings.platform.cosmosFailoverLocation,
      zoneRedundant: production,
      databases: [
        {
          name: "Storage",
          maxThroughput: platform.platform.cosmosMaxThroughput,
          containers: fleet.settings.platform.cosmosContainers.map((c) => ({
            name: c.name,
            partitionKeyPaths: [c.partitionKey],
          })),
        },
      ],
      privateEndpointSubnetId: env.network.subnetId("endpoints"),
      privateDns: { virtualNetworkId: env.network.vnetId },
      tags,
    });

    this.apiManagement = new ApiManagement(this, "api-management", {
      name: names.apiManagement,
      resourceGroupName: env.resourceGroup.name,
      location,
      sku: platform.platform.apiManagementSku as ApiManagementSku,
      publisherName: fleet.settings.platform.apiManagementPublisher.name,
      publisherEmail: fleet.settings.platform.apiManagementPublisher.email,
      virtualNetwork: {
        type: "External",
        subnetId: env.network.subnetId(APIM_SUBNET),
        networkSecurityGroup: {
          name: env.network.networkSecurityGroupName(APIM_SUBNET),
          resourceGroupName: env.resourceGroup.name,
        },
      },
      ...(production ? { zones: apimZones(platform.platform.apiManagementSku) } : {}),
      gateway: {
        hostName: names.dnsZone,
        // Versionless, so API Management picks up a renewed certificate by itself.
        keyVaultCertificateId: `${env.keyVault.vaultUri}secrets/${GATEWAY_CERTIFICATE_SECRET}`,
        keyVaultId: env.keyVault.id,
      },
      tags,
    });
  }
}

/** Premium units are spread evenly over zones: three zones where the units allow, else two. */
export function apimZones(sku: string): ("1" | "2" | "3")[] | undefined {
  const units = /^Premium_(\d+)$/.exec(sku);
  if (!units) return undefined;
  const n = Number(units[1]);
  if (n % 3 === 0) return ["1", "2", "3"];
  if (n % 2 === 0) return ["1", "2"];
  return undefined;
}
