import { isReference, type ResourceView, UNKNOWN } from "../attributes";
import {
  allOf,
  expectAtLeast,
  expectBool,
  expectOneOf,
  expectPresent,
  fail,
  NOT_APPLICABLE,
  PASS,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack, Verdict } from "../rule";
import { AKS_BASELINE, AVM_AKS_PRODUCTION, checkov, learn, trivy } from "./sources";

const CLUSTER = "azurerm_kubernetes_cluster";
const NODE_POOL = "azurerm_kubernetes_cluster_node_pool";

/**
 * The node pool settings of a cluster (its default_node_pool block) or of a separate node pool
 * resource, with the path prefix findings should name.
 */
function poolOf(r: ResourceView): { readonly pool: ResourceView; readonly at: string } | "unknown" | "n/a" {
  if (r.type === NODE_POOL) return { pool: r, at: "" };
  const pools = r.blocks("default_node_pool");
  if (pools === UNKNOWN) return "unknown";
  const pool = pools[0];
  return pool ? { pool, at: "default_node_pool." } : "n/a";
}

function onPool(r: ResourceView, check: (pool: ResourceView, at: string) => Verdict): Verdict {
  const found = poolOf(r);
  if (found === "unknown") return UNKNOWN_VERDICT;
  if (found === "n/a") return NOT_APPLICABLE;
  return check(found.pool, found.at);
}

const OPEN_RANGES = new Set(["0.0.0.0/0", "0.0.0.0", "*"]);

