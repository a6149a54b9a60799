/**
 * One compliant and at least one non-compliant configuration per rule, written as synthesized
 * attributes (snake_case, as in cdk.tf.json). Bases are compliant with every rule of their type;
 * a non-compliant case changes one thing. rules.test.ts fails for a rule without an entry here.
 */
import type { PolicyEnvironment } from "../../constructs/policy";

type Attrs = Record<string, unknown>;

/** Marks a case whose resource type differs from the fixture's (e.g. a node pool among cluster cases). */
export const CASE_TYPE: unique symbol = Symbol("case type");

export function typed(type: string, attrs: Attrs): Attrs {
  return { ...attrs, [CASE_TYPE]: type };
}

export interface RuleFixture {
  /** @default the rule's first resource type */
  readonly type?: string;
  /** @default "prod" for production-only rules, else "test" */
  readonly env?: PolicyEnvironment;
  readonly compliant: Attrs | readonly Attrs[];
  /** Each with a name saying what is wrong ("fails if ..."). */
  readonly nonCompliant: Readonly<Record<string, Attrs>>;
}

const REF = (what: string) => `\${${what}}`;

/** Drops keys from an object (a shallow copy). */
function without(attrs: Attrs, ...keys: string[]): Attrs {
  const copy = { ...attrs };
  for (const k of keys) delete copy[k];
  return copy;
}

// ---- AKS

const POOL: Attrs = {
  name: "syspool",
  vm_size: "Standard_D4s_v5",
  only_critical_addons_enabled: true,
  max_pods: 110,
  host_encryption_enabled: true,
  zones: ["1", "2", "3"],
  auto_scaling_enabled: true,
  min_count: 3,
  max_count: 5,
};
const WINDOW: Attrs = {
  frequency: "Weekly",
  interval: 1,
  day_of_week: "Monday",
  start_time: "23:30",
  duration: 5,
};
export const AKS: Attrs = {
  name: "ttd-prod-aks",
  location: "norwayeast",
  dns_prefix: "ttd-prod",
  sku_tier: "Standard",
  local_account_disabled: true,
  role_based_access_control_enabled: true,
  azure_active_directory_role_based_access_control: {
    azure_rbac_enabled: true,
    admin_group_object_ids: ["g"],
  },
  private_cluster_enabled: false,
  api_server_access_profile: { authorized_ip_ranges: ["51.120.0.0/24"] },
  network_profile: { network_plugin: "azure", network_plugin_mode: "overlay", network_policy: "cilium" },
  azure_policy_enabled: true,
  oms_agent: { log_analytics_workspace_id: REF("azurerm_log_analytics_workspace.law.id") },
  automatic_upgrade_channel: "patch",
  node_os_upgrade_channel: "NodeImage",
  maintenance_window_auto_upgrade: WINDOW,
  maintenance_window_node_os: { ...WINDOW, day_of_week: "Tuesday" },
  key_vault_secrets_provider: { secret_rotation_enabled: true, secret_rotation_interval: "2m" },
  oidc_issuer_enabled: true,
  workload_identity_enabled: true,
  default_node_pool: POOL,
  run_command_enabled: false,
  image_cleaner_enabled: true,
  image_cleaner_interval_hours: 48,
  lifecycle: { prevent_destroy: true },
};
const NODE_POOL: Attrs = {
  name: "workpool",
  kubernetes_cluster_id: REF("azurerm_kubernetes_cluster.aks.id"),
  vm_size: "Standard_D4s_v5",
  mode: "User",
  max_pods: 110,
  host_encryption_enabled: true,
  zones: ["1", "2", "3"],
};
const aks = (change: Attrs): Attrs => ({ ...AKS, ...change });
const pool = (change: Attrs): Attrs => aks({ default_node_pool: { ...POOL, ...change } });

// ---- Storage, Key Vault, registry

export const STORAGE: Attrs = {
  name: "ttdaltinnprodstrg01",
  account_kind: "StorageV2",
  account_tier: "Standard",
  account_replication_type: "GZRS",
  https_traffic_only_enabled: true,
  min_tls_version: "TLS1_2",
  allow_nested_items_to_be_public: false,
  shared_access_key_enabled: false,
  cross_tenant_replication_enabled: false,
  infrastructure_encryption_enabled: true,
  local_user_enabled: false,
  public_network_access_enabled: false,
  network_rules: {
    default_action: "Deny",
    bypass: ["AzureServices"],
    virtual_network_subnet_ids: [REF("azurerm_subnet.s.id")],
  },
  blob_properties: {
    versioning_enabled: true,
    delete_retention_policy: { days: 30 },
    container_delete_retention_policy: { days: 30 },
  },
  lifecycle: { prevent_destroy: true },
};
const storage = (change: Attrs): Attrs => ({ ...STORAGE, ...change });
const blob = (change: Attrs): Attrs =>
  storage({ blob_properties: { ...(STORAGE.blob_properties as Attrs), ...change } });

export const KEY_VAULT: Attrs = {
  name: "ttd-prod-keyvault",
  tenant_id: REF("data.azurerm_client_config.c.tenant_id"),
  sku_name: "standard",
  rbac_authorization_enabled: true,
  purge_protection_enabled: true,
  soft_delete_retention_days: 90,
  public_network_access_enabled: false,
  network_acls: { default_action: "Deny", bypass: "AzureServices" },
  lifecycle: { prevent_destroy: true },
};
const vault = (change: Attrs): Attrs => ({ ...KEY_VAULT, ...change });

const REGISTRY: Attrs = {
  name: "ttdaltinnregistry01",
  sku: "Premium",
  admin_enabled: false,
  anonymous_pull_enabled: false,
  public_network_access_enabled: false,
  zone_redundancy_enabled: true,
  retention_policy_in_days: 7,
  lifecycle: { prevent_destroy: true },
};
const registry = (change: Attrs): Attrs => ({ ...REGISTRY, ...change });

