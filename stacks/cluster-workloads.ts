/**
 * What runs inside every cluster the fleet manages: the provider connection through kubelogin,
 * Traefik bound to the cluster's static IP, and Kured only where the node OS channel leaves
 * reboots to the cluster. Apps, Platform and Studio `-k8s` stacks share it.
 */
import { DataAzurermPublicIp } from "@cdktf/provider-azurerm/lib/data-azurerm-public-ip";
import { Construct } from "constructs";
import { ClusterConnection, Kured, kuredRequired, Traefik } from "../constructs/in-cluster";
import { SupportingServices, type SupportingServicesSelection } from "../constructs/services";
import type { ClusterSettings, ServiceSelectionSetting } from "../fleet/model";

export interface ClusterWorkloadsProps {
  readonly clusterName: string;
  readonly resourceGroupName: string;
  readonly ingressPublicIpName: string;
  /** The cluster's public DNS zone; its apex and wildcard point at the ingress IP. */
  readonly dnsZone: string;
  readonly settings: ClusterSettings;
  /** Supporting services switched on for this cluster in fleet.yaml. */
  readonly services?: ServiceSelectionSetting;
}

export class ClusterWorkloads extends Construct {
  readonly connection: ClusterConnection;
  readonly traefik: Traefik;
  readonly kured?: Kured;
  readonly services?: SupportingServices;

  constructor(scope: Construct, id: string, props: ClusterWorkloadsProps) {
    super(scope, id);
    // Names only cross the stack boundary; the cluster and the IP are read back as data, so no
    // credential ever sits in another stack's outputs.
    this.connection = new ClusterConnection(this, "cluster", {
      clusterName: props.clusterName,
      resourceGroupName: props.resourceGroupName,
    });
    const ip = new DataAzurermPublicIp(this, "ingress-ip", {
      name: props.ingressPublicIpName,
      resourceGroupName: props.resourceGroupName,
    });
    this.traefik = new Traefik(this, "traefik", {
      connection: this.connection,
      loadBalancerIp: ip.ipAddress,
      loadBalancerResourceGroup: props.resourceGroupName,
      replicas: props.settings.ingress.replicas,
      // Supporting services publish their hosts through Traefik: the DNS zone's apex and wildcard
      // point at this static IP, so Traefik is the controller every public host reaches.
      enableIngressProvider: props.services !== undefined,
    });
    if (props.services) {
      this.services = new SupportingServices(this, "services", {
        connection: this.connection,
        services: props.services as SupportingServicesSelection,
        ingressController: {
          name: "Traefik",
          ingressClassName: this.traefik.ingressClassName!,
          dnsZone: props.dnsZone,
        },
      });
    }
    if (kuredRequired(props.settings.nodeOsUpgradeChannel)) {
      this.kured = new Kured(this, "kured", {
        connection: this.connection,
        nodeOsUpgradeChannel: props.settings.nodeOsUpgradeChannel,
      });
    }
  }
}
