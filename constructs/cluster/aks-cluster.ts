import {
  KubernetesCluster,
  type KubernetesClusterDefaultNodePool,
  type KubernetesClusterNetworkProfile,
} from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { Address4 } from "ip-address";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { cidrContains, cidrsOverlap, parseIpv4Address, parseIpv4Cidr } from "../network/cidr";
import {
  type MaintenanceWindowSpec,
  maintenanceWindowBlock,
  maintenanceWindowProblems,
} from "./maintenance-window";
import { defaultRotationName, type NodePoolSpec, nodePoolProblems } from "./node-pool-spec";
import {
  type AksSkuTier,
  type AutomaticUpgradeChannel,
  apiServerProblems,
  type NodeOsUpgradeChannel,
  poolNameProblems,
} from "./settings";

export {
  AKS_SKU_TIERS,
  type AksSkuTier,
  AUTOMATIC_UPGRADE_CHANNELS,
  type AutomaticUpgradeChannel,
  NODE_OS_UPGRADE_CHANNELS,
  type NodeOsUpgradeChannel,
} from "./settings";

/** Network policy engine. `cilium` runs on the Cilium data plane; the others on Azure's. */
export type NetworkPolicy = "cilium" | "azure" | "calico";

/** How nodes reach the Internet. */
export type OutboundType =
  | "loadBalancer"
  | "userDefinedRouting"
  | "managedNATGateway"
  | "userAssignedNATGateway";

export interface AksClusterNetworkSpec {
  /** Overlay pod range (IPv4 CIDR). May repeat across clusters. Changing this replaces the cluster. */
  readonly podCidr: string;
  /** Service range (IPv4 CIDR, /12 or smaller). Changing this replaces the cluster. */
  readonly serviceCidr: string;
  /** CoreDNS service address inside `serviceCidr` (not its first address). Changing this replaces the cluster. */
  readonly dnsServiceIp: string;
  /**
   * Network policy engine; always on, because without one every pod can reach every other pod.
   * Defaults to Cilium: Microsoft ends support for Azure Network Policy Manager on Linux and
   * points users to Cilium. `azure` and `calico` run on the Azure data plane. Changing it is a
   * disruptive migration (nodes are reimaged); moving away from `cilium` replaces the cluster.
   * @default "cilium"
   */
  readonly networkPolicy?: NetworkPolicy;
  /**
   * Egress path of the nodes.
   * @default "loadBalancer"
   */
  readonly outboundType?: OutboundType;
  /**
   * Public IP IDs the load balancer uses for egress, so partners can allow-list stable addresses.
   * Only with `outboundType: "loadBalancer"`.
   * @default - one AKS-managed outbound IP
   */
  readonly outboundIpAddressIds?: readonly string[];
}

export interface AksEntraSpec {
  /** Entra ID groups that get cluster-admin. At least one; object IDs (GUIDs). */
  readonly adminGroupObjectIds: readonly string[];
  /**
   * Tenant of the groups.
   * @default - the tenant of the provider's credentials
   */
  readonly tenantId?: string;
}

/**
 * Who can reach the Kubernetes API. There is no silent default: give authorized IP ranges, make
 * the cluster private, or opt in to a public API server with `allowPublicApiServer`.
 */
export interface AksApiServerSpec {
  /**
   * IPv4 CIDRs allowed to reach the public API server (at most 200). The cluster's own egress
   * addresses are added by AKS.
   * @default - no allow-list
   */
  readonly authorizedIpRanges?: readonly string[];
  /**
   * Explicitly accept an API server reachable from any address (still Entra-authenticated).
   * @default false
   */
  readonly allowPublicApiServer?: boolean;
  /**
   * Expose the API server on a private IP only. Changing this replaces the cluster.
   * @default false
   */
  readonly privateCluster?: boolean;
}

export interface AksMaintenanceSpec {
  /** Window for Kubernetes version upgrades (`automaticUpgradeChannel`). */
  readonly autoUpgrade: MaintenanceWindowSpec;
  /** Window for node OS image upgrades (`nodeOsUpgradeChannel`). */
  readonly nodeOs: MaintenanceWindowSpec;
}

