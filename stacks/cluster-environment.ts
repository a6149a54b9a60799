/**
 * One cluster environment on Azure: resource groups, network, monitoring, AKS, the ingress IP,
 * DNS and a Key Vault. Its data planes are private: the network's private DNS zones, a private
 * endpoint to the vault and an Azure Monitor Private Link Scope in the `endpoints` subnet;
 * `privateEndpoint()` adds endpoints for the stack's other data planes. Apps, Platform and Studio environments are all built from this one
 * composition; what differs between them (names, settings, extra services) comes in as props.
 */
import { DataAzurermClientConfig } from "@cdktf/provider-azurerm/lib/data-azurerm-client-config";
import { ResourceGroup } from "@cdktf/provider-azurerm/lib/resource-group";
import { TerraformOutput } from "cdktf";
import { Construct } from "constructs";
import { AksCluster } from "../constructs/cluster";
import { statefulLifecycle, type Tags } from "../constructs/common";
import { type DnsChildZoneSpec, DnsZoneWithIngress, type DnsZoneWithIngressProps } from "../constructs/dns";
import { roleAssignment } from "../constructs/identity";
import { HardenedKeyVault } from "../constructs/keyvault";
import { ContainerInsights, Monitoring, MonitorPrivateLink } from "../constructs/monitoring";
import type { SharedEnvironmentNames } from "../constructs/naming";
import {
  ClusterNetwork,
  PrivateDnsZoneSet,
  PrivateEndpoint,
  type PrivateLinkSubresource,
  StaticPublicIp,
  type SubnetSpec,
} from "../constructs/network";
import { delegationsByParentStack } from "../fleet/dns-zones";
import type { AddressPlanSettings, ClusterSettings, Fleet, SubnetPlan } from "../fleet/model";

/** The names a cluster environment needs; Apps, Platform and Studio each derive their own. */
export type ClusterEnvironmentNames = Pick<
  SharedEnvironmentNames,
  | "resourceGroup"
  | "monitorResourceGroup"
  | "cluster"
  | "dnsPrefix"
  | "virtualNetwork"
  | "keyVault"
  | "logAnalyticsWorkspace"
  | "dataCollectionEndpoint"
  | "applicationInsights"
  | "ingressPublicIp"
  | "dnsZone"
>;

export interface ClusterEnvironmentProps {
  readonly location: string;
  readonly names: ClusterEnvironmentNames;
  readonly settings: ClusterSettings;
  /** The cluster's block from the address plan. */
  readonly addressSpace: string;
  readonly subnets: readonly SubnetPlan[];
  /** Overlay pod and service ranges, shared by every cluster. */
  readonly addressPlan: AddressPlanSettings;
  readonly adminGroupObjectIds: readonly string[];
  /**
   * Which names of the zone reach the ingress and which CAs may issue for it.
   * @default - apex and wildcard to the ingress, Let's Encrypt only
   */
  readonly dns?: Pick<DnsZoneWithIngressProps, "ingressRecordNames" | "caaIssuers" | "childZones">;
  /** Extra settings for subnets of the layout, by name (delegations for managed services). */
  readonly subnetOptions?: Readonly<Record<string, Omit<SubnetSpec, "name" | "addressPrefix">>>;
  readonly tags: Tags;
}

/**
 * The fleet zones directly below the zone of the stack `stackId`, which that stack delegates
 * (fleet/dns-zones.ts); the stack plan makes it depend on their stacks.
 */
export function childZonesOf(fleet: Fleet, stackId: string): DnsChildZoneSpec[] | undefined {
  const children = delegationsByParentStack(fleet).get(stackId);
  return children?.map((d) => ({ name: d.child.name, resourceGroupName: d.child.resourceGroupName }));
}

/** Subnets of the layout that host node pools, by role. */
const SYSTEM_SUBNET = "syspool";
const USER_SUBNET = "workpool";
/** The subnet of the layout that holds every private endpoint of the environment. */
export const ENDPOINTS_SUBNET = "endpoints";