// ---- PostgreSQL, Cosmos DB, API Management

const POSTGRES: Attrs = {
  name: "altinn-platform-prod-psql",
  sku_name: "GP_Standard_D2ds_v5",
  delegated_subnet_id: REF("azurerm_subnet.pg.id"),
  public_network_access_enabled: false,
  authentication: { active_directory_auth_enabled: true, password_auth_enabled: false, tenant_id: "t" },
  geo_redundant_backup_enabled: true,
  high_availability: { mode: "ZoneRedundant" },
  backup_retention_days: 35,
  lifecycle: { prevent_destroy: true },
};
const postgres = (change: Attrs): Attrs => ({ ...POSTGRES, ...change });

const COSMOS: Attrs = {
  name: "altinn-platform-prod-cosmos",
  offer_type: "Standard",
  local_authentication_disabled: true,
  public_network_access_enabled: false,
  access_key_metadata_writes_enabled: false,
  minimal_tls_version: "Tls12",
  automatic_failover_enabled: true,
  backup: { type: "Continuous", tier: "Continuous30Days" },
  geo_location: [
    { location: "norwayeast", failover_priority: 0, zone_redundant: true },
    { location: "norwaywest", failover_priority: 1 },
  ],
  lifecycle: { prevent_destroy: true },
};
const cosmos = (change: Attrs): Attrs => ({ ...COSMOS, ...change });

const APIM: Attrs = {
  name: "altinn-platform-prod-apim",
  sku_name: "Premium_3",
  zones: ["1", "2", "3"],
  virtual_network_type: "External",
  min_api_version: "2019-12-01",
  security: {
    frontend_tls10_enabled: false,
    frontend_tls11_enabled: false,
    backend_tls10_enabled: false,
    backend_tls11_enabled: false,
  },
  lifecycle: { prevent_destroy: true },
};
const apim = (change: Attrs): Attrs => ({ ...APIM, ...change });

// ---- Network

const HTTPS_RULE: Attrs = {
  name: "allow-internet-https-inbound",
  direction: "Inbound",
  access: "Allow",
  protocol: "Tcp",
  priority: 100,
  source_address_prefix: "Internet",
  source_port_range: "*",
  destination_address_prefix: "*",
  destination_port_ranges: ["443"],
};
const nsgRule = (change: Attrs): Attrs => ({ ...HTTPS_RULE, ...change });
const nsg = (...rules: Attrs[]): Attrs => ({ name: "nsg", location: "norwayeast", security_rule: rules });

// ---- Kubernetes

export const CONTAINER: Attrs = {
  name: "app",
  image: "ghcr.io/altinn/app:1.2.3",
  security_context: {
    privileged: false,
    run_as_non_root: true,
    allow_privilege_escalation: false,
    read_only_root_filesystem: true,
    capabilities: { drop: ["ALL"] },
    seccomp_profile: { type: "RuntimeDefault" },
  },
  resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
  liveness_probe: { tcp_socket: [{ port: "8080" }] },
  readiness_probe: { http_get: { path: "/health", port: "8080" } },
};
export function deployment(container: Attrs = CONTAINER, pod: Attrs = {}): Attrs {
  return {
    metadata: { name: "app", namespace: "apps" },
    spec: { template: { spec: { container: [container], ...pod } } },
  };
}
const container = (change: Attrs): Attrs => deployment({ ...CONTAINER, ...change });
const securityContext = (change: Attrs): Attrs =>
  container({ security_context: { ...(CONTAINER.security_context as Attrs), ...change } });

const RELEASE: Attrs = {
  name: "traefik",
  namespace: "traefik",
  repository: "https://traefik.github.io/charts",
  chart: "traefik",
  version: "38.0.1",
  values: ['image:\n  registry: "docker.io"\n  repository: "traefik"\ndeployment:\n  replicas: 2\n'],
};
const release = (change: Attrs): Attrs => ({ ...RELEASE, ...change });