export interface AksClusterProps {
  /** Cluster name, 1-63 characters. Changing this replaces the cluster. */
  readonly name: string;
  /** Resource group. Changing this replaces the cluster. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the cluster. */
  readonly location: string;
  /** API server DNS prefix, 1-54 letters, digits and hyphens. Changing this replaces the cluster. */
  readonly dnsPrefix: string;
  /**
   * Kubernetes minor version such as `"1.33"`. A minor alias lets the `patch` channel move patch
   * versions without plan drift; a full `1.33.2` is only accepted with channel `none` or
   * `node-image`. Leave unset with `stable` or `rapid`, which move the minor version themselves.
   * 1.32 or later, where the `AzureLinux` OS SKU means Azure Linux 3.0.
   * @default - AKS's default version at creation
   */
  readonly kubernetesVersion?: string;
  /**
   * Control plane tier. `Standard` carries the uptime SLA.
   * @default "Standard"
   */
  readonly skuTier?: AksSkuTier;
  /** The system pool (AKS default node pool): critical add-ons only. */
  readonly systemPool: NodePoolSpec;
  /**
   * User pools, each an `azurerm_kubernetes_cluster_node_pool` with id `pool-<name>`.
   * @default []
   */
  readonly userPools?: readonly NodePoolSpec[];
  /** Overlay network settings. */
  readonly network: AksClusterNetworkSpec;
  /** Entra ID integration; local accounts are disabled, so this is the only way in. */
  readonly entra: AksEntraSpec;
  /** Log Analytics workspace for Container Insights (authenticated with managed identity). */
  readonly logAnalyticsWorkspaceId: string;
  /**
   * Kubernetes version auto-upgrade channel.
   * @default "patch"
   */
  readonly automaticUpgradeChannel?: AutomaticUpgradeChannel;
  /**
   * Node OS upgrade channel. `NodeImage` (weekly reimage in the node-OS window) is Microsoft's
   * recommendation; `Unmanaged` needs Kured in the cluster to reboot nodes.
   * @default "NodeImage"
   */
  readonly nodeOsUpgradeChannel?: NodeOsUpgradeChannel;
  /** Maintenance windows for both upgrade channels. */
  readonly maintenance: AksMaintenanceSpec;
  /** API server exposure; see {@link AksApiServerSpec}. */
  readonly apiServer: AksApiServerSpec;
  /**
   * Poll interval of the Key Vault secrets provider's rotation, e.g. `"2m"`.
   * @default "2m"
   */
  readonly secretRotationInterval?: string;
  /**
   * Name of the AKS-managed node resource group. Changing this replaces the cluster.
   * @default - AKS's `MC_<resourceGroup>_<name>_<location>` (checked against the 80-character limit)
   */
  readonly nodeResourceGroupName?: string;
  /**
   * Namespace and deployment level costs in Azure Cost Analysis (needs `Standard` or `Premium`).
   * @default - true unless skuTier is "Free"
   */
  readonly costAnalysis?: boolean;
  /**
   * Enable the managed Prometheus metrics add-on. Metrics only flow once a data collection rule
   * associates the cluster with an Azure Monitor workspace.
   * @default false
   */
  readonly managedPrometheus?: boolean;
  /**
   * How often Image Cleaner removes unused images from nodes, in hours (24-2160).
   * @default 48
   */
  readonly imageCleanerIntervalHours?: number;
  /** FinOps tags; `submodule = "aks-cluster"` is added. */
  readonly tags: Tags;
}

/** Ranges AKS reserves; pod and service CIDRs must not overlap them. */
const AKS_RESERVED_RANGES = ["169.254.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"];
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MINOR_VERSION = /^[1-9][0-9]*\.[0-9]+$/;
const PATCH_VERSION = /^[1-9][0-9]*\.[0-9]+\.[0-9]+$/;
const DURATION = /^[1-9][0-9]*[smh]$/;
/** From Kubernetes 1.32 the `AzureLinux` OS SKU gets Azure Linux 3.0. */
const OLDEST_MINOR = 32;

