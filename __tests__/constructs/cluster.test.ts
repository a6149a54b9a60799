import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { KubernetesClusterNodePool } from "@cdktf/provider-azurerm/lib/kubernetes-cluster-node-pool";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformOutput, TerraformStack, Token } from "cdktf";
import {
  AksCluster,
  type AksClusterProps,
  defaultRotationName,
  type MaintenanceWindowSpec,
  type NodePoolSpec,
} from "../../constructs/cluster";
import { ConstructValidationError } from "../../constructs/common";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };
const ADMIN_GROUP = "5b7c1f4e-2a3d-4e5f-8a9b-0c1d2e3f4a5b";
const SYS_SUBNET =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/sys";
const WORK_SUBNET =
  "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/work";

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

const weekly = (dayOfWeek: MaintenanceWindowSpec["dayOfWeek"]): MaintenanceWindowSpec => ({
  frequency: "Weekly",
  dayOfWeek,
  startTime: "23:30",
  durationHours: 5,
});

const systemPool: NodePoolSpec = {
  name: "syspool",
  vmSize: "Standard_D2s_v5",
  minCount: 1,
  maxCount: 6,
  vnetSubnetId: SYS_SUBNET,
};
const workPool: NodePoolSpec = {
  name: "workpool",
  vmSize: "Standard_D4s_v5",
  minCount: 0,
  maxCount: 6,
  vnetSubnetId: WORK_SUBNET,
};

function clusterProps(overrides: Partial<AksClusterProps> = {}): AksClusterProps {
  return {
    name: "ttd-at22-aks",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    dnsPrefix: "ttd-at22",
    kubernetesVersion: "1.33",
    systemPool,
    userPools: [workPool],
    network: { podCidr: "10.240.0.0/16", serviceCidr: "10.250.0.0/24", dnsServiceIp: "10.250.0.10" },
    entra: { adminGroupObjectIds: [ADMIN_GROUP] },
    logAnalyticsWorkspaceId:
      "/subscriptions/0000/resourceGroups/m/providers/Microsoft.OperationalInsights/workspaces/w",
    maintenance: { autoUpgrade: weekly("Monday"), nodeOs: weekly("Tuesday") },
    apiServer: { authorizedIpRanges: ["203.0.113.0/24"] },
    tags: TAGS,
    ...overrides,
  };
}

function synthCluster(props: AksClusterProps = clusterProps()) {
  const stack = newStack();
  const cluster = new AksCluster(stack, "aks", props);
  return { stack, cluster, synth: synthStack(stack) };
}

function clusterResource(props?: AksClusterProps): Record<string, unknown> {
  return onlyResource(synthCluster(props).synth, KubernetesCluster.tfResourceType);
}

function defaultPool(props?: AksClusterProps): Record<string, unknown> {
  return clusterResource(props).default_node_pool as Record<string, unknown>;
}

function failsWith(props: AksClusterProps, message: RegExp): void {
  expect(() => new AksCluster(newStack(), "aks", props)).toThrow(ConstructValidationError);
  expect(() => new AksCluster(newStack(), "aks", props)).toThrow(message);
}