export const RULE_FIXTURES: Readonly<Record<string, RuleFixture>> = {
  "SAFE-001": {
    type: "azurerm_storage_account",
    compliant: STORAGE,
    nonCompliant: {
      "prevent_destroy is missing": without(STORAGE, "lifecycle"),
      "prevent_destroy is false": storage({ lifecycle: { prevent_destroy: false } }),
    },
  },

  "AZ-AKS-001": {
    compliant: AKS,
    nonCompliant: {
      "local accounts are enabled": aks({ local_account_disabled: false }),
      "local_account_disabled is unset": without(AKS, "local_account_disabled"),
    },
  },
  "AZ-AKS-002": {
    compliant: [AKS, without(AKS, "role_based_access_control_enabled")],
    nonCompliant: { "RBAC is off": aks({ role_based_access_control_enabled: false }) },
  },
  "AZ-AKS-003": {
    compliant: AKS,
    nonCompliant: {
      "Entra integration is missing": without(AKS, "azure_active_directory_role_based_access_control"),
      "Azure RBAC is off": aks({
        azure_active_directory_role_based_access_control: { azure_rbac_enabled: false },
      }),
    },
  },
  "AZ-AKS-004": {
    compliant: [AKS, aks({ private_cluster_enabled: true, api_server_access_profile: undefined })],
    nonCompliant: {
      "the API server is public without ranges": without(AKS, "api_server_access_profile"),
      "the ranges admit everyone": aks({
        api_server_access_profile: { authorized_ip_ranges: ["0.0.0.0/0"] },
      }),
    },
  },
  "AZ-AKS-005": {
    compliant: AKS,
    nonCompliant: { "no network policy": aks({ network_profile: { network_plugin: "azure" } }) },
  },
  "AZ-AKS-006": {
    compliant: AKS,
    nonCompliant: { "Azure Policy is off": without(AKS, "azure_policy_enabled") },
  },
  "AZ-AKS-007": {
    compliant: AKS,
    nonCompliant: { "no Container Insights": without(AKS, "oms_agent") },
  },
  "AZ-AKS-008": {
    compliant: AKS,
    nonCompliant: {
      "no channel": without(AKS, "automatic_upgrade_channel"),
      "channel none": aks({ automatic_upgrade_channel: "none" }),
    },
  },
  "AZ-AKS-009": {
    compliant: [AKS, aks({ node_os_upgrade_channel: "Unmanaged" }), without(AKS, "node_os_upgrade_channel")],
    nonCompliant: { "channel None": aks({ node_os_upgrade_channel: "None" }) },
  },
  "AZ-AKS-010": {
    compliant: AKS,
    nonCompliant: {
      "no auto-upgrade window": without(AKS, "maintenance_window_auto_upgrade"),
      "no node OS window": without(AKS, "maintenance_window_node_os"),
    },
  },
  "AZ-AKS-011": {
    compliant: AKS,
    nonCompliant: {
      "rotation is off": aks({ key_vault_secrets_provider: { secret_rotation_enabled: false } }),
      "no secrets provider": without(AKS, "key_vault_secrets_provider"),
    },
  },
  "AZ-AKS-012": {
    compliant: AKS,
    nonCompliant: {
      "workload identity is off": aks({ workload_identity_enabled: false }),
      "no OIDC issuer": without(AKS, "oidc_issuer_enabled"),
    },
  },
  "AZ-AKS-013": {
    compliant: AKS,
    nonCompliant: { "apps may run on system nodes": pool({ only_critical_addons_enabled: false }) },
  },
  "AZ-AKS-014": {
    compliant: [AKS, typed("azurerm_kubernetes_cluster_node_pool", NODE_POOL)],
    nonCompliant: {
      "a node pool allows 10 pods": typed("azurerm_kubernetes_cluster_node_pool", {
        ...NODE_POOL,
        max_pods: 10,
      }),
      "the system pool allows 30 pods": pool({ max_pods: 30 }),
      "max_pods is unset": pool({ max_pods: undefined }),
    },
  },
  "AZ-AKS-015": {
    compliant: AKS,
    nonCompliant: { "run command is enabled by default": without(AKS, "run_command_enabled") },
  },
  "AZ-AKS-016": {
    compliant: [AKS, typed("azurerm_kubernetes_cluster_node_pool", NODE_POOL)],
    nonCompliant: { "host encryption is off": pool({ host_encryption_enabled: undefined }) },
  },
  "AZ-AKS-017": {
    compliant: AKS,
    nonCompliant: { "Image Cleaner is off": aks({ image_cleaner_enabled: false }) },
  },
  "AZ-AKS-018": {
    compliant: AKS,
    nonCompliant: {
      "the tier is Free": aks({ sku_tier: "Free" }),
      "the tier defaults to Free": without(AKS, "sku_tier"),
    },
  },
  "AZ-AKS-019": {
    compliant: [AKS, typed("azurerm_kubernetes_cluster_node_pool", NODE_POOL)],
    nonCompliant: {
      "a node pool in one zone": typed("azurerm_kubernetes_cluster_node_pool", {
        ...NODE_POOL,
        zones: ["2"],
      }),
      "the pool is in one zone": pool({ zones: ["1"] }),
      "no zones": pool({ zones: undefined }),
    },
  },
  "AZ-AKS-020": {
    compliant: AKS,
    nonCompliant: { "HTTP application routing is on": aks({ http_application_routing_enabled: true }) },
  },
  "AZ-AKS-021": {
    compliant: [AKS, typed("azurerm_kubernetes_cluster_node_pool", NODE_POOL)],
    nonCompliant: { "nodes get public IPs": pool({ node_public_ip_enabled: true }) },
  },

  "AZ-ST-001": {
    compliant: STORAGE,
    nonCompliant: { "HTTP is allowed": storage({ https_traffic_only_enabled: false }) },
  },
  "AZ-ST-002": {
    compliant: [STORAGE, without(STORAGE, "min_tls_version")],
    nonCompliant: { "TLS 1.0 is accepted": storage({ min_tls_version: "TLS1_0" }) },
  },
  "AZ-ST-003": {
    compliant: STORAGE,
    nonCompliant: {
      "nested items may be public": storage({ allow_nested_items_to_be_public: true }),
      "the default allows public blobs": without(STORAGE, "allow_nested_items_to_be_public"),
    },
  },
  "AZ-ST-004": {
    compliant: [
      STORAGE,
      storage({ network_rules: undefined, public_network_access_enabled: false }),
      typed("azurerm_storage_account_network_rules", {
        storage_account_id: "s",
        default_action: "Deny",
        bypass: ["AzureServices"],
      }),
    ],
    nonCompliant: {
      "the firewall allows by default": storage({
        network_rules: { default_action: "Allow" },
        public_network_access_enabled: true,
      }),
      "no network rules": without(STORAGE, "network_rules", "public_network_access_enabled"),
    },
  },
  "AZ-ST-005": {
    compliant: [
      STORAGE,
      typed("azurerm_storage_account_network_rules", {
        storage_account_id: "s",
        default_action: "Deny",
        bypass: ["AzureServices"],
      }),
    ],
    nonCompliant: {
      "no AzureServices bypass": storage({ network_rules: { default_action: "Deny", bypass: ["None"] } }),
    },
  },
  "AZ-ST-006": {
    compliant: STORAGE,
    nonCompliant: { "shared keys are on by default": without(STORAGE, "shared_access_key_enabled") },
  },
  "AZ-ST-007": {
    compliant: STORAGE,
    nonCompliant: {
      "no blob soft delete": blob({ delete_retention_policy: undefined }),
      "container soft delete is 1 day": blob({ container_delete_retention_policy: { days: 1 } }),
    },
  },
  "AZ-ST-008": {
    compliant: STORAGE,
    nonCompliant: { "versioning is off": blob({ versioning_enabled: false }) },
  },
  "AZ-ST-009": {
    compliant: [STORAGE, storage({ account_replication_type: "ZRS" })],
    nonCompliant: { "locally redundant": storage({ account_replication_type: "LRS" }) },
  },
  "AZ-ST-010": {
    compliant: STORAGE,
    nonCompliant: { "zone-redundant only": storage({ account_replication_type: "ZRS" }) },
  },
  "AZ-ST-011": {
    compliant: STORAGE,
    nonCompliant: { "local users default to enabled": without(STORAGE, "local_user_enabled") },
  },
  "AZ-ST-012": {
    compliant: [STORAGE, without(STORAGE, "cross_tenant_replication_enabled")],
    nonCompliant: { "cross-tenant replication is on": storage({ cross_tenant_replication_enabled: true }) },
  },
  "AZ-ST-013": {
    compliant: STORAGE,
    nonCompliant: { "no double encryption": without(STORAGE, "infrastructure_encryption_enabled") },
  },
  "AZ-ST-014": {
    compliant: [{ name: "data", container_access_type: "private" }, { name: "data" }],
    nonCompliant: { "blobs are public": { name: "data", container_access_type: "blob" } },
  },
  "AZ-ST-015": {
    compliant: [
      STORAGE,
      typed("azurerm_storage_container", {
        name: "data",
        storage_account_id: REF("azurerm_storage_account.a.id"),
      }),
    ],
    nonCompliant: {
      "queue properties go over the data plane": storage({ queue_properties: [{ logging: [] }] }),
      "static website goes over the data plane": storage({
        static_website: [{ index_document: "index.html" }],
      }),
      "a container addressed by account name": typed("azurerm_storage_container", {
        name: "data",
        storage_account_name: "acct",
      }),
      "a blob": typed("azurerm_storage_blob", { name: "b", storage_account_name: "acct" }),
    },
  },
  "AZ-ST-016": {
    compliant: STORAGE,
    nonCompliant: {
      "public by default": without(STORAGE, "public_network_access_enabled"),
      "public behind a firewall": storage({ public_network_access_enabled: true }),
    },
  },
  "AZ-KV-009": {
    compliant: KEY_VAULT,
    nonCompliant: {
      "public by default": without(KEY_VAULT, "public_network_access_enabled"),
      "public behind a firewall": vault({ public_network_access_enabled: true }),
    },
  },
  "AZ-KV-001": {
    compliant: KEY_VAULT,
    nonCompliant: { "no purge protection": without(KEY_VAULT, "purge_protection_enabled") },
  },
  "AZ-KV-002": {
    compliant: [KEY_VAULT, without(KEY_VAULT, "soft_delete_retention_days")],
    nonCompliant: { "retention below 7 days": vault({ soft_delete_retention_days: 3 }) },
  },
  "AZ-KV-003": {
    compliant: [KEY_VAULT, vault({ rbac_authorization_enabled: undefined, enable_rbac_authorization: true })],
    nonCompliant: {
      "access policies": vault({ rbac_authorization_enabled: false, access_policy: [{ object_id: "x" }] }),
      "RBAC with leftover access policies": vault({ access_policy: [{ object_id: "x" }] }),
    },
  },
  "AZ-KV-004": {
    compliant: [KEY_VAULT, vault({ network_acls: undefined, public_network_access_enabled: false })],
    nonCompliant: {
      "the firewall allows by default": vault({
        network_acls: { default_action: "Allow", bypass: "AzureServices" },
        public_network_access_enabled: true,
      }),
      "no firewall": without(KEY_VAULT, "network_acls", "public_network_access_enabled"),
    },
  },
  "AZ-KV-005": {
    type: "azurerm_key_vault_secret",
    compliant: {
      name: "s",
      key_vault_id: "k",
      value_wo: "x",
      expiration_date: "2027-01-01T00:00:00Z",
      content_type: "text/plain",
    },
    nonCompliant: { "no expiry": { name: "s", key_vault_id: "k", content_type: "text/plain" } },
  },
  "AZ-KV-006": {
    type: "azurerm_key_vault_secret",
    compliant: {
      name: "s",
      key_vault_id: "k",
      expiration_date: "2027-01-01T00:00:00Z",
      content_type: "text/plain",
    },
    nonCompliant: {
      "no content type": { name: "s", key_vault_id: "k", expiration_date: "2027-01-01T00:00:00Z" },
    },
  },
  "AZ-KV-007": {
    type: "azurerm_key_vault_key",
    compliant: [
      { name: "k", key_type: "RSA", expiration_date: "2027-01-01T00:00:00Z" },
      { name: "k", key_type: "RSA", rotation_policy: { expire_after: "P90D" } },
    ],
    nonCompliant: { "never expires": { name: "k", key_type: "RSA" } },
  },
  "AZ-KV-008": {
    type: "azurerm_key_vault_secret",
    compliant: {
      name: "s",
      key_vault_id: "k",
      value_wo: REF("ephemeral.random_password.p.result"),
      value_wo_version: 1,
    },
    nonCompliant: {
      "the value is in state": { name: "s", key_vault_id: "k", value: REF("random_password.p.result") },
    },
  },

  "AZ-ACR-001": { compliant: REGISTRY, nonCompliant: { "admin user on": registry({ admin_enabled: true }) } },
  "AZ-ACR-002": {
    compliant: REGISTRY,
    nonCompliant: { "anonymous pull on": registry({ anonymous_pull_enabled: true }) },
  },
  "AZ-ACR-003": {
    compliant: REGISTRY,
    nonCompliant: {
      "public by default": without(REGISTRY, "public_network_access_enabled"),
      "public with a firewall": registry({
        public_network_access_enabled: true,
        network_rule_set: { default_action: "Deny" },
      }),
    },
  },
  "AZ-ACR-004": {
    compliant: REGISTRY,
    nonCompliant: { "not zone-redundant": without(REGISTRY, "zone_redundancy_enabled") },
  },
  "AZ-ACR-005": {
    compliant: REGISTRY,
    nonCompliant: {
      "no retention": without(REGISTRY, "retention_policy_in_days"),
      "retention 0 days": registry({ retention_policy_in_days: 0 }),
    },
  },

  "AZ-PG-001": {
    compliant: [POSTGRES, postgres({ delegated_subnet_id: undefined })],
    nonCompliant: {
      "public by default": postgres({
        delegated_subnet_id: undefined,
        public_network_access_enabled: undefined,
      }),
    },
  },
  "AZ-PG-002": {
    compliant: POSTGRES,
    nonCompliant: {
      "passwords allowed": postgres({
        authentication: { active_directory_auth_enabled: true, password_auth_enabled: true },
      }),
      "no authentication block": without(POSTGRES, "authentication"),
    },
  },
  "AZ-PG-003": {
    compliant: POSTGRES,
    nonCompliant: {
      "an admin password": postgres({
        administrator_login: "psqladmin",
        administrator_password: REF("var.pw"),
      }),
    },
  },
  "AZ-PG-004": {
    compliant: POSTGRES,
    nonCompliant: { "local backups only": without(POSTGRES, "geo_redundant_backup_enabled") },
  },
  "AZ-PG-005": {
    compliant: POSTGRES,
    nonCompliant: {
      "same-zone HA": postgres({ high_availability: { mode: "SameZone" } }),
      "no HA": without(POSTGRES, "high_availability"),
    },
  },
  "AZ-PG-006": {
    type: "azurerm_postgresql_flexible_server_configuration",
    compliant: [
      { name: "require_secure_transport", value: "on", server_id: "s" },
      { name: "ssl_min_protocol_version", value: "TLSv1.2", server_id: "s" },
    ],
    nonCompliant: {
      "TLS not required": { name: "require_secure_transport", value: "OFF", server_id: "s" },
      "TLS 1.1 accepted": { name: "ssl_min_protocol_version", value: "TLSv1.1", server_id: "s" },
    },
  },
  "AZ-PG-007": {
    type: "azurerm_postgresql_flexible_server_firewall_rule",
    compliant: {
      name: "office",
      server_id: "s",
      start_ip_address: "51.120.0.1",
      end_ip_address: "51.120.0.10",
    },
    nonCompliant: {
      "everyone is admitted": {
        name: "all",
        server_id: "s",
        start_ip_address: "0.0.0.0",
        end_ip_address: "255.255.255.255",
      },
      "all of Azure is admitted": {
        name: "azure",
        server_id: "s",
        start_ip_address: "0.0.0.0",
        end_ip_address: "0.0.0.0",
      },
    },
  },

  "AZ-COS-001": {
    compliant: COSMOS,
    nonCompliant: { "keys work": without(COSMOS, "local_authentication_disabled") },
  },
  "AZ-COS-002": {
    compliant: [
      COSMOS,
      cosmos({ public_network_access_enabled: true, is_virtual_network_filter_enabled: true }),
      cosmos({ public_network_access_enabled: true, ip_range_filter: ["51.120.0.0/24"] }),
    ],
    nonCompliant: {
      "open to every network": without(COSMOS, "public_network_access_enabled"),
      "the IP filter admits everyone": cosmos({
        public_network_access_enabled: true,
        ip_range_filter: ["0.0.0.0/0"],
      }),
    },
  },
  "AZ-COS-003": {
    compliant: COSMOS,
    nonCompliant: { "keys may change metadata": without(COSMOS, "access_key_metadata_writes_enabled") },
  },
  "AZ-COS-004": {
    compliant: [COSMOS, without(COSMOS, "minimal_tls_version")],
    nonCompliant: { "TLS 1.0 accepted": cosmos({ minimal_tls_version: "Tls" }) },
  },
  "AZ-COS-005": {
    compliant: COSMOS,
    nonCompliant: {
      "periodic backup": cosmos({ backup: { type: "Periodic" } }),
      "default backup": without(COSMOS, "backup"),
    },
  },
  "AZ-COS-006": {
    compliant: [
      COSMOS,
      cosmos({ geo_location: [{ location: "norwayeast", failover_priority: 0, zone_redundant: true }] }),
    ],
    nonCompliant: {
      "one region, one zone": cosmos({ geo_location: [{ location: "norwayeast", failover_priority: 0 }] }),
      "two regions without failover": cosmos({ automatic_failover_enabled: false }),
    },
  },

  "AZ-APIM-001": {
    compliant: [APIM, without(APIM, "security")],
    nonCompliant: {
      "TLS 1.0 at the front": apim({ security: { frontend_tls10_enabled: true } }),
      "SSL 3.0 to backends (deprecated name)": apim({ security: { enable_backend_ssl30: true } }),
    },
  },
  "AZ-APIM-002": {
    compliant: [APIM, apim({ sku_name: "Consumption_0", virtual_network_type: undefined })],
    nonCompliant: { "no VNet": without(APIM, "virtual_network_type") },
  },
  "AZ-APIM-003": {
    compliant: [APIM, apim({ min_api_version: "2022-08-01" })],
    nonCompliant: {
      "no minimum": without(APIM, "min_api_version"),
      "too old": apim({ min_api_version: "2019-01-01" }),
    },
  },
  "AZ-APIM-004": {
    type: "azurerm_api_management_backend",
    compliant: [
      { name: "b", protocol: "http", url: "https://api.example.no" },
      { name: "b", protocol: "http", url: REF("local.url") },
    ],
    nonCompliant: { "plain HTTP": { name: "b", protocol: "http", url: "http://api.example.no" } },
  },
  "AZ-APIM-005": {
    compliant: [APIM, apim({ sku_name: "Developer_1", zones: undefined })],
    nonCompliant: {
      "Premium in one zone": apim({ zones: ["1"] }),
      "Premium without zones": without(APIM, "zones"),
    },
  },
  "AZ-APIM-006": {
    type: "azurerm_api_management_custom_domain",
    compliant: {
      api_management_id: "a",
      gateway: [
        { host_name: "platform.altinn.no", key_vault_certificate_id: REF("azurerm_key_vault.kv.vault_uri") },
      ],
    },
    nonCompliant: {
      "an inline certificate": {
        api_management_id: "a",
        gateway: [{ host_name: "platform.altinn.no", certificate: "MIIK...", certificate_password: "x" }],
      },
      "no certificate source": { api_management_id: "a", portal: [{ host_name: "portal.altinn.no" }] },
    },
  },

  "AZ-NET-001": {
    type: "azurerm_network_security_rule",
    compliant: [
      HTTPS_RULE,
      nsgRule({ destination_port_ranges: ["22"], source_address_prefix: "10.0.0.0/16" }),
    ],
    nonCompliant: {
      "SSH from the Internet": nsgRule({ destination_port_ranges: ["22"] }),
      "all ports from anywhere": nsgRule({
        destination_port_ranges: undefined,
        destination_port_range: "*",
        source_address_prefix: "*",
      }),
    },
  },
  "AZ-NET-002": {
    type: "azurerm_network_security_group",
    compliant: [nsg(HTTPS_RULE), nsg(nsgRule({ destination_port_ranges: ["3389"], access: "Deny" }))],
    nonCompliant: { "RDP in a port range": nsg(nsgRule({ destination_port_ranges: ["3000-4000"] })) },
  },
  "AZ-NET-003": {
    type: "azurerm_network_security_rule",
    compliant: HTTPS_RULE,
    nonCompliant: { "HTTP from the Internet": nsgRule({ destination_port_ranges: ["80", "443"] }) },
  },
  "AZ-NET-004": {
    type: "azurerm_network_security_rule",
    compliant: [
      HTTPS_RULE,
      nsgRule({ protocol: "Udp", direction: "Outbound", destination_port_ranges: ["53"] }),
    ],
    nonCompliant: { "UDP from the Internet": nsgRule({ protocol: "Udp", destination_port_ranges: ["123"] }) },
  },
  "AZ-NET-005": {
    type: "azurerm_network_security_rule",
    compliant: [
      HTTPS_RULE,
      nsgRule({ destination_port_ranges: ["8080"], source_address_prefix: "10.1.0.0/16" }),
    ],
    nonCompliant: {
      "a node port from the Internet": nsgRule({ destination_port_ranges: ["30000-32767"] }),
      "every protocol": nsgRule({ protocol: "*" }),
    },
  },
  "AZ-NET-006": {
    type: "azurerm_subnet",
    compliant: {
      name: "workpool",
      address_prefixes: ["10.0.0.0/24"],
      default_outbound_access_enabled: false,
    },
    nonCompliant: { "implicit outbound access": { name: "workpool", address_prefixes: ["10.0.0.0/24"] } },
  },
  "AZ-NET-007": {
    type: "azurerm_public_ip",
    compliant: [
      { name: "ip", allocation_method: "Static", sku: "Standard" },
      { name: "ip", allocation_method: "Static" },
    ],
    nonCompliant: { "Basic SKU": { name: "ip", allocation_method: "Static", sku: "Basic" } },
  },
  "AZ-NET-008": {
    type: "azurerm_public_ip",
    compliant: { name: "ip", allocation_method: "Static", sku: "Standard", zones: ["1", "2", "3"] },
    nonCompliant: {
      zonal: { name: "ip", allocation_method: "Static", zones: ["1"] },
      "no zones": { name: "ip", allocation_method: "Static" },
    },
  },

  "AZ-NET-009": {
    compliant: [
      { name: "a-to-b", allow_forwarded_traffic: false, allow_gateway_transit: false },
      { name: "a-to-b" },
    ],
    nonCompliant: {
      "forwarded traffic": { name: "a-to-b", allow_forwarded_traffic: true },
      "gateway transit": { name: "a-to-b", allow_gateway_transit: true },
      "remote gateways": { name: "a-to-b", use_remote_gateways: true },
    },
  },

  "AZ-NET-010": {
    compliant: {
      name: "kv-pe",
      subnet_id: REF("azurerm_subnet.endpoints.id"),
      private_service_connection: {
        name: "kv-pe-vault",
        private_connection_resource_id: REF("azurerm_key_vault.kv.id"),
        subresource_names: ["vault"],
        is_manual_connection: false,
      },
      private_dns_zone_group: {
        name: "default",
        private_dns_zone_ids: [REF("azurerm_private_dns_zone.kv.id")],
      },
    },
    nonCompliant: {
      "no DNS zone group": {
        name: "kv-pe",
        private_service_connection: { name: "c", subresource_names: ["vault"], is_manual_connection: false },
      },
      "a manual connection": {
        name: "kv-pe",
        private_service_connection: { name: "c", subresource_names: ["vault"], is_manual_connection: true },
        private_dns_zone_group: { name: "default", private_dns_zone_ids: ["z"] },
      },
    },
  },

  "AZ-DNS-001": {
    compliant: [
      { name: "@", record: [{ flags: 0, tag: "issue", value: "letsencrypt.org" }] },
      { name: "@", record: [{ flags: 0, tag: "issue", value: ";" }] },
    ],
    nonCompliant: {
      "only iodef": { name: "@", record: [{ flags: 0, tag: "iodef", value: "mailto:security@altinn.no" }] },
      "an empty issuer": { name: "@", record: [{ flags: 0, tag: "issue", value: "" }] },
    },
  },

  "AZ-ID-001": {
    compliant: {
      name: "reader",
      scope: "s",
      permissions: [{ actions: ["Microsoft.Storage/storageAccounts/read"] }],
    },
    nonCompliant: { "every action": { name: "god", scope: "s", permissions: [{ actions: ["*"] }] } },
  },
  "AZ-ID-002": {
    compliant: [
      { scope: "s", role_definition_name: "AcrPull", principal_id: "p", principal_type: "ServicePrincipal" },
      {
        scope: "s",
        role_definition_id: REF("data.azurerm_role_definition.r.id"),
        principal_id: "p",
        principal_type: "ServicePrincipal",
      },
    ],
    nonCompliant: {
      "Owner by name": {
        scope: "s",
        role_definition_name: "Owner",
        principal_id: "p",
        principal_type: "User",
      },
      "Contributor by id": {
        scope: "s",
        role_definition_id:
          "/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c",
        principal_id: "p",
        principal_type: "ServicePrincipal",
      },
    },
  },
  "AZ-ID-003": {
    compliant: [
      {
        scope: REF("azurerm_resource_group.rg.id"),
        role_definition_name: "Reader",
        principal_id: "p",
        principal_type: "Group",
      },
      {
        scope: "/subscriptions/x/resourceGroups/rg",
        role_definition_name: "Reader",
        principal_id: "p",
        principal_type: "Group",
      },
    ],
    nonCompliant: {
      "a literal subscription": {
        scope: "/subscriptions/0000-1111",
        role_definition_name: "Reader",
        principal_id: "p",
        principal_type: "Group",
      },
      "the subscription data source": {
        scope: REF("data.azurerm_subscription.current.id"),
        role_definition_name: "Reader",
        principal_id: "p",
        principal_type: "Group",
      },
    },
  },
  "AZ-ID-004": {
    compliant: {
      scope: "s",
      role_definition_name: "AcrPull",
      principal_id: "p",
      principal_type: "ServicePrincipal",
    },
    nonCompliant: { "no principal type": { scope: "s", role_definition_name: "AcrPull", principal_id: "p" } },
  },
  "AZ-ID-005": {
    compliant: [
      {
        name: "runtime-operator",
        parent_id: REF("azurerm_user_assigned_identity.i.id"),
        issuer: "https://norwayeast.oic.prod-aks.azure.com/tenant/cluster/",
        subject: "system:serviceaccount:runtime-operator:operator-controller-manager",
        audience: ["api://AzureADTokenExchange"],
      },
      {
        name: "runtime-operator",
        parent_id: REF("azurerm_user_assigned_identity.i.id"),
        issuer: REF("azurerm_kubernetes_cluster.aks.oidc_issuer_url"),
        subject: "system:serviceaccount:runtime-operator:operator-controller-manager",
        audience: ["api://AzureADTokenExchange"],
      },
    ],
    nonCompliant: {
      "a wrong audience": {
        name: "x",
        parent_id: "i",
        issuer: "https://oidc.example",
        subject: "system:serviceaccount:ns:sa",
        audience: ["api://other"],
      },
      "a wildcard subject": {
        name: "x",
        parent_id: "i",
        issuer: "https://oidc.example",
        subject: "system:serviceaccount:ns:*",
        audience: ["api://AzureADTokenExchange"],
      },
    },
  },

  "AZ-MON-001": {
    compliant: [
      { name: "law", sku: "PerGB2018", local_authentication_enabled: false },
      { name: "law", sku: "PerGB2018", local_authentication_disabled: true },
    ],
    nonCompliant: { "shared keys by default": { name: "law", sku: "PerGB2018" } },
  },
  "AZ-MON-002": {
    compliant: {
      name: "ai",
      application_type: "web",
      workspace_id: "w",
      local_authentication_disabled: true,
    },
    nonCompliant: { "instrumentation key auth": { name: "ai", application_type: "web", workspace_id: "w" } },
  },
  "AZ-MON-003": {
    compliant: {
      name: "ai",
      application_type: "web",
      workspace_id: REF("azurerm_log_analytics_workspace.law.id"),
    },
    nonCompliant: { classic: { name: "ai", application_type: "web", local_authentication_disabled: true } },
  },

  "AZ-MON-004": {
    compliant: [
      { name: "law", sku: "PerGB2018", internet_ingestion_enabled: false, internet_query_enabled: false },
      typed("azurerm_application_insights", {
        name: "ai",
        application_type: "web",
        internet_ingestion_enabled: false,
        internet_query_enabled: false,
      }),
    ],
    nonCompliant: {
      "public by default": { name: "law", sku: "PerGB2018" },
      "public queries": { name: "law", internet_ingestion_enabled: false, internet_query_enabled: true },
      "public ingestion of telemetry": typed("azurerm_application_insights", {
        name: "ai",
        internet_ingestion_enabled: true,
        internet_query_enabled: false,
      }),
    },
  },
  "AZ-MON-005": {
    compliant: {
      name: "ampls",
      resource_group_name: "rg",
      ingestion_access_mode: "PrivateOnly",
      query_access_mode: "PrivateOnly",
    },
    nonCompliant: {
      "open by default": { name: "ampls", resource_group_name: "rg" },
      "open queries": { name: "ampls", ingestion_access_mode: "PrivateOnly", query_access_mode: "Open" },
    },
  },
  "AZ-MON-006": {
    compliant: { name: "dce", location: "norwayeast", public_network_access_enabled: false },
    nonCompliant: {
      "public by default": { name: "dce", location: "norwayeast" },
      public: { name: "dce", location: "norwayeast", public_network_access_enabled: true },
    },
  },

  "K8S-001": {
    compliant: deployment(),
    nonCompliant: { "a privileged container": securityContext({ privileged: true }) },
  },
  "K8S-002": {
    compliant: [
      deployment(),
      deployment(
        {
          ...CONTAINER,
          security_context: { ...(CONTAINER.security_context as Attrs), run_as_non_root: undefined },
        },
        {
          security_context: { run_as_non_root: true },
        },
      ),
    ],
    nonCompliant: {
      "no run_as_non_root": securityContext({ run_as_non_root: undefined }),
      "run as uid 0": securityContext({ run_as_user: "0" }),
    },
  },
  "K8S-003": {
    compliant: deployment(),
    nonCompliant: {
      "escalation allowed by default": securityContext({ allow_privilege_escalation: undefined }),
    },
  },
  "K8S-004": {
    compliant: deployment(),
    nonCompliant: { "a writable root filesystem": securityContext({ read_only_root_filesystem: false }) },
  },
  "K8S-005": {
    compliant: [
      deployment(),
      securityContext({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } }),
    ],
    nonCompliant: {
      "nothing dropped": securityContext({ capabilities: undefined }),
      "SYS_ADMIN added": securityContext({ capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } }),
    },
  },
  "K8S-006": {
    compliant: deployment(),
    nonCompliant: {
      "no limits": container({ resources: { requests: { cpu: "50m", memory: "128Mi" } } }),
      "no resources": container({ resources: undefined }),
    },
  },
  "K8S-007": {
    compliant: [
      deployment(),
      container({ image: "ghcr.io/altinn/app@sha256:0123abcd" }),
      container({ image: "localhost:5000/app:1.0" }),
    ],
    nonCompliant: {
      latest: container({ image: "nginx:latest" }),
      "no tag": container({ image: "registry.example:5000/nginx" }),
    },
  },
  "K8S-008": {
    compliant: deployment(),
    nonCompliant: {
      "host network": deployment(CONTAINER, { host_network: true }),
      "host PID": deployment(CONTAINER, { host_pid: "true" }),
    },
  },
  "K8S-009": {
    compliant: [
      deployment(),
      deployment(
        {
          ...CONTAINER,
          security_context: { ...(CONTAINER.security_context as Attrs), seccomp_profile: undefined },
        },
        {
          security_context: { seccomp_profile: { type: "RuntimeDefault" } },
        },
      ),
    ],
    nonCompliant: {
      "no seccomp profile": securityContext({ seccomp_profile: undefined }),
      Unconfined: securityContext({ seccomp_profile: { type: "Unconfined" } }),
    },
  },
  "K8S-010": {
    compliant: deployment(),
    nonCompliant: { "no liveness probe": container({ liveness_probe: undefined }) },
  },
  "K8S-011": {
    compliant: [deployment(), typed("helm_release", RELEASE)],
    nonCompliant: {
      "the default namespace": { ...deployment(), metadata: { name: "app", namespace: "default" } },
      "no namespace": { ...deployment(), metadata: { name: "app" } },
      "a release in default": typed("helm_release", release({ namespace: "default" })),
    },
  },
  "K8S-012": {
    compliant: {
      metadata: { name: "r", namespace: "apps" },
      rule: [{ api_groups: ["apps"], resources: ["deployments"], verbs: ["get", "list"] }],
    },
    nonCompliant: {
      "wildcard verbs": {
        metadata: { name: "r", namespace: "apps" },
        rule: [{ api_groups: ["apps"], resources: ["deployments"], verbs: ["*"] }],
      },
    },
  },
  "K8S-013": {
    compliant: {
      metadata: { name: "b", namespace: "apps" },
      role_ref: { api_group: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subject: [{ kind: "ServiceAccount", name: "sa", namespace: "apps" }],
    },
    nonCompliant: {
      "cluster-admin": {
        metadata: { name: "b", namespace: "apps" },
        role_ref: { api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subject: [{ kind: "ServiceAccount", name: "sa", namespace: "apps" }],
      },
      "anonymous users": {
        metadata: { name: "b", namespace: "apps" },
        role_ref: { api_group: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
        subject: [{ kind: "User", name: "system:anonymous" }],
      },
    },
  },
  "K8S-015": {
    compliant: {
      metadata: { name: "auth", namespace: "apps" },
      data: { password: REF('replace(uuid(), "-", "")'), copy: REF("kubernetes_secret_v1.a.data.password") },
    },
    nonCompliant: {
      "a literal password": { metadata: { name: "auth", namespace: "apps" }, data: { password: "hunter2" } },
    },
  },
  "K8S-014": {
    compliant: {
      metadata: { name: "traefik", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
    },
    nonCompliant: {
      "no label": { metadata: { name: "traefik" } },
      privileged: {
        metadata: { name: "traefik", labels: { "pod-security.kubernetes.io/enforce": "privileged" } },
      },
    },
  },

  "HELM-001": {
    compliant: [RELEASE, release({ version: "v1.2.3-rc.1" })],
    nonCompliant: { "no version": without(RELEASE, "version"), "a range": release({ version: "^38.0.0" }) },
  },
  "HELM-002": {
    compliant: [
      RELEASE,
      release({ repository: "oci://ghcr.io/traefik/helm" }),
      release({ repository: undefined, chart: "./charts/local" }),
    ],
    nonCompliant: { "plain HTTP": release({ repository: "http://charts.example" }) },
  },
  "HELM-003": {
    compliant: [
      RELEASE,
      release({
        set: [{ name: "replicas", value: "2" }],
        set_sensitive: [{ name: "auth.password", value: REF("var.pw") }],
      }),
    ],
    nonCompliant: {
      "a password in set": release({ set: [{ name: "auth.password", value: REF("var.pw") }] }),
    },
  },
  "HELM-004": {
    compliant: [RELEASE, release({ values: ["image:\n  tag: 3.6.5\n"] })],
    nonCompliant: {
      "tag latest": release({ values: ["image:\n  repository: traefik\n  tag: latest\n"] }),
      "an image string with latest": release({ values: ["sidecar:\n  image: busybox:latest\n"] }),
    },
  },
};