/**
 * A hardened AKS cluster: Entra ID with Azure RBAC and no local accounts, workload identity,
 * Azure CNI Overlay with a network policy, Azure Linux nodes, autoscaled pools across zones,
 * scheduled upgrades of both Kubernetes and the node OS, Container Insights over managed
 * identity, Key Vault CSI with rotation, Azure Policy, and no run-command.
 *
 * Node counts belong to the autoscaler: `node_count` is never set and is ignored in plans.
 */
export class AksCluster extends Construct {
  readonly cluster: KubernetesCluster;
  /** User pools by name. */
  readonly nodePools: Readonly<Record<string, KubernetesClusterNodePool>>;
  /** Resource ID. */
  readonly id: string;
  /** Cluster name (a reference, so users depend on the cluster). */
  readonly name: string;
  /** OIDC issuer URL, for workload identity federated credentials. */
  readonly oidcIssuerUrl: string;
  /** Object ID of the kubelet identity, e.g. for AcrPull on the org's registry. */
  readonly kubeletObjectId: string;
  /** Client ID of the kubelet identity. */
  readonly kubeletClientId: string;
  /** Principal ID of the cluster's system-assigned identity (control plane). */
  readonly identityPrincipalId: string;
  /** Name of the AKS-managed node resource group. */
  readonly nodeResourceGroup: string;

  constructor(scope: Construct, id: string, props: AksClusterProps) {
    super(scope, id);
    this.validate(props);

    const tags = withSubmodule(props.tags, "aks-cluster");
    const userPools = props.userPools ?? [];
    const channel = props.automaticUpgradeChannel ?? "patch";
    const skuTier = props.skuTier ?? "Standard";
    const policy = props.network.networkPolicy ?? "cilium";
    const api = props.apiServer;
    const authorizedIpRanges = api.authorizedIpRanges ?? [];

    const networkProfile: KubernetesClusterNetworkProfile = {
      networkPlugin: "azure",
      networkPluginMode: "overlay",
      // Cilium policy only runs on the Cilium data plane, and the Cilium data plane only with it.
      networkDataPlane: policy === "cilium" ? "cilium" : "azure",
      networkPolicy: policy,
      podCidr: props.network.podCidr,
      serviceCidr: props.network.serviceCidr,
      dnsServiceIp: props.network.dnsServiceIp,
      loadBalancerSku: "standard",
      outboundType: props.network.outboundType ?? "loadBalancer",
      loadBalancerProfile:
        props.network.outboundIpAddressIds && props.network.outboundIpAddressIds.length > 0
          ? { outboundIpAddressIds: [...props.network.outboundIpAddressIds] }
          : undefined,
    };

    this.cluster = new KubernetesCluster(this, "cluster", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      dnsPrefix: props.dnsPrefix,
      kubernetesVersion: props.kubernetesVersion,
      skuTier,
      nodeResourceGroup: props.nodeResourceGroupName,
      // Omitting the channel is how the provider spells "none".
      automaticUpgradeChannel: channel === "none" ? undefined : channel,
      nodeOsUpgradeChannel: props.nodeOsUpgradeChannel ?? "NodeImage",
      maintenanceWindowAutoUpgrade: maintenanceWindowBlock(props.maintenance.autoUpgrade),
      maintenanceWindowNodeOs: maintenanceWindowBlock(props.maintenance.nodeOs),

      identity: { type: "SystemAssigned" },
      localAccountDisabled: true,
      roleBasedAccessControlEnabled: true,
      azureActiveDirectoryRoleBasedAccessControl: {
        azureRbacEnabled: true,
        adminGroupObjectIds: [...props.entra.adminGroupObjectIds],
        tenantId: props.entra.tenantId,
      },
      oidcIssuerEnabled: true,
      workloadIdentityEnabled: true,
      azurePolicyEnabled: true,
      runCommandEnabled: false,
      imageCleanerEnabled: true,
      imageCleanerIntervalHours: props.imageCleanerIntervalHours ?? 48,
      costAnalysisEnabled: props.costAnalysis ?? skuTier !== "Free",

      privateClusterEnabled: api.privateCluster ?? false,
      apiServerAccessProfile:
        authorizedIpRanges.length > 0 ? { authorizedIpRanges: [...authorizedIpRanges] } : undefined,

      networkProfile,
      defaultNodePool: {
        ...poolSettings(props.systemPool, props.kubernetesVersion, tags),
        type: "VirtualMachineScaleSets",
        onlyCriticalAddonsEnabled: true,
        temporaryNameForRotation:
          props.systemPool.temporaryNameForRotation ?? defaultRotationName(props.systemPool.name),
      },

      omsAgent: { logAnalyticsWorkspaceId: props.logAnalyticsWorkspaceId, msiAuthForMonitoringEnabled: true },
      keyVaultSecretsProvider: {
        secretRotationEnabled: true,
        secretRotationInterval: props.secretRotationInterval ?? "2m",
      },
      monitorMetrics: props.managedPrometheus === true ? {} : undefined,

      tags,
      lifecycle: statefulLifecycle({ ignoreChanges: ["default_node_pool[0].node_count"] }),
    });

