/**
 * `platform-<env>`: the Altinn Platform of one environment. The same cluster environment as
 * every Apps environment, plus API Management as the gateway `platform.{hostname}`, platform
 * storage, PostgreSQL and Cosmos DB, all reached privately through the cluster network.
 */
import { DnsARecord } from "@cdktf/provider-azurerm/lib/dns-a-record";
import type { Construct } from "constructs";
import { ApiManagement, type ApiManagementSku } from "../constructs/apim";
import { CosmosDbAccount } from "../constructs/cosmos";
import { roleAssignment } from "../constructs/identity";
import { GATEWAY_CERTIFICATE_NAME } from "../constructs/naming";
import type { Fleet, PlatformEnvironment } from "../fleet/model";
import type { BackendKind } from "./fleet-stack";
import { SharedEnvironmentStack } from "./shared-environment-stack";

/** The subnet of the service layout that API Management is injected into. */
const APIM_SUBNET = "apim";

/**
 * The name in the Platform zone at which the Platform cluster's Traefik serves API Management's
 * backends (`ingress.platform.{hostname}`); the zone's apex belongs to API Management.
 */
export const PLATFORM_INGRESS_RECORD = "ingress";

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
      // platform.{hostname} is API Management's; Traefik answers only its own name in the zone.
      dns: {
        ingressRecordNames: [PLATFORM_INGRESS_RECORD],
        caaIssuers: ["letsencrypt.org", ...fleet.settings.platform.gatewayCertificate.caaIssuers],
      },
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

    const certificate = fleet.settings.platform.gatewayCertificate;
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
          association: env.network.networkSecurityGroupAssociation(APIM_SUBNET),
        },
      },
      ...(production ? { zones: apimZones(platform.platform.apiManagementSku) } : {}),
      // Only once the certificate is in the vault: API Management reads it when the custom domain
      // is created, and the update fails if it is missing (second phase, README).
      ...(platform.gatewayCertificateImported
        ? {
            gateway: {
              hostName: names.dnsZone,
              keyVaultId: env.keyVault.id,
              keyVaultUri: env.keyVault.vaultUri,
              certificateName: GATEWAY_CERTIFICATE_NAME,
            },
          }
        : {}),
      tags,
    });

    // The officers import the gateway certificate; nobody else may write certificates here.
    roleAssignment(this, "gateway-certificate-officers", {
      scope: env.keyVault.id,
      roleDefinitionName: "Key Vault Certificates Officer",
      principalId: certificate.officers.objectId,
      principalType: certificate.officers.principalType,
      description: `${certificate.officers.principalName} imports ${GATEWAY_CERTIFICATE_NAME} for API Management`,
    });

    // platform.{hostname} is API Management's public gateway. An apex cannot be a CNAME, so the
    // A record carries the gateway's public addresses, read from the service.
    new DnsARecord(this, "gateway-dns", {
      name: "@",
      zoneName: env.dns.zoneName,
      resourceGroupName: env.resourceGroup.name,
      ttl: 300,
      records: this.apiManagement.publicIpAddresses,
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
