/**
 * Private endpoints and the private DNS zones their names resolve in.
 *
 * `PRIVATE_LINK_ZONES` is the one table of zone names per private-link subresource (Microsoft
 * Learn, "Azure Private Endpoint private DNS zone values",
 * https://learn.microsoft.com/azure/private-link/private-endpoint-dns). `PrivateDnsZoneSet` creates
 * each zone once per network, in the network owner's resource group, linked to that one VNet:
 * every cluster VNet is its own DNS scope, so the same zone names exist in many resource groups
 * without clashing, and a storage account's and Azure Monitor's `privatelink.blob...` records
 * share one zone. `PrivateEndpoint` puts one endpoint into a subnet and registers its records in
 * the zones of its subresource through a `private_dns_zone_group`.
 */
import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import { PrivateEndpoint as AzurePrivateEndpoint } from "@cdktf/provider-azurerm/lib/private-endpoint";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";

/**
 * Private-link subresources (group ids) the fleet connects to, with the private DNS zones Azure
 * resolves each in (public cloud). Source: Microsoft Learn, private-endpoint-dns, sections
 * "Storage", "Security" (Key Vault), "Containers" (Container Registry), "Management and
 * Governance" (Azure Monitor) and "Databases" (Cosmos DB).
 */
export const PRIVATE_LINK_ZONES = {
  /** Storage account, blob service. */
  blob: ["privatelink.blob.core.windows.net"],
  /** Key Vault. */
  vault: ["privatelink.vaultcore.azure.net"],
  /** Container Registry: login server and the regional data endpoint `<name>.<region>.data.azurecr.io`. */
  registry: ["privatelink.azurecr.io"],
  /** Azure Monitor Private Link Scope: global and regional endpoints, workspaces, agents, solution packs. */
  azuremonitor: [
    "privatelink.monitor.azure.com",
    "privatelink.oms.opinsights.azure.com",
    "privatelink.ods.opinsights.azure.com",
    "privatelink.agentsvc.azure-automation.net",
    "privatelink.blob.core.windows.net",
  ],
  /** Cosmos DB, SQL (NoSQL) API. */
  Sql: ["privatelink.documents.azure.com"],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type PrivateLinkSubresource = keyof typeof PRIVATE_LINK_ZONES;

/** Private endpoints share the VNet charset, 2-64 characters (Learn: resource-name-rules, Microsoft.Network). */
export const PRIVATE_ENDPOINT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$/;

export interface PrivateDnsZoneSetProps {
  /** Resource group of the zones and links: the network owner's. */
  readonly resourceGroupName: string;
  /** The VNet every zone is linked to. Changing it replaces the links. */
  readonly virtualNetworkId: string;
  /** Name of each zone's VNet link (one link per zone), e.g. the VNet's name. */
  readonly linkName: string;
  readonly tags: Tags;
}

/**
 * The private DNS zones of one network, created on first use and once per zone name (child ids
 * `zone-<zone>` and `link-<zone>`, dots replaced by dashes: part of the Terraform address). Zones
 * carry `prevent_destroy`: every client in the VNet resolves its services through them.
 */
export class PrivateDnsZoneSet extends Construct {
  private readonly zones = new Map<string, PrivateDnsZone>();
  private readonly props: PrivateDnsZoneSetProps;

  constructor(scope: Construct, id: string, props: PrivateDnsZoneSetProps) {
    super(scope, id);
    this.props = props;
  }

  /** Resource ids of the zones a subresource resolves in, creating the missing ones. */
  zoneIdsFor(subresource: PrivateLinkSubresource): string[] {
    return PRIVATE_LINK_ZONES[subresource].map((name) => this.zone(name).id);
  }

  /** Zone names created so far, in creation order. */
  get zoneNames(): string[] {
    return [...this.zones.keys()];
  }

  private zone(name: string): PrivateDnsZone {
    const existing = this.zones.get(name);
    if (existing) return existing;
    const tags = withSubmodule(this.props.tags, "private-dns");
    const key = name.replace(/\./g, "-");
    const zone = new PrivateDnsZone(this, `zone-${key}`, {
      name,
      resourceGroupName: this.props.resourceGroupName,
      tags,
      lifecycle: statefulLifecycle(),
    });
    new PrivateDnsZoneVirtualNetworkLink(this, `link-${key}`, {
      name: this.props.linkName,
      resourceGroupName: this.props.resourceGroupName,
      privateDnsZoneName: zone.name,
      virtualNetworkId: this.props.virtualNetworkId,
      // Records come from private endpoints' zone groups, never from VM auto-registration.
      registrationEnabled: false,
      tags,
    });
    this.zones.set(name, zone);
    return zone;
  }
}

export interface PrivateEndpointProps {
  /** Endpoint name, 2-64 characters, unique in its resource group. Changing it replaces the endpoint. */
  readonly name: string;
  /** Resource group of the endpoint: the consumer's (the network owner's). */
  readonly resourceGroupName: string;
  readonly location: string;
  /** The consumer's `endpoints` subnet. Changing it replaces the endpoint (ForceNew). */
  readonly subnetId: string;
  /** The resource reached through the endpoint. Changing it replaces the endpoint (ForceNew). */
  readonly targetResourceId: string;
  /** Its private-link subresource; decides the DNS zones. Changing it replaces the endpoint. */
  readonly subresource: PrivateLinkSubresource;
  /** The consumer network's zones. */
  readonly dnsZones: PrivateDnsZoneSet;
  readonly tags: Tags;
}

/**
 * One private endpoint with an automatically approved connection (the applying identity needs
 * `Microsoft.<RP>/<type>/privateEndpointConnectionsApproval/action` on the target) and its
 * records in the network's zones. Child id `endpoint`; the network interface is named
 * `<name>-nic`.
 */
export class PrivateEndpoint extends Construct {
  readonly endpoint: AzurePrivateEndpoint;
  /** Resource ID. */
  readonly id: string;

  constructor(scope: Construct, id: string, props: PrivateEndpointProps) {
    super(scope, id);
    if (!Token.isUnresolved(props.name) && !PRIVATE_ENDPOINT_NAME.test(props.name)) {
      throw new ConstructValidationError(
        this.node.path,
        `private endpoint name "${props.name}" must be 2-64 letters, digits, _ . - (starting with a letter or ` +
          "digit, ending with a letter, digit or _); shorten the target's name",
      );
    }
    this.endpoint = new AzurePrivateEndpoint(this, "endpoint", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      subnetId: props.subnetId,
      customNetworkInterfaceName: `${props.name}-nic`,
      privateServiceConnection: {
        name: `${props.name}-${props.subresource.toLowerCase()}`,
        privateConnectionResourceId: props.targetResourceId,
        subresourceNames: [props.subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: {
        name: "default",
        privateDnsZoneIds: props.dnsZones.zoneIdsFor(props.subresource),
      },
      tags: withSubmodule(props.tags, "private-endpoint"),
    });
    this.id = this.endpoint.id;
  }
}