    const pools: Record<string, KubernetesClusterNodePool> = {};
    for (const spec of userPools) {
      pools[spec.name] = new KubernetesClusterNodePool(this, `pool-${spec.name}`, {
        ...poolSettings(spec, props.kubernetesVersion, tags),
        kubernetesClusterId: this.cluster.id,
        mode: "User",
        osType: "Linux",
        nodeTaints: spec.taints ? [...spec.taints] : undefined,
        temporaryNameForRotation: spec.temporaryNameForRotation ?? defaultRotationName(spec.name),
        lifecycle: { ignoreChanges: ["node_count"] },
      });
    }
    this.nodePools = pools;

    this.id = this.cluster.id;
    this.name = this.cluster.name;
    this.oidcIssuerUrl = this.cluster.oidcIssuerUrl;
    this.kubeletObjectId = this.cluster.kubeletIdentity.objectId;
    this.kubeletClientId = this.cluster.kubeletIdentity.clientId;
    this.identityPrincipalId = this.cluster.identity.principalId;
    this.nodeResourceGroup = this.cluster.nodeResourceGroup;
  }

  private validate(props: AksClusterProps): void {
    const problems: string[] = [];
    const resolved = (value: unknown): boolean => !Token.isUnresolved(value);

    if (resolved(props.name)) {
      const p = checkName(NAMING_RULES.aksCluster, props.name);
      if (p) problems.push(p);
    }
    if (resolved(props.dnsPrefix)) {
      const p = checkName(NAMING_RULES.aksDnsPrefix, props.dnsPrefix);
      if (p) problems.push(`dnsPrefix: ${p}`);
    }
    if (props.nodeResourceGroupName !== undefined) {
      if (resolved(props.nodeResourceGroupName)) {
        const p = checkName(NAMING_RULES.resourceGroup, props.nodeResourceGroupName);
        if (p) problems.push(`nodeResourceGroupName: ${p}`);
      }
    } else if (resolved(props.resourceGroupName) && resolved(props.name) && resolved(props.location)) {
      // AKS normalises the region to its short form in this name.
      const location = props.location.toLowerCase().replace(/\s+/g, "");
      const derived = `MC_${props.resourceGroupName}_${props.name}_${location}`;
      const p = checkName(NAMING_RULES.aksNodeResourceGroup, derived);
      if (p) problems.push(`the node resource group AKS would derive: ${p}. Set nodeResourceGroupName.`);
    }

    // Pools: names unique across the cluster, rotation names clash with no pool.
    const pools = [props.systemPool, ...(props.userPools ?? [])];
    problems.push(...nodePoolProblems(props.systemPool, true));
    for (const pool of props.userPools ?? []) problems.push(...nodePoolProblems(pool, false));
    problems.push(...poolNameProblems(pools.map((p) => p.name)).map((p) => p.message));
    const poolNames = new Set(pools.map((p) => p.name));
    const rotationNames = new Set<string>();
    for (const pool of pools) {
      const rotation = pool.temporaryNameForRotation ?? defaultRotationName(pool.name);
      if (poolNames.has(rotation) || rotationNames.has(rotation)) {
        problems.push(
          `pool "${pool.name}": rotation name "${rotation}" clashes with another pool or rotation name; ` +
            "set temporaryNameForRotation",
        );
      }
      rotationNames.add(rotation);
    }

    // Versions and channels.
    const channel = props.automaticUpgradeChannel ?? "patch";
    const version = props.kubernetesVersion;
    if (version !== undefined && resolved(version)) {
      if (channel === "stable" || channel === "rapid") {
        problems.push(
          `kubernetesVersion "${version}" conflicts with automaticUpgradeChannel "${channel}": AKS moves the ` +
            "minor version and the next plan would try to move it back. Leave kubernetesVersion unset.",
        );
      } else if (channel === "patch" && !MINOR_VERSION.test(version)) {
        problems.push(
          `kubernetesVersion "${version}" must be a minor version such as "1.33" with channel "patch", ` +
            "or the patch upgrades show up as drift",
        );
      } else if (!MINOR_VERSION.test(version) && !PATCH_VERSION.test(version)) {
        problems.push(`kubernetesVersion "${version}" must look like "1.33" or "1.33.2"`);
      }
      const [major, minor] = version.split(".").map(Number);
      if (major === 1 && minor !== undefined && minor < OLDEST_MINOR) {
        problems.push(
          `kubernetesVersion "${version}" is older than 1.${OLDEST_MINOR}: below it the AzureLinux OS SKU means ` +
            "Azure Linux 2.0, which no longer gets security updates",
        );
      }
    }
    const osChannel = props.nodeOsUpgradeChannel ?? "NodeImage";
    if (channel === "node-image" && osChannel !== "NodeImage") {
      problems.push(
        `automaticUpgradeChannel "node-image" requires nodeOsUpgradeChannel "NodeImage" (got "${osChannel}")`,
      );
    }
    problems.push(...maintenanceWindowProblems("maintenance.autoUpgrade", props.maintenance.autoUpgrade));
    problems.push(...maintenanceWindowProblems("maintenance.nodeOs", props.maintenance.nodeOs));

    // Identity.
    const admins = props.entra.adminGroupObjectIds;
    if (resolved(admins)) {
      if (admins.length === 0) {
        problems.push(
          "entra.adminGroupObjectIds is empty; with local accounts disabled nobody could administer the cluster",
        );
      }
      for (const group of admins) {
        if (resolved(group) && !GUID.test(group)) {
          problems.push(`entra.adminGroupObjectIds: "${group}" is not an object ID (GUID)`);
        }
      }
    }
    const tenant = props.entra.tenantId;
    if (tenant !== undefined && resolved(tenant) && !GUID.test(tenant)) {
      problems.push(`entra.tenantId "${tenant}" is not a tenant ID (GUID)`);
    }

    // API server exposure.
    for (const p of apiServerProblems(props.apiServer, Token.isUnresolved)) {
      problems.push(`apiServer: ${p.message}; ${p.fix}`);
    }

    // Network.
    problems.push(...networkProblems(props.network));
    const interval = props.secretRotationInterval;
    if (interval !== undefined && resolved(interval) && !DURATION.test(interval)) {
      problems.push(`secretRotationInterval "${interval}" must be a duration such as "2m", "30s" or "1h"`);
    }
    const hours = props.imageCleanerIntervalHours;
    if (hours !== undefined && resolved(hours) && (!Number.isInteger(hours) || hours < 24 || hours > 2160)) {
      problems.push(`imageCleanerIntervalHours ${hours} must be a whole number from 24 to 2160`);
    }
    if (props.costAnalysis === true && (props.skuTier ?? "Standard") === "Free") {
      problems.push('costAnalysis needs skuTier "Standard" or "Premium"');
    }

    if (problems.length > 0) {
      throw new ConstructValidationError(this.node.path, problems.join("; "));
    }
  }
}