export class ClusterEnvironment extends Construct {
  readonly resourceGroup: ResourceGroup;
  readonly monitorResourceGroup: ResourceGroup;
  readonly network: ClusterNetwork;
  readonly monitoring: Monitoring;
  readonly containerInsights: ContainerInsights;
  readonly cluster: AksCluster;
  readonly ingressIp: StaticPublicIp;
  readonly dns: DnsZoneWithIngress;
  readonly keyVault: HardenedKeyVault;
  /** The network's private DNS zones (privatelink.*), one per zone name, linked to its VNet. */
  readonly dnsZones: PrivateDnsZoneSet;
  /** Azure Monitor Private Link Scope of the workspace and Application Insights. */
  readonly monitorPrivateLink: MonitorPrivateLink;
  readonly tenantId: string;
  private readonly location: string;
  private readonly tags: Tags;

  constructor(scope: Construct, id: string, props: ClusterEnvironmentProps) {
    super(scope, id);
    const { names, settings, location, tags } = props;
    this.location = location;
    this.tags = tags;
    const client = new DataAzurermClientConfig(this, "client");
    this.tenantId = client.tenantId;

    // Deleting a resource group deletes everything in it, so they are guarded like the data.
    this.resourceGroup = new ResourceGroup(this, "resource-group", {
      name: names.resourceGroup,
      location,
      tags,
      lifecycle: statefulLifecycle(),
    });
    this.monitorResourceGroup = new ResourceGroup(this, "monitor-resource-group", {
      name: names.monitorResourceGroup,
      location,
      tags,
      lifecycle: statefulLifecycle(),
    });

    this.monitoring = new Monitoring(this, "monitoring", {
      resourceGroupName: this.monitorResourceGroup.name,
      location,
      workspaceName: names.logAnalyticsWorkspace,
      appInsightsName: names.applicationInsights,
      retentionInDays: settings.logAnalytics.retentionInDays,
      tags,
    });

    this.network = new ClusterNetwork(this, "network", {
      name: names.virtualNetwork,
      resourceGroupName: this.resourceGroup.name,
      location,
      addressSpace: [props.addressSpace],
      subnets: props.subnets.map((s) => ({
        name: s.name,
        addressPrefix: s.cidr,
        // Traefik runs on the user pool behind the public load balancer.
        allowIngressHttp: s.name === USER_SUBNET,
        ...props.subnetOptions?.[s.name],
      })),
      tags,
    });

    const zones = settings.zones as readonly ("1" | "2" | "3")[];
    this.cluster = new AksCluster(this, "cluster", {
      name: names.cluster,
      resourceGroupName: this.resourceGroup.name,
      location,
      dnsPrefix: names.dnsPrefix,
      kubernetesVersion: settings.kubernetesVersion,
      skuTier: settings.skuTier,
      systemPool: {
        ...settings.nodePools.system,
        zones,
        vnetSubnetId: this.network.subnetId(SYSTEM_SUBNET),
      },
      userPools: [
        {
          ...settings.nodePools.user,
          zones,
          vnetSubnetId: this.network.subnetId(USER_SUBNET),
        },
      ],
      network: {
        podCidr: props.addressPlan.podCidr,
        serviceCidr: props.addressPlan.serviceCidr,
        dnsServiceIp: props.addressPlan.dnsServiceIp,
      },
      entra: { adminGroupObjectIds: props.adminGroupObjectIds, tenantId: this.tenantId },
      logAnalyticsWorkspaceId: this.monitoring.workspaceId,
      automaticUpgradeChannel: settings.automaticUpgradeChannel,
      nodeOsUpgradeChannel: settings.nodeOsUpgradeChannel,
      maintenance: settings.maintenance,
      apiServer: { authorizedIpRanges: settings.apiServerAuthorizedIpRanges },
      tags,
    });

    this.ingressIp = new StaticPublicIp(this, "ingress-ip", {
      name: names.ingressPublicIp,
      resourceGroupName: this.resourceGroup.name,
      location,
      zones,
      tags,
    });
    // The cluster's load balancer binds Traefik's Service to this IP, which lives outside the
    // node resource group; AKS needs Network Contributor where the IP is.
    roleAssignment(this, "cluster-network-contributor", {
      scope: this.resourceGroup.id,
      roleDefinitionName: "Network Contributor",
      principalId: this.cluster.identityPrincipalId,
      principalType: "ServicePrincipal",
      description: "AKS binds the ingress load balancer to the static public IP in this group",
    });

    this.dns = new DnsZoneWithIngress(this, "dns", {
      name: names.dnsZone,
      resourceGroupName: this.resourceGroup.name,
      ingressIpAddress: this.ingressIp.ipAddress,
      ...props.dns,
      tags,
    });
    // What the owner of the parent domain delegates to, when that is not a fleet zone.
    new TerraformOutput(this, "dns-name-servers", {
      value: this.dns.nameServers,
      description: `Name servers of ${names.dnsZone}, for its NS record in the parent domain`,
    }).overrideLogicalId("dns_name_servers");

    this.keyVault = new HardenedKeyVault(this, "key-vault", {
      name: names.keyVault,
      resourceGroupName: this.resourceGroup.name,
      location,
      tenantId: this.tenantId,
      sku: settings.keyVault.sku,
      softDeleteRetentionDays: settings.keyVault.softDeleteRetentionDays,
      tags,
    });

    this.dnsZones = new PrivateDnsZoneSet(this, "private-dns", {
      resourceGroupName: this.resourceGroup.name,
      virtualNetworkId: this.network.vnetId,
      linkName: names.virtualNetwork,
      tags,
    });
    // The Key Vault secrets provider on the nodes reads the vault through this endpoint.
    this.privateEndpoint("key-vault-endpoint", {
      name: `${names.keyVault}-pe`,
      targetResourceId: this.keyVault.id,
      subresource: "vault",
    });
    this.monitorPrivateLink = new MonitorPrivateLink(this, "monitor-private-link", {
      name: names.logAnalyticsWorkspace,
      dataCollectionEndpointName: names.dataCollectionEndpoint,
      resourceGroupName: this.monitorResourceGroup.name,
      endpointResourceGroupName: this.resourceGroup.name,
      location,
      workspaceId: this.monitoring.workspaceId,
      appInsightsId: this.monitoring.appInsightsId,
      endpointSubnetId: this.network.subnetId(ENDPOINTS_SUBNET),
      dnsZones: this.dnsZones,
      tags,
    });

    // The cluster's oms_agent sends with its managed identity; without a rule and its
    // association Container Insights collects nothing. Behind the private link scope every rule
    // must use the scope's data collection endpoint (Learn, kubernetes-monitoring-firewall).
    this.containerInsights = new ContainerInsights(this, "container-insights", {
      clusterName: names.cluster,
      clusterId: this.cluster.id,
      workspaceId: this.monitoring.workspaceId,
      resourceGroupName: this.monitorResourceGroup.name,
      location,
      dataCollectionEndpointId: this.monitorPrivateLink.dataCollectionEndpointId,
      tags,
    });
  }

  /**
   * A private endpoint from this environment's `endpoints` subnet to a data plane, in this
   * environment's resource group, with its records in this network's zones.
   */
  privateEndpoint(
    id: string,
    props: {
      readonly name: string;
      readonly targetResourceId: string;
      readonly subresource: PrivateLinkSubresource;
    },
  ): PrivateEndpoint {
    return new PrivateEndpoint(this, id, {
      ...props,
      resourceGroupName: this.resourceGroup.name,
      location: this.location,
      subnetId: this.network.subnetId(ENDPOINTS_SUBNET),
      dnsZones: this.dnsZones,
      tags: this.tags,
    });
  }
}
