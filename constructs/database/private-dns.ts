import { PrivateDnsZone } from "@cdktf/provider-azurerm/lib/private-dns-zone";
import { PrivateDnsZoneVirtualNetworkLink } from "@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link";
import type { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import type { Tags } from "../common/tags";

/**
 * Where the private DNS records of a privately reachable service live: a zone this construct
 * creates and links to one VNet, or an existing zone (a hub zone shared by many services).
 */
export type PrivateDnsOptions =
  | {
      /**
       * Create the zone in the service's resource group and link it to this VNet, so workloads
       * in it resolve the service's private address. Changing it replaces the link.
       */
      readonly virtualNetworkId: string;
    }
  | {
      /**
       * Use this zone, created elsewhere. Its owner links it to the VNets that must resolve the
       * service: a VNet can be linked to a zone only once, so the link is not created here.
       */
      readonly existingZoneId: string;
    };

export interface PrivateDnsZoneSpec {
  /** Zone to create when `dns` does not name an existing one. */
  readonly zoneName: string;
  /** Name of the VNet link. */
  readonly linkName: string;
  readonly resourceGroupName: string;
  readonly dns: PrivateDnsOptions;
  readonly tags: Tags;
}

export interface ResolvedPrivateDns {
  /** Resource ID of the zone in use. */
  readonly zoneId: string;
  /** The zone, when it was created here. */
  readonly zone?: PrivateDnsZone;
  /** The VNet link, when the zone was created here. */
  readonly link?: PrivateDnsZoneVirtualNetworkLink;
}

/**
 * The private DNS zone of a service: created (child ids `private-dns-zone` and
 * `private-dns-zone-link`, both part of the Terraform address) or taken as given. A created zone
 * carries `prevent_destroy`: clients resolve the service through its records.
 */
export function privateDnsZone(scope: Construct, spec: PrivateDnsZoneSpec): ResolvedPrivateDns {
  if ("existingZoneId" in spec.dns && "virtualNetworkId" in spec.dns) {
    throw new ConstructValidationError(
      scope.node.path,
      "privateDns sets both existingZoneId and virtualNetworkId; give virtualNetworkId to create and link a " +
        "zone here, or existingZoneId to use a zone linked elsewhere",
    );
  }
  if ("existingZoneId" in spec.dns) return { zoneId: spec.dns.existingZoneId };
  const zone = new PrivateDnsZone(scope, "private-dns-zone", {
    name: spec.zoneName,
    resourceGroupName: spec.resourceGroupName,
    tags: spec.tags,
    lifecycle: statefulLifecycle(),
  });
  const link = new PrivateDnsZoneVirtualNetworkLink(scope, "private-dns-zone-link", {
    name: spec.linkName,
    resourceGroupName: spec.resourceGroupName,
    privateDnsZoneName: zone.name,
    virtualNetworkId: spec.dns.virtualNetworkId,
    // Records come from the service (delegation or private endpoint), never from VM auto-registration.
    registrationEnabled: false,
    tags: spec.tags,
  });
  return { zoneId: zone.id, zone, link };
}