/** Settings shared by the default pool and user pools. */
function poolSettings(
  spec: NodePoolSpec,
  kubernetesVersion: string | undefined,
  tags: Tags,
): KubernetesClusterDefaultNodePool {
  const zones = spec.zones ?? ["1", "2", "3"];
  return {
    name: spec.name,
    vmSize: spec.vmSize,
    vnetSubnetId: spec.vnetSubnetId,
    zones: zones.length > 0 ? [...zones] : undefined,
    osSku: "AzureLinux",
    osDiskType: spec.osDiskType ?? "Managed",
    osDiskSizeGb: spec.osDiskSizeGb,
    // Temp disks and OS/data disk caches encrypted on the VM host. Needs the subscription feature
    // Microsoft.Compute/EncryptionAtHost, which the bootstrap stack registers. Not ForceNew in
    // azurerm v4.55.0: a change cycles the pool through temporary_name_for_rotation
    // (internal/services/containers/kubernetes_cluster_resource.go and
    // kubernetes_cluster_node_pool_resource.go, cycleNodePoolProperties).
    hostEncryptionEnabled: true,
    maxPods: spec.maxPods ?? 110,
    autoScalingEnabled: true,
    minCount: spec.minCount,
    maxCount: spec.maxCount,
    orchestratorVersion: kubernetesVersion,
    nodeLabels: spec.labels ? { ...spec.labels } : undefined,
    upgradeSettings: { maxSurge: spec.maxSurge ?? "10%" },
    tags: { ...tags },
  };
}

