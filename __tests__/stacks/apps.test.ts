import { KubernetesCluster } from "@cdktf/provider-azurerm/lib/kubernetes-cluster";
import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { Release } from "@cdktf/provider-helm/lib/release";
import { resourcesOf, type SynthesizedStack } from "../../testing";
import { committedFleet, synthFleetStacks } from "../../testing/fleet-synth";

const stacks = synthFleetStacks(["org-ttd", "apps-ttd-tt02", "apps-ttd-tt02-k8s", "apps-brg-prod"]);
const orgTtd = stacks.get("org-ttd")!;
const apps = stacks.get("apps-ttd-tt02")!;
const k8s = stacks.get("apps-ttd-tt02-k8s")!;
const prod = stacks.get("apps-brg-prod")!;

function allResources(s: SynthesizedStack): [string, string, Record<string, unknown>][] {
  return Object.entries(s.parsed.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(
      ([name, body]) => [type, name, body] as [string, string, Record<string, unknown>],
    ),
  );
}

describe("org-<org>", () => {
  test("holds the org's registry, named by Altinn's convention, without an admin user", () => {
    const acr = Object.values(resourcesOf(orgTtd, "azurerm_container_registry"));
    expect(acr).toHaveLength(1);
    expect(acr[0]).toMatchObject({ name: "ttdaltinnregistry01", admin_enabled: false, sku: "Premium" });
    expect(acr[0]).toMatchObject({ zone_redundancy_enabled: true, lifecycle: { prevent_destroy: true } });
  });

  test("keeps its state in the shared container", () => {
    expect(orgTtd.parsed.terraform?.backend).toEqual({
      azurerm: expect.objectContaining({ container_name: "tfstate-shared", key: "org-ttd.tfstate" }),
    });
  });
});