describe("AksCluster", () => {
  describe("fixed hardening", () => {
    test("disables local accounts and uses Entra ID with Azure RBAC", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        local_account_disabled: true,
        role_based_access_control_enabled: true,
        azure_active_directory_role_based_access_control: expect.objectContaining({
          azure_rbac_enabled: true,
          admin_group_object_ids: [ADMIN_GROUP],
        }),
      });
    });

    test("enables the OIDC issuer and workload identity with a system-assigned identity", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        oidc_issuer_enabled: true,
        workload_identity_enabled: true,
        identity: { type: "SystemAssigned" },
      });
    });

    test("enables Azure Policy and Image Cleaner and disables run-command", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        azure_policy_enabled: true,
        image_cleaner_enabled: true,
        image_cleaner_interval_hours: 48,
        run_command_enabled: false,
      });
    });

    test("sends Container Insights with managed identity", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        oms_agent: {
          log_analytics_workspace_id: clusterProps().logAnalyticsWorkspaceId,
          msi_auth_for_monitoring_enabled: true,
        },
      });
    });

    test("turns on Key Vault secret rotation every 2 minutes", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        key_vault_secrets_provider: { secret_rotation_enabled: true, secret_rotation_interval: "2m" },
      });
    });

    test("uses Azure CNI Overlay with a standard load balancer", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        network_profile: expect.objectContaining({
          network_plugin: "azure",
          network_plugin_mode: "overlay",
          load_balancer_sku: "standard",
          outbound_type: "loadBalancer",
          pod_cidr: "10.240.0.0/16",
          service_cidr: "10.250.0.0/24",
          dns_service_ip: "10.250.0.10",
        }),
      });
    });

    test("carries prevent_destroy and ignores the autoscaled node count", () => {
      expect(clusterResource().lifecycle).toEqual({
        prevent_destroy: true,
        ignore_changes: ["default_node_pool[0].node_count"],
      });
    });

    test("tags the cluster and its default pool", () => {
      const cluster = clusterResource();
      expect(cluster.tags).toEqual({ ...TAGS, submodule: "aks-cluster" });
      expect((cluster.default_node_pool as Record<string, unknown>).tags).toEqual({
        ...TAGS,
        submodule: "aks-cluster",
      });
    });
  });

  describe("network policy", () => {
    test("defaults to Cilium on the Cilium data plane", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        network_profile: expect.objectContaining({ network_policy: "cilium", network_data_plane: "cilium" }),
      });
    });

    test.each(["azure", "calico"] as const)("runs %s policy on the Azure data plane", (policy) => {
      const props = clusterProps({ network: { ...clusterProps().network, networkPolicy: policy } });
      expect(synthCluster(props).synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        network_profile: expect.objectContaining({ network_policy: policy, network_data_plane: "azure" }),
      });
    });

    test("routes egress through the given public IPs", () => {
      const props = clusterProps({
        network: { ...clusterProps().network, outboundIpAddressIds: ["/pip/egress"] },
      });
      expect(synthCluster(props).synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        network_profile: expect.objectContaining({
          load_balancer_profile: { outbound_ip_address_ids: ["/pip/egress"] },
        }),
      });
    });
  });

  describe("system pool", () => {
    test("runs only critical add-ons on Azure Linux and autoscales without a node count", () => {
      const pool = defaultPool();
      expect(pool).toEqual(
        expect.objectContaining({
          name: "syspool",
          vm_size: "Standard_D2s_v5",
          only_critical_addons_enabled: true,
          os_sku: "AzureLinux",
          auto_scaling_enabled: true,
          min_count: 1,
          max_count: 6,
          vnet_subnet_id: SYS_SUBNET,
          type: "VirtualMachineScaleSets",
        }),
      );
      expect(pool.node_count).toBeUndefined();
    });

    test("defaults to three zones, 110 pods, managed OS disks and a 10% surge", () => {
      expect(defaultPool()).toEqual(
        expect.objectContaining({
          zones: ["1", "2", "3"],
          max_pods: 110,
          os_disk_type: "Managed",
          upgrade_settings: { max_surge: "10%" },
          orchestrator_version: "1.33",
        }),
      );
    });

    test("rotates through a temporary pool named after it", () => {
      expect(defaultPool().temporary_name_for_rotation).toBe("syspooltmp");
    });

    test("takes pool overrides", () => {
      const props = clusterProps({
        systemPool: {
          ...systemPool,
          maxPods: 200,
          osDiskType: "Ephemeral",
          osDiskSizeGb: 64,
          maxSurge: "1",
          labels: { tier: "system" },
        },
      });
      expect(defaultPool(props)).toEqual(
        expect.objectContaining({
          max_pods: 200,
          os_disk_type: "Ephemeral",
          os_disk_size_gb: 64,
          upgrade_settings: { max_surge: "1" },
          node_labels: { tier: "system" },
        }),
      );
    });
  });

  describe("user pools", () => {
    test("creates one node pool per user pool, on Azure Linux, autoscaled", () => {
      const { synth } = synthCluster();
      expect(Object.keys(resourcesOf(synth, KubernetesClusterNodePool.tfResourceType))).toEqual([
        expect.stringMatching(/^aks_pool-workpool_[0-9A-F]+$/),
      ]);
      expect(synth.json).toHaveResourceWithProperties(KubernetesClusterNodePool, {
        name: "workpool",
        mode: "User",
        os_type: "Linux",
        os_sku: "AzureLinux",
        auto_scaling_enabled: true,
        min_count: 0,
        max_count: 6,
        zones: ["1", "2", "3"],
        max_pods: 110,
        vnet_subnet_id: WORK_SUBNET,
        upgrade_settings: { max_surge: "10%" },
        temporary_name_for_rotation: "workpooltmp",
        orchestrator_version: "1.33",
        kubernetes_cluster_id: expect.stringMatching(
          /^\$\{azurerm_kubernetes_cluster\.aks_cluster_[0-9A-F]+\.id\}$/,
        ),
      });
    });

    test("ignores the autoscaled node count of user pools", () => {
      const pool = onlyResource(synthCluster().synth, KubernetesClusterNodePool.tfResourceType);
      expect(pool.node_count).toBeUndefined();
      expect(pool.lifecycle).toEqual({ ignore_changes: ["node_count"] });
    });

    test("applies labels and taints", () => {
      const props = clusterProps({
        userPools: [{ ...workPool, labels: { workload: "apps" }, taints: ["workload=apps:NoSchedule"] }],
      });
      expect(synthCluster(props).synth.json).toHaveResourceWithProperties(KubernetesClusterNodePool, {
        node_labels: { workload: "apps" },
        node_taints: ["workload=apps:NoSchedule"],
      });
    });

    test("are optional", () => {
      const { synth } = synthCluster(clusterProps({ userPools: undefined }));
      expect(resourcesOf(synth, KubernetesClusterNodePool.tfResourceType)).toEqual({});
    });
  });

  describe("upgrades", () => {
    test("defaults to the patch channel and NodeImage node OS channel with both windows", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        automatic_upgrade_channel: "patch",
        node_os_upgrade_channel: "NodeImage",
        maintenance_window_auto_upgrade: {
          frequency: "Weekly",
          interval: 1,
          day_of_week: "Monday",
          start_time: "23:30",
          duration: 5,
          utc_offset: "+00:00",
        },
        maintenance_window_node_os: expect.objectContaining({ day_of_week: "Tuesday", duration: 5 }),
      });
    });

    test("leaves the channel out for 'none', which is how the provider spells it", () => {
      const cluster = clusterResource(
        clusterProps({ automaticUpgradeChannel: "none", kubernetesVersion: "1.33.2" }),
      );
      expect(cluster.automatic_upgrade_channel).toBeUndefined();
      expect(cluster.kubernetes_version).toBe("1.33.2");
    });

    test("renders a daily window without a day", () => {
      const props = clusterProps({
        maintenance: {
          autoUpgrade: weekly("Monday"),
          nodeOs: {
            frequency: "Daily",
            startTime: "01:00",
            durationHours: 4,
            utcOffset: "+01:00",
            interval: 2,
          },
        },
      });
      expect(synthCluster(props).synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        maintenance_window_node_os: {
          frequency: "Daily",
          interval: 2,
          start_time: "01:00",
          duration: 4,
          utc_offset: "+01:00",
        },
      });
    });
  });

  describe("API server", () => {
    test("restricts the public API server to the authorized ranges", () => {
      const cluster = clusterResource();
      expect(cluster.api_server_access_profile).toEqual({ authorized_ip_ranges: ["203.0.113.0/24"] });
      expect(cluster.private_cluster_enabled).toBe(false);
    });

    test("makes the cluster private on request", () => {
      const cluster = clusterResource(clusterProps({ apiServer: { privateCluster: true } }));
      expect(cluster.private_cluster_enabled).toBe(true);
      expect(cluster.api_server_access_profile).toBeUndefined();
    });

    test("accepts an open API server only when asked explicitly", () => {
      const cluster = clusterResource(clusterProps({ apiServer: { allowPublicApiServer: true } }));
      expect(cluster.api_server_access_profile).toBeUndefined();
    });
  });

  describe("tier and add-ons", () => {
    test("defaults to the Standard tier with cost analysis", () => {
      expect(synthCluster().synth.json).toHaveResourceWithProperties(KubernetesCluster, {
        sku_tier: "Standard",
        cost_analysis_enabled: true,
      });
    });

    test("turns cost analysis off on the Free tier", () => {
      expect(clusterResource(clusterProps({ skuTier: "Free" })).cost_analysis_enabled).toBe(false);
    });

    test("enables managed Prometheus on request only", () => {
      expect(clusterResource().monitor_metrics).toBeUndefined();
      expect(clusterResource(clusterProps({ managedPrometheus: true })).monitor_metrics).toEqual({});
    });

    test("sets the node resource group name when given", () => {
      expect(
        clusterResource(clusterProps({ nodeResourceGroupName: "ttd-at22-aks-nodes-rg" })).node_resource_group,
      ).toBe("ttd-at22-aks-nodes-rg");
    });
  });

  test("exposes identities and the issuer as references to the cluster", () => {
    const stack = newStack();
    const cluster = new AksCluster(stack, "aks", clusterProps());
    new TerraformOutput(stack, "kubelet", { value: cluster.kubeletObjectId });
    new TerraformOutput(stack, "principal", { value: cluster.identityPrincipalId });
    new TerraformOutput(stack, "issuer", { value: cluster.oidcIssuerUrl });
    new TerraformOutput(stack, "nodes", { value: cluster.nodeResourceGroup });
    const outputs = synthStack(stack).parsed.output ?? {};
    const ref = /^\$\{azurerm_kubernetes_cluster\.aks_cluster_[0-9A-F]+\./;
    expect(outputs.kubelet?.value).toMatch(
      new RegExp(`${ref.source}kubelet_identity\\[0\\]\\.object_id\\}$`),
    );
    expect(outputs.principal?.value).toMatch(new RegExp(`${ref.source}identity\\[0\\]\\.principal_id\\}$`));
    expect(outputs.issuer?.value).toMatch(new RegExp(`${ref.source}oidc_issuer_url\\}$`));
    expect(outputs.nodes?.value).toMatch(new RegExp(`${ref.source}node_resource_group\\}$`));
    expect(Token.isUnresolved(cluster.id)).toBe(true);
  });

  describe("defaultRotationName", () => {
    test("truncates to fit twelve characters", () => {
      expect(defaultRotationName("abcdefghijkl")).toBe("abcdefghitmp");
    });

    test("never returns the pool's own name", () => {
      expect(defaultRotationName("abcdefghitmp")).toBe("abcdefghirot");
    });
  });

  describe("validation", () => {
    test("fails if no admin group is given", () => {
      failsWith(clusterProps({ entra: { adminGroupObjectIds: [] } }), /adminGroupObjectIds is empty/);
    });

    test("fails if an admin group is not an object ID", () => {
      failsWith(clusterProps({ entra: { adminGroupObjectIds: ["platform-admins"] } }), /not an object ID/);
    });

    test("fails if the tenant ID is not a GUID", () => {
      failsWith(
        clusterProps({ entra: { adminGroupObjectIds: [ADMIN_GROUP], tenantId: "digdir" } }),
        /tenantId/,
      );
    });

    test("fails if the API server would be open without an explicit opt-in", () => {
      failsWith(clusterProps({ apiServer: {} }), /allowPublicApiServer/);
      failsWith(clusterProps({ apiServer: { authorizedIpRanges: [] } }), /allowPublicApiServer/);
    });

    test("fails if authorized ranges are combined with a private cluster", () => {
      failsWith(
        clusterProps({ apiServer: { privateCluster: true, authorizedIpRanges: ["203.0.113.0/24"] } }),
        /cannot be combined with privateCluster/,
      );
    });

    test("fails if an authorized range is not a CIDR", () => {
      failsWith(clusterProps({ apiServer: { authorizedIpRanges: ["203.0.113.7"] } }), /no prefix length/);
    });

    test("fails if there are more than 200 authorized ranges", () => {
      const ranges = Array.from({ length: 201 }, (_, i) => `198.${Math.floor(i / 256)}.${i % 256}.0/24`);
      failsWith(clusterProps({ apiServer: { authorizedIpRanges: ranges } }), /AKS allows 200/);
    });

    test("fails if a pool name breaks the AKS rule", () => {
      failsWith(
        clusterProps({ systemPool: { ...systemPool, name: "SysPool" } }),
        /AKS node pool names allow/,
      );
      failsWith(clusterProps({ userPools: [{ ...workPool, name: "workpool12345" }] }), /1-12 characters/);
    });

    test("fails if pool names repeat", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, name: "syspool" }] }), /"syspool" is used twice/);
    });

    test("fails if a rotation name clashes with a pool", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, name: "syspooltmp" }] }), /clashes/);
    });

    test("fails if the system pool could scale to zero", () => {
      failsWith(clusterProps({ systemPool: { ...systemPool, minCount: 0 } }), /at least 1/);
    });

    test("fails if a pool's minimum exceeds its maximum", () => {
      failsWith(
        clusterProps({ userPools: [{ ...workPool, minCount: 7 }] }),
        /minCount 7 is greater than maxCount 6/,
      );
    });

    test("fails if maxCount is out of range", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, maxCount: 1001 }] }), /between 1 and 1000/);
    });

    test("fails if maxPods is out of the overlay range", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, maxPods: 300 }] }), /maxPods 300/);
    });

    test("fails if the OS disk size is out of range", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, osDiskSizeGb: 20 }] }), /osDiskSizeGb 20/);
    });

    test("fails if maxSurge is malformed", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, maxSurge: "150%" }] }), /maxSurge "150%"/);
      failsWith(clusterProps({ userPools: [{ ...workPool, maxSurge: "0" }] }), /maxSurge "0"/);
    });

    test("fails if a taint is malformed", () => {
      failsWith(
        clusterProps({ userPools: [{ ...workPool, taints: ["workload=apps"] }] }),
        /taint "workload=apps"/,
      );
    });

    test("fails if the system pool has taints", () => {
      failsWith(
        clusterProps({ systemPool: { ...systemPool, taints: ["a=b:NoSchedule"] } }),
        /not supported on the system pool/,
      );
    });

    test("fails if a pool lists a zone twice", () => {
      failsWith(clusterProps({ userPools: [{ ...workPool, zones: ["1", "1"] }] }), /twice/);
    });

    test("fails if the cluster name breaks Azure's rule", () => {
      failsWith(clusterProps({ name: "ttd.at22" }), /AKS cluster names allow/);
    });

    test("fails if the DNS prefix breaks the AKS rule", () => {
      failsWith(clusterProps({ dnsPrefix: "ttd-" }), /dnsPrefix/);
      failsWith(clusterProps({ dnsPrefix: "a".repeat(55) }), /1-54 characters/);
    });

    test("fails if the derived node resource group name exceeds 80 characters", () => {
      failsWith(
        clusterProps({ resourceGroupName: `altinnapps-${"x".repeat(40)}-rg`, name: `${"y".repeat(20)}-aks` }),
        /Set nodeResourceGroupName/,
      );
    });

    test("fails if a maintenance window is shorter than four hours", () => {
      failsWith(
        clusterProps({
          maintenance: { autoUpgrade: { ...weekly("Monday"), durationHours: 3 }, nodeOs: weekly("Tuesday") },
        }),
        /maintenance\.autoUpgrade: durationHours 3/,
      );
    });

    test("fails if a weekly window has no day or a daily one has a day", () => {
      failsWith(
        clusterProps({ maintenance: { autoUpgrade: weekly(undefined), nodeOs: weekly("Tuesday") } }),
        /needs dayOfWeek/,
      );
      failsWith(
        clusterProps({
          maintenance: {
            autoUpgrade: weekly("Monday"),
            nodeOs: { ...weekly("Tuesday"), frequency: "Daily" },
          },
        }),
        /must not set dayOfWeek/,
      );
    });

    test("fails if a window's start time or offset is malformed", () => {
      failsWith(
        clusterProps({
          maintenance: {
            autoUpgrade: { ...weekly("Monday"), startTime: "24:00" },
            nodeOs: weekly("Tuesday"),
          },
        }),
        /startTime "24:00"/,
      );
      failsWith(
        clusterProps({
          maintenance: {
            autoUpgrade: { ...weekly("Monday"), utcOffset: "01:00" },
            nodeOs: weekly("Tuesday"),
          },
        }),
        /utcOffset "01:00"/,
      );
    });

    test("fails if a window's interval is below one", () => {
      failsWith(
        clusterProps({
          maintenance: { autoUpgrade: { ...weekly("Monday"), interval: 0 }, nodeOs: weekly("Tuesday") },
        }),
        /interval 0/,
      );
    });

    test("fails if a full patch version is pinned on the patch channel", () => {
      failsWith(clusterProps({ kubernetesVersion: "1.33.2" }), /must be a minor version/);
    });

    test("fails if a version is pinned on a channel that moves minor versions", () => {
      failsWith(clusterProps({ automaticUpgradeChannel: "stable" }), /Leave kubernetesVersion unset/);
    });

    test("fails if the version predates Azure Linux 3.0 nodes", () => {
      failsWith(clusterProps({ kubernetesVersion: "1.31" }), /Azure Linux 2\.0/);
    });

    test("fails if the node-image channel is combined with another node OS channel", () => {
      failsWith(
        clusterProps({ automaticUpgradeChannel: "node-image", nodeOsUpgradeChannel: "SecurityPatch" }),
        /requires nodeOsUpgradeChannel "NodeImage"/,
      );
    });

    test("fails if the pod or service CIDR is malformed", () => {
      failsWith(
        clusterProps({ network: { ...clusterProps().network, podCidr: "10.240.0.0" } }),
        /network\.podCidr/,
      );
      failsWith(
        clusterProps({ network: { ...clusterProps().network, serviceCidr: "10.250.0.1/24" } }),
        /network\.serviceCidr/,
      );
    });

    test("fails if the service CIDR is larger than /12", () => {
      failsWith(
        clusterProps({
          network: { podCidr: "10.240.0.0/16", serviceCidr: "100.0.0.0/11", dnsServiceIp: "100.0.0.10" },
        }),
        /larger than \/12/,
      );
    });

    test("fails if pod and service ranges overlap", () => {
      failsWith(
        clusterProps({
          network: { podCidr: "10.240.0.0/12", serviceCidr: "10.250.0.0/24", dnsServiceIp: "10.250.0.10" },
        }),
        /overlaps network\.serviceCidr/,
      );
    });

    test("fails if a range overlaps one AKS reserves", () => {
      failsWith(
        clusterProps({ network: { ...clusterProps().network, podCidr: "172.30.0.0/16" } }),
        /AKS-reserved 172\.30\.0\.0\/16/,
      );
    });

    test("fails if the DNS service address is outside the service range or reserved", () => {
      failsWith(
        clusterProps({ network: { ...clusterProps().network, dnsServiceIp: "10.251.0.10" } }),
        /outside serviceCidr/,
      );
      failsWith(
        clusterProps({ network: { ...clusterProps().network, dnsServiceIp: "10.250.0.1" } }),
        /kubernetes API service/,
      );
      failsWith(
        clusterProps({ network: { ...clusterProps().network, dnsServiceIp: "10.250.0" } }),
        /not an IPv4 address/,
      );
    });

    test("fails if egress IPs are given without a load balancer egress", () => {
      failsWith(
        clusterProps({
          network: {
            ...clusterProps().network,
            outboundType: "userDefinedRouting",
            outboundIpAddressIds: ["/pip"],
          },
        }),
        /only applies with outboundType "loadBalancer"/,
      );
    });

    test("fails if the secret rotation interval is malformed", () => {
      failsWith(clusterProps({ secretRotationInterval: "2 minutes" }), /secretRotationInterval/);
    });

    test("fails if the image cleaner interval is out of range", () => {
      failsWith(clusterProps({ imageCleanerIntervalHours: 12 }), /imageCleanerIntervalHours 12/);
    });

    test("fails if cost analysis is requested on the Free tier", () => {
      failsWith(clusterProps({ skuTier: "Free", costAnalysis: true }), /costAnalysis needs/);
    });

    test("reports every problem at once", () => {
      failsWith(
        clusterProps({ dnsPrefix: "ttd-", entra: { adminGroupObjectIds: [] } }),
        /dnsPrefix.*; entra\.adminGroupObjectIds is empty/,
      );
    });
  });
});