function networkProblems(network: AksClusterNetworkSpec): string[] {
  const problems: string[] = [];
  const parse = (field: string, value: string): Address4 | undefined => {
    if (Token.isUnresolved(value)) return undefined;
    const parsed = parseIpv4Cidr(value);
    if (!parsed.ok) {
      problems.push(`network.${field}: ${parsed.problem}`);
      return undefined;
    }
    return parsed.cidr;
  };
  const pod = parse("podCidr", network.podCidr);
  const service = parse("serviceCidr", network.serviceCidr);
  if (service && service.subnetMask < 12) {
    problems.push(`network.serviceCidr ${network.serviceCidr} is larger than /12, which AKS rejects`);
  }
  if (pod && service && cidrsOverlap(pod, service)) {
    problems.push(`network.podCidr ${network.podCidr} overlaps network.serviceCidr ${network.serviceCidr}`);
  }
  for (const reserved of AKS_RESERVED_RANGES) {
    const range = parseIpv4Cidr(reserved);
    if (!range.ok) continue;
    if (pod && cidrsOverlap(pod, range.cidr))
      problems.push(`network.podCidr overlaps AKS-reserved ${reserved}`);
    if (service && cidrsOverlap(service, range.cidr)) {
      problems.push(`network.serviceCidr overlaps AKS-reserved ${reserved}`);
    }
  }

  if (!Token.isUnresolved(network.dnsServiceIp)) {
    const dns = parseIpv4Address(network.dnsServiceIp);
    if (dns === undefined) {
      problems.push(`network.dnsServiceIp "${network.dnsServiceIp}" is not an IPv4 address`);
    } else if (service) {
      const first = service.startAddress().correctForm();
      const kubernetesService = service.startAddress().bigInt() + 1n;
      if (!cidrContains(service, dns)) {
        problems.push(
          `network.dnsServiceIp ${network.dnsServiceIp} is outside serviceCidr ${network.serviceCidr}`,
        );
      } else if (dns.correctForm() === first || dns.bigInt() === kubernetesService) {
        problems.push(
          `network.dnsServiceIp ${network.dnsServiceIp} is the network address or the kubernetes API service ` +
            "address of serviceCidr; use e.g. the .10 address",
        );
      }
    }
  }

  const outboundIds = network.outboundIpAddressIds;
  if (
    outboundIds !== undefined &&
    outboundIds.length > 0 &&
    (network.outboundType ?? "loadBalancer") !== "loadBalancer"
  ) {
    problems.push('network.outboundIpAddressIds only applies with outboundType "loadBalancer"');
  }
  return problems;
}