describe("apps-<org>-<env>", () => {
  test("Container Insights collects: a data collection rule to the workspace, associated with the cluster", () => {
    const cluster = Object.entries(resourcesOf(apps, "azurerm_kubernetes_cluster"));
    expect(cluster).toHaveLength(1);
    const [clusterKey, clusterBody] = cluster[0]!;
    // The agent sends with the cluster's managed identity, which only a rule gives a destination.
    expect(clusterBody.oms_agent).toMatchObject({ msi_auth_for_monitoring_enabled: true });
    const rules = Object.entries(resourcesOf(apps, "azurerm_monitor_data_collection_rule"));
    expect(rules).toHaveLength(1);
    const [ruleKey, rule] = rules[0]!;
    const workspace = Object.keys(resourcesOf(apps, "azurerm_log_analytics_workspace"))[0]!;
    expect(rule.destinations).toEqual({
      log_analytics: [
        { name: "workspace", workspace_resource_id: `\${azurerm_log_analytics_workspace.${workspace}.id}` },
      ],
    });
    expect(rule.data_flow).toEqual([
      { streams: ["Microsoft-ContainerInsights-Group-Default"], destinations: ["workspace"] },
    ]);
    // Behind the environment's private link scope the rule and the cluster use the scope's data
    // collection endpoint (Learn, kubernetes-monitoring-firewall).
    const endpoints = Object.keys(resourcesOf(apps, "azurerm_monitor_data_collection_endpoint"));
    expect(endpoints).toHaveLength(1);
    const endpointId = `\${azurerm_monitor_data_collection_endpoint.${endpoints[0]}.id}`;
    expect(rule.data_collection_endpoint_id).toBe(endpointId);
    const associations = Object.values(resourcesOf(apps, "azurerm_monitor_data_collection_rule_association"));
    expect(associations).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: "ContainerInsightsExtension",
          target_resource_id: `\${azurerm_kubernetes_cluster.${clusterKey}.id}`,
          data_collection_rule_id: `\${azurerm_monitor_data_collection_rule.${ruleKey}.id}`,
        }),
        expect.objectContaining({
          name: "configurationAccessEndpoint",
          target_resource_id: `\${azurerm_kubernetes_cluster.${clusterKey}.id}`,
          data_collection_endpoint_id: endpointId,
        }),
      ]),
    );
    expect(associations).toHaveLength(2);
  });

  test("names follow Altinn's conventions", () => {
    expect(apps.json).toHaveResourceWithProperties(StorageAccount, { name: "ttdaltinntt02strg01" });
    const rgs = Object.values(resourcesOf(apps, "azurerm_resource_group")).map((r) => r.name);
    expect(rgs.sort()).toEqual([
      "altinnapps-ttd-tt02-operators-rg",
      "altinnapps-ttd-tt02-rg",
      "monitor-ttd-tt02-rg",
    ]);
    expect(Object.values(resourcesOf(apps, "azurerm_log_analytics_workspace"))[0]!.name).toBe(
      "application-ttd-tt02-law",
    );
    expect(Object.values(resourcesOf(apps, "azurerm_application_insights"))[0]!.name).toBe("ttd-tt02-ai");
    expect(Object.values(resourcesOf(apps, "azurerm_dns_zone"))[0]!.name).toBe("ttd.apps.tt02.altinn.no");
    expect(Object.values(resourcesOf(apps, "azurerm_storage_container"))[0]!.name).toBe(
      "ttd-tt02-appsdata-blob-db",
    );
  });

  test("production is prod in every name and in the state key", () => {
    expect(prod.json).toHaveResourceWithProperties(StorageAccount, { name: "brgaltinnprodstrg01" });
    expect(prod.parsed.terraform?.backend).toEqual({
      azurerm: expect.objectContaining({ container_name: "tfstate-prod", key: "apps-brg-prod.tfstate" }),
    });
    expect(prod.json).not.toContain("production");
  });

  test("the cluster is hardened", () => {
    expect(apps.json).toHaveResourceWithProperties(KubernetesCluster, {
      name: "ttd-tt02-aks",
      dns_prefix: "ttd-tt02",
      local_account_disabled: true,
      oidc_issuer_enabled: true,
      workload_identity_enabled: true,
      automatic_upgrade_channel: "patch",
      node_os_upgrade_channel: "NodeImage",
      azure_active_directory_role_based_access_control: expect.objectContaining({ azure_rbac_enabled: true }),
      network_profile: expect.objectContaining({ network_plugin: "azure", network_plugin_mode: "overlay" }),
      key_vault_secrets_provider: expect.objectContaining({ secret_rotation_enabled: true }),
      oms_agent: expect.objectContaining({ msi_auth_for_monitoring_enabled: true }),
      api_server_access_profile: { authorized_ip_ranges: ["51.120.0.0/24"] },
    });
  });

  test("node pools come from the fleet settings and are left to the autoscaler", () => {
    const cluster = Object.values(resourcesOf(apps, "azurerm_kubernetes_cluster"))[0]!;
    const pool = cluster.default_node_pool as Record<string, unknown>;
    expect(pool).toMatchObject({
      name: "syspool",
      only_critical_addons_enabled: true,
      auto_scaling_enabled: true,
      min_count: 1,
      max_count: 3,
      os_sku: "AzureLinux",
      zones: ["1", "2", "3"],
      temporary_name_for_rotation: expect.any(String),
    });
    expect(pool.node_count).toBeUndefined();
    const user = Object.values(resourcesOf(apps, "azurerm_kubernetes_cluster_node_pool"))[0]!;
    expect(user).toMatchObject({ name: "workpool", min_count: 1, max_count: 6, auto_scaling_enabled: true });
    expect(user.node_count).toBeUndefined();
  });

  test("the network uses the cluster's block from the address plan", () => {
    const vnet = Object.values(resourcesOf(apps, "azurerm_virtual_network"))[0]!;
    const subnets = Object.values(resourcesOf(apps, "azurerm_subnet"));
    const [block] = vnet.address_space as string[];
    expect(block).toMatch(/^10\.\d+\.\d+\.0\/22$/);
    expect(subnets.map((s) => s.name).sort()).toEqual(["endpoints", "postgres", "syspool", "workpool"]);
    expect(Object.keys(resourcesOf(apps, "azurerm_network_security_group"))).toHaveLength(4);
    // The config-sync server's subnet: the service layout's postgres row, delegated to it.
    const postgres = subnets.find((s) => s.name === "postgres")!;
    const [, first, third] = /^(10\.\d+)\.(\d+)\.0\/22$/.exec(block!)!;
    expect(postgres.address_prefixes).toEqual([`${first}.${Number(third) + 3}.0/25`]);
    expect(postgres.delegation).toEqual([
      expect.objectContaining({
        service_delegation: expect.objectContaining({ name: "Microsoft.DBforPostgreSQL/flexibleServers" }),
      }),
    ]);
  });

  test("storage is hardened and zone-redundant in test, geo-zone-redundant in prod", () => {
    const base = {
      https_traffic_only_enabled: true,
      min_tls_version: "TLS1_2",
      allow_nested_items_to_be_public: false,
      shared_access_key_enabled: false,
    };
    expect(apps.json).toHaveResourceWithProperties(StorageAccount, {
      ...base,
      account_replication_type: "ZRS",
    });
    expect(prod.json).toHaveResourceWithProperties(StorageAccount, {
      ...base,
      account_replication_type: "GZRS",
    });
    const account = Object.values(resourcesOf(apps, "azurerm_storage_account"))[0]!;
    expect(account.blob_properties).toMatchObject({ versioning_enabled: true });
  });

  test("the Key Vault uses RBAC and purge protection", () => {
    const kv = Object.values(resourcesOf(apps, "azurerm_key_vault"))[0]!;
    expect(kv).toMatchObject({ name: "ttd-tt02-keyvault", purge_protection_enabled: true });
  });

  test("runtime operator, gateway and Azure Service Operator identities are federated to their service accounts", () => {
    const creds = Object.values(resourcesOf(apps, "azurerm_federated_identity_credential"));
    expect(creds.map((c) => c.subject).sort()).toEqual([
      "system:serviceaccount:azureserviceoperator-system:azureserviceoperator-system",
      "system:serviceaccount:runtime-gateway:studio-gateway",
      "system:serviceaccount:runtime-operator:operator-controller-manager",
    ]);
    for (const c of creds) expect(c.audience).toEqual(["api://AzureADTokenExchange"]);
  });

  test("the kubelet may pull from the org's registry, whose id comes from the shared scope's subscription, not a data source", () => {
    // The registry lives in the shared scope (maybe another subscription): a data source on this
    // stack's provider would look for it in the wrong subscription and need read access there.
    expect(apps.parsed.data?.azurerm_container_registry).toBeUndefined();
    const shared = committedFleet().settings.subscriptions.shared;
    const pulls = Object.values(resourcesOf(apps, "azurerm_role_assignment")).filter(
      (r) => r.role_definition_name === "AcrPull",
    );
    expect(pulls).toHaveLength(1);
    expect(pulls[0]!.scope).toBe(
      `/subscriptions/${shared}/resourceGroups/altinnapps-ttd-acr-rg/providers/Microsoft.ContainerRegistry/registries/ttdaltinnregistry01`,
    );
    expect(String(pulls[0]!.principal_id)).toMatch(/kubelet_identity/);
  });

  test("the operators' custom role can only be assigned in the operators' resource group", () => {
    const rgs = resourcesOf(apps, "azurerm_resource_group");
    const [rgKey] = Object.entries(rgs).find(([, r]) => r.name === "altinnapps-ttd-tt02-operators-rg")!;
    const rgId = `\${azurerm_resource_group.${rgKey}.id}`;
    const role = Object.values(resourcesOf(apps, "azurerm_role_definition"));
    expect(role).toHaveLength(1);
    expect(role[0]).toMatchObject({
      name: "altinnapps-ttd-tt02-operators",
      scope: rgId,
      assignable_scopes: [rgId],
    });
    const actions = (role[0]!.permissions as { actions: string[] }[])[0]!.actions;
    expect(actions).toContain("Microsoft.DBforPostgreSQL/flexibleServers/*");
    expect(
      actions.some((a) => a === "*" || a.startsWith("Microsoft.Authorization/roleAssignments/write")),
    ).toBe(false);
    const assignment = Object.values(resourcesOf(apps, "azurerm_role_assignment")).find(
      (r) => typeof r.role_definition_id === "string",
    )!;
    expect(assignment).toMatchObject({ scope: rgId, principal_type: "ServicePrincipal" });
    expect(String(assignment.principal_id)).toMatch(/service-operator/);
  });

  test("the runtime operator reads the environment's Maskinporten vault", () => {
    const vault = Object.values(apps.parsed.data?.azurerm_key_vault ?? {})[0]!;
    expect(vault).toMatchObject({ name: "mpo-tt02-kv", resource_group_name: "altinn-maskinporten-tt02-rg" });
    const secretsUser = Object.values(resourcesOf(apps, "azurerm_role_assignment")).filter(
      (r) => r.role_definition_name === "Key Vault Secrets User",
    );
    expect(secretsUser).toHaveLength(1);
    expect(String(secretsUser[0]!.principal_id)).toMatch(/runtime-operator/);
  });

  test("the config-sync server is the environment's own: private in this network, Entra ID only, one database", () => {
    for (const [stack, name, sku, prodLike] of [
      [apps, "altinn-ttd-tt02-opsync-psql", "B_Standard_B1ms", false],
      [prod, "altinn-brg-prod-opsync-psql", "GP_Standard_D2ds_v5", true],
    ] as const) {
      const [serverKey, server] = Object.entries(
        resourcesOf(stack, "azurerm_postgresql_flexible_server"),
      )[0]!;
      expect(server).toMatchObject({
        name,
        sku_name: sku,
        public_network_access_enabled: false,
        geo_redundant_backup_enabled: prodLike,
        authentication: { active_directory_auth_enabled: true, password_auth_enabled: false },
        lifecycle: expect.objectContaining({ prevent_destroy: true }),
      });
      expect(String(server.resource_group_name)).toMatch(
        /^\$\{azurerm_resource_group\.environment_resource-group_/,
      );
      expect(String(server.delegated_subnet_id)).toMatch(
        /^\$\{azurerm_subnet\.environment_network_subnet-postgres_/,
      );
      expect(server.high_availability).toEqual(
        prodLike ? expect.objectContaining({ mode: "ZoneRedundant" }) : undefined,
      );
      // The server's zone, beside the network's privatelink.* zones of its private endpoints.
      const [zoneKey, zone] = Object.entries(resourcesOf(stack, "azurerm_private_dns_zone")).find(([, z]) =>
        String(z.name).endsWith(".postgres.database.azure.com"),
      )!;
      expect(zone.name).toBe(`${name}.private.postgres.database.azure.com`);
      const link = Object.values(resourcesOf(stack, "azurerm_private_dns_zone_virtual_network_link")).find(
        (l) => l.private_dns_zone_name === `\${azurerm_private_dns_zone.${zoneKey}.name}`,
      )!;
      expect(String(link.virtual_network_id)).toMatch(/^\$\{azurerm_virtual_network\.environment_network_/);
      expect(
        Object.values(resourcesOf(stack, "azurerm_postgresql_flexible_server_database")).map((d) => [
          d.name,
          d.server_id,
        ]),
      ).toEqual([["configsync", `\${azurerm_postgresql_flexible_server.${serverKey}.id}`]]);
      expect(stack.parsed.data?.azurerm_postgresql_flexible_server).toBeUndefined();
      expect(stack.parsed.data?.azurerm_virtual_network).toBeUndefined();
    }
  });

  test("every stateful resource refuses to be destroyed", () => {
    const stateful = [
      "azurerm_storage_account",
      "azurerm_storage_container",
      "azurerm_key_vault",
      "azurerm_dns_zone",
      "azurerm_kubernetes_cluster",
      "azurerm_resource_group",
    ];
    for (const type of stateful) {
      const found = Object.values(resourcesOf(apps, type));
      expect([type, found.length > 0]).toEqual([type, true]);
      for (const r of found)
        expect([type, r.lifecycle]).toEqual([type, expect.objectContaining({ prevent_destroy: true })]);
    }
  });

  test("every taggable resource carries the FinOps tags", () => {
    for (const s of [apps, orgTtd, prod]) {
      for (const [type, name, body] of allResources(s)) {
        if (!("tags" in body) && !TAGGABLE.has(type)) continue;
        expect([type, name, body.tags]).toEqual([
          type,
          name,
          expect.objectContaining({
            finops_environment: expect.stringMatching(/^(tt02|prod)$/),
            finops_product: "altinn-apps",
            finops_serviceownercode: expect.any(String),
            finops_serviceownerorgnr: expect.stringMatching(/^\d{9}$/),
            repository: expect.any(String),
          }),
        ]);
      }
    }
  });

  test("state is remote, per stack key, with Entra ID and OIDC only", () => {
    expect(apps.parsed.terraform?.backend).toEqual({
      azurerm: {
        container_name: "tfstate-tt02",
        key: "apps-ttd-tt02.tfstate",
        resource_group_name: "altinn-fleet-tfstate-rg",
        storage_account_name: "altinnfleettfstate01",
        subscription_id: committedFleet().settings.subscriptions.bootstrap,
        use_azuread_auth: true,
        use_oidc: true,
      },
    });
  });

  test("depends on its org's stack and on nothing of the Platform", () => {
    expect(apps.stack.dependencies.map((d) => d.node.id)).toEqual(["org-ttd"]);
  });
});

/** Types whose azurerm schema has `tags`, among those the stacks emit. */
const TAGGABLE = new Set([
  "azurerm_resource_group",
  "azurerm_virtual_network",
  "azurerm_network_security_group",
  "azurerm_kubernetes_cluster",
  "azurerm_kubernetes_cluster_node_pool",
  "azurerm_storage_account",
  "azurerm_key_vault",
  "azurerm_container_registry",
  "azurerm_log_analytics_workspace",
  "azurerm_application_insights",
  "azurerm_user_assigned_identity",
  "azurerm_public_ip",
  "azurerm_dns_zone",
]);

describe("apps-<org>-<env>-k8s", () => {
  test("reads its cluster and IP by name and reaches the API through kubelogin", () => {
    const cluster = Object.values(k8s.parsed.data?.azurerm_kubernetes_cluster ?? {})[0]!;
    expect(cluster).toMatchObject({ name: "ttd-tt02-aks", resource_group_name: "altinnapps-ttd-tt02-rg" });
    const ip = Object.values(k8s.parsed.data?.azurerm_public_ip ?? {})[0]!;
    expect(ip).toMatchObject({ name: "ttd-tt02-ingress-pip4" });
    expect(k8s.json).toContain("kubelogin");
    expect(k8s.json).not.toContain("kube_admin_config");
  });

  test("installs Traefik bound to the static IP, and no Kured under the NodeImage channel", () => {
    expect(k8s.json).toHaveResourceWithProperties(Release, { name: "traefik" });
    expect(k8s.json).not.toHaveResourceWithProperties(Release, { name: "kured" });
    const traefik = Object.values(resourcesOf(k8s, "helm_release")).find((r) => r.name === "traefik")!;
    expect(String((traefik.values as string[])[0])).toContain("data.azurerm_public_ip");
  });

  test("installs Azure Service Operator with workload identity after cert-manager, and publishes client ids", () => {
    const releases = Object.values(resourcesOf(k8s, "helm_release"));
    const aso = releases.find((r) => r.name === "azure-service-operator")!;
    expect(aso).toMatchObject({
      chart: "azure-service-operator",
      version: expect.stringMatching(/^2\.\d+\.\d+$/),
    });
    const values = String((aso.values as string[])[0]);
    expect(values).toContain("useWorkloadIdentityAuth");
    expect(values).toContain("data.azurerm_user_assigned_identity");
    expect(aso.depends_on).toEqual([expect.stringMatching(/^helm_release\..*cert-manager/)]);
    expect(releases.map((r) => r.name)).toContain("cert-manager");
    const config = Object.values(resourcesOf(k8s, "kubernetes_config_map_v1"))[0]!;
    expect(Object.keys(config.data as object).sort()).toEqual([
      "AZURE_SERVICE_OPERATOR_CLIENT_ID",
      "AZURE_SUBSCRIPTION_ID",
      "AZURE_TENANT_ID",
      "ENVIRONMENT",
      "OPERATORS_RESOURCE_GROUP",
      "STUDIO_GATEWAY_CLIENT_ID",
      "STUDIO_OPERATOR_CLIENT_ID",
    ]);
  });

  test("runs the Kubernetes wrapper with read-only access to deployments and daemonsets", () => {
    const roles = Object.values(resourcesOf(k8s, "kubernetes_role_v1"));
    expect(roles).toHaveLength(1);
    expect(roles[0]!.rule).toEqual([
      { api_groups: ["apps"], resources: ["deployments", "daemonsets"], verbs: ["get", "list"] },
    ]);
  });

  test("depends on its cluster's stack", () => {
    expect(k8s.stack.dependencies.map((d) => d.node.id)).toEqual(["apps-ttd-tt02"]);
  });
});

describe("snapshots, one per stack kind", () => {
  test.each([
    ["org", orgTtd],
    ["apps", apps],
    ["apps-k8s", k8s],
  ])("%s", (_kind, s) => {
    expect(s.parsed).toMatchSnapshot();
  });
});
