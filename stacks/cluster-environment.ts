/**
 * One cluster environment on Azure: resource groups, network, monitoring, AKS, the ingress IP,
 * DNS and a Key Vault. Apps, Platform and Studio environments are all built from this one
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
import { ContainerInsights, Monitoring } from "../constructs/monitoring";
import type { SharedEnvironmentNames } from "../constructs/naming";
import { ClusterNetwork, StaticPublicIp, type SubnetSpec } from "../constructs/network";
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
  /**
   * A data collection endpoint for Container Insights over Private Link.
   * @default - public ingestion endpoints
   */
  readonly dataCollectionEndpointId?: string;
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
  readonly tenantId: string;

  constructor(scope: Construct, id: string, props: ClusterEnvironmentProps) {
    super(scope, id);
    const { names, settings, location, tags } = props;
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
        serviceEndpoints: s.name === USER_SUBNET ? ["Microsoft.Storage", "Microsoft.KeyVault"] : undefined,
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

    // The cluster's oms_agent sends with its managed identity; without a rule and its
    // association Container Insights collects nothing.
    this.containerInsights = new ContainerInsights(this, "container-insights", {
      clusterName: names.cluster,
      clusterId: this.cluster.id,
      workspaceId: this.monitoring.workspaceId,
      resourceGroupName: this.monitorResourceGroup.name,
      location,
      dataCollectionEndpointId: props.dataCollectionEndpointId,
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
      allowedSubnetIds: [this.network.subnetId(USER_SUBNET)],
      tags,
    });
  }
}