export const AKS_PACK: RulePack = {
  name: "aks",
  description: "AKS clusters and node pools (Checkov, trivy, AVM AKS production pattern, AKS baseline)",
  rules: [
    {
      id: "AZ-AKS-001",
      title: "Local accounts are disabled; Entra ID is the only way in",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_141"), AVM_AKS_PRODUCTION],
      why: "The local cluster-admin kubeconfig bypasses Entra ID, Conditional Access and audit; anyone with it is admin.",
      fix: "Set local_account_disabled = true (AksCluster does); use kubelogin with Entra ID.",
      check: (r) =>
        expectBool(r, "local_account_disabled", true, {
          whenUnset: "fail",
          unsetNote: "the default keeps local accounts",
        }),
    },
    {
      id: "AZ-AKS-002",
      title: "Kubernetes RBAC is enabled",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_5"), trivy("AVD-AZU-0042")],
      why: "Without RBAC every authenticated identity can do everything in the cluster.",
      fix: "Leave role_based_access_control_enabled at its default (true).",
      check: (r) => expectBool(r, "role_based_access_control_enabled", true, { whenUnset: "pass" }),
    },
    {
      id: "AZ-AKS-003",
      title: "Entra ID integration authorizes with Azure RBAC",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "all",
      sources: [
        AVM_AKS_PRODUCTION,
        learn("Use Azure RBAC for Kubernetes authorization", "aks/manage-azure-rbac"),
      ],
      why: "Cluster access is then granted and revoked in Entra ID groups and Azure role assignments, in one audited place.",
      fix: "Add azure_active_directory_role_based_access_control { azure_rbac_enabled = true } (AksCluster's entra prop).",
      check: (r) =>
        allOf(
          expectPresent(r, "azure_active_directory_role_based_access_control"),
          expectBool(r, "azure_active_directory_role_based_access_control.azure_rbac_enabled", true, {
            whenUnset: "fail",
          }),
        ),
    },
    {
      id: "AZ-AKS-004",
      title: "The API server is private or restricted to authorized IP ranges",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "all",
      sources: [
        checkov("CKV_AZURE_6"),
        trivy("AVD-AZU-0041"),
        checkov("CKV_AZURE_115"),
        trivy("AVD-AZU-0065"),
      ],
      why: "A Kubernetes API reachable from the whole Internet is exposed to credential stuffing and to every API server CVE.",
      fix:
        "Set apiServerAuthorizedIpRanges in environments/fleet.yaml (api_server_access_profile.authorized_ip_ranges), " +
        "or make the cluster private. 0.0.0.0/0 does not count.",
      check: (r) => {
        const isPrivate = r.bool("private_cluster_enabled");
        if (isPrivate === true) return PASS;
        const ranges = r.list("api_server_access_profile.authorized_ip_ranges");
        if (ranges === UNKNOWN) return UNKNOWN_VERDICT;
        if (ranges === undefined || ranges.length === 0) {
          return isPrivate === UNKNOWN
            ? UNKNOWN_VERDICT
            : fail(
                "private_cluster_enabled is not true and api_server_access_profile.authorized_ip_ranges is empty",
              );
        }
        const open = ranges.filter((v) => typeof v === "string" && OPEN_RANGES.has(v.trim()));
        if (open.length > 0) return fail(`authorized_ip_ranges admits everyone (${open.join(", ")})`);
        return PASS;
      },
    },
    {
      id: "AZ-AKS-005",
      title: "A network policy engine is configured",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_7"), trivy("AVD-AZU-0043")],
      why: "Without a network policy engine NetworkPolicy objects are ignored and every pod can reach every other pod.",
      fix: "Set network_profile.network_policy (AksCluster defaults to cilium).",
      check: (r) =>
        expectOneOf(r, "network_profile.network_policy", ["cilium", "azure", "calico"], {
          whenUnset: "fail",
          unsetNote: "no network policy engine",
        }),
    },
    {
      id: "AZ-AKS-006",
      title: "The Azure Policy add-on is enabled",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_116"), trivy("AVD-AZU-0066"), AVM_AKS_PRODUCTION],
      why: "The add-on enforces and reports Azure Policy (pod security, allowed images) inside the cluster.",
      fix: "Set azure_policy_enabled = true.",
      check: (r) => expectBool(r, "azure_policy_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-AKS-007",
      title: "Container Insights sends logs to Log Analytics",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_4"), trivy("AVD-AZU-0040")],
      why: "Without cluster logs an incident cannot be investigated after the fact.",
      fix: "Add oms_agent { log_analytics_workspace_id = ... } (AksCluster's logAnalyticsWorkspaceId).",
      check: (r) => expectPresent(r, "oms_agent.log_analytics_workspace_id", "no Container Insights"),
    },
    {
      id: "AZ-AKS-008",
      title: "A Kubernetes auto-upgrade channel is chosen",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_171"), AVM_AKS_PRODUCTION],
      why: "Clusters left on an old patch version miss security fixes and fall out of support.",
      fix: "Set automaticUpgradeChannel in environments/fleet.yaml (patch is the fleet default).",
      check: (r) =>
        expectOneOf(r, "automatic_upgrade_channel", ["patch", "stable", "rapid", "node-image"], {
          whenUnset: "fail",
          unsetNote: "no automatic upgrades",
        }),
    },
    {
      id: "AZ-AKS-009",
      title: "The node OS upgrade channel applies security updates",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [AKS_BASELINE, learn("Auto-upgrade node OS images", "aks/auto-upgrade-node-os-image")],
      why: "Channel None leaves node OS vulnerabilities unpatched until someone reimages by hand.",
      fix: "Use NodeImage (default) or SecurityPatch; Unmanaged only with Kured.",
      check: (r) =>
        expectOneOf(r, "node_os_upgrade_channel", ["NodeImage", "SecurityPatch", "Unmanaged"], {
          whenUnset: "pass",
        }),
    },
    {
      id: "AZ-AKS-010",
      title: "Automatic upgrades run inside maintenance windows",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [AKS_BASELINE, learn("Planned maintenance for AKS", "aks/planned-maintenance")],
      why: "Without a window AKS may upgrade or reimage nodes at any time, including business hours.",
      fix: "Set maintenance.autoUpgrade and maintenance.nodeOs in environments/fleet.yaml.",
      check: (r) => {
        const channel = r.str("automatic_upgrade_channel");
        const nodeOs = r.str("node_os_upgrade_channel");
        if (channel === UNKNOWN || nodeOs === UNKNOWN) return UNKNOWN_VERDICT;
        const verdicts: Verdict[] = [];
        if (channel !== undefined && channel !== "none") {
          verdicts.push(
            expectPresent(r, "maintenance_window_auto_upgrade", `channel ${channel} upgrades at any time`),
          );
        }
        if (nodeOs === undefined || nodeOs === "NodeImage" || nodeOs === "SecurityPatch") {
          verdicts.push(
            expectPresent(r, "maintenance_window_node_os", "node images are applied at any time"),
          );
        }
        return verdicts.length === 0 ? NOT_APPLICABLE : allOf(...verdicts);
      },
    },
    {
      id: "AZ-AKS-011",
      title: "The Key Vault secrets provider rotates secrets",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_172"), AVM_AKS_PRODUCTION],
      why: "Without rotation pods keep serving a secret after it was rotated or revoked in Key Vault.",
      fix: "Add key_vault_secrets_provider { secret_rotation_enabled = true } (AksCluster does).",
      check: (r) =>
        expectBool(r, "key_vault_secrets_provider.secret_rotation_enabled", true, {
          whenUnset: "fail",
          unsetNote: "no secrets provider, or rotation off",
        }),
    },
    {
      id: "AZ-AKS-012",
      title: "Workload identity and the OIDC issuer are enabled",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [
        AVM_AKS_PRODUCTION,
        AKS_BASELINE,
        learn("Workload identity on AKS", "aks/workload-identity-overview"),
      ],
      why: "Workload identity lets pods use Entra ID without secrets; without it credentials end up in Kubernetes secrets.",
      fix: "Set oidc_issuer_enabled = true and workload_identity_enabled = true.",
      check: (r) =>
        allOf(
          expectBool(r, "oidc_issuer_enabled", true, { whenUnset: "fail" }),
          expectBool(r, "workload_identity_enabled", true, { whenUnset: "fail" }),
        ),
    },
    {
      id: "AZ-AKS-013",
      title: "The system node pool runs only critical add-ons",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_232")],
      why: "Application pods on system nodes can starve CoreDNS and the other add-ons the whole cluster depends on.",
      fix: "Set default_node_pool.only_critical_addons_enabled = true and run workloads on user pools.",
      check: (r) =>
        expectBool(r, "default_node_pool.only_critical_addons_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-AKS-014",
      title: "Nodes allow at least 50 pods",
      pack: "aks",
      resourceTypes: [CLUSTER, NODE_POOL],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_168")],
      why: "A low max_pods strands node capacity and forces more nodes; it cannot be raised without replacing the pool.",
      fix: "Set max_pods explicitly (the fleet uses 110).",
      check: (r) =>
        onPool(r, (pool, at) =>
          prefix(
            expectAtLeast(pool, "max_pods", 50, {
              whenUnset: "fail",
              unsetNote: "the default depends on the network plugin",
            }),
            at,
          ),
        ),
    },
    {
      id: "AZ-AKS-015",
      title: "Run command is disabled",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "medium",
      environments: "all",
      sources: [
        AKS_BASELINE,
        learn("Access a private cluster with command invoke", "aks/access-private-cluster"),
      ],
      why: "Run command executes kubectl with cluster-admin rights through the Azure API, around the API server's network restrictions.",
      fix: "Set run_command_enabled = false (AksCluster does).",
      check: (r) =>
        expectBool(r, "run_command_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the default is enabled",
        }),
    },
    {
      id: "AZ-AKS-016",
      title: "Node temp disks and caches are encrypted at host",
      pack: "aks",
      resourceTypes: [CLUSTER, NODE_POOL],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_227"), AVM_AKS_PRODUCTION],
      why: "Without encryption at host, temp disks and OS/data disk caches on the VM host are not encrypted.",
      fix:
        "Register Microsoft.Compute/EncryptionAtHost on the subscription, then set host_encryption_enabled = true " +
        "on every pool (changing it rotates the pool).",
      check: (r) =>
        onPool(r, (pool, at) =>
          prefix(expectBool(pool, "host_encryption_enabled", true, { whenUnset: "fail" }), at),
        ),
    },
    {
      id: "AZ-AKS-017",
      title: "Image Cleaner removes unused, vulnerable images from nodes",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "low",
      environments: "all",
      sources: [AKS_BASELINE, learn("Use Image Cleaner on AKS", "aks/image-cleaner")],
      why: "Stale images with known vulnerabilities stay on nodes and can be started again.",
      fix: "Set image_cleaner_enabled = true.",
      check: (r) => expectBool(r, "image_cleaner_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-AKS-018",
      title: "Production clusters use a paid tier with an uptime SLA",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "high",
      environments: "prod",
      sources: [checkov("CKV_AZURE_170"), AVM_AKS_PRODUCTION],
      why: "The Free tier has no API server SLA and fewer control plane resources.",
      fix: "Set skuTier: Standard (or Premium) for the production class in environments/fleet.yaml.",
      check: (r) =>
        expectOneOf(r, "sku_tier", ["Standard", "Premium"], {
          whenUnset: "fail",
          unsetNote: "the default is Free",
        }),
    },
    {
      id: "AZ-AKS-019",
      title: "Production node pools span at least two availability zones",
      pack: "aks",
      resourceTypes: [CLUSTER, NODE_POOL],
      severity: "high",
      environments: "prod",
      sources: [
        AVM_AKS_PRODUCTION,
        learn(
          "Well-Architected: AKS reliability",
          "well-architected/service-guides/azure-kubernetes-service",
        ),
      ],
      why: "Nodes in one zone go down together with that zone; zones cannot be added to an existing pool.",
      fix: "Set zones in environments/fleet.yaml to at least two zones (the fleet uses 1, 2, 3).",
      check: (r) =>
        onPool(r, (pool, at) => {
          const zones = pool.list("zones");
          if (zones === UNKNOWN || zones?.some(isReference)) return UNKNOWN_VERDICT;
          const count = new Set(zones ?? []).size;
          return count >= 2 ? PASS : fail(`${at}zones has ${count} zone${count === 1 ? "" : "s"}`);
        }),
    },
    {
      id: "AZ-AKS-020",
      title: "The HTTP application routing add-on is disabled",
      pack: "aks",
      resourceTypes: [CLUSTER],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_AZURE_246")],
      why: "The add-on is retired, unsupported for production and exposes an unauthenticated ingress.",
      fix: "Leave http_application_routing_enabled unset or false; use Traefik (constructs/in-cluster).",
      check: (r) => expectBool(r, "http_application_routing_enabled", false, { whenUnset: "pass" }),
    },
    {
      id: "AZ-AKS-021",
      title: "Nodes have no public IP addresses",
      pack: "aks",
      resourceTypes: [CLUSTER, NODE_POOL],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_143")],
      why: "A public IP per node exposes the kubelet and every host port to the Internet.",
      fix: "Leave node_public_ip_enabled unset or false.",
      check: (r) =>
        onPool(r, (pool, at) =>
          prefix(expectBool(pool, "node_public_ip_enabled", false, { whenUnset: "pass" }), at),
        ),
    },
  ],
};

function prefix(verdict: Verdict, at: string): Verdict {
  if (!Array.isArray(verdict) || at === "") return verdict;
  return (verdict as readonly string[]).map((d) => (d.startsWith(at) ? d : `${at}${d}`));
}
