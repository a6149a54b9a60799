/**
 * Attribute changes a reviewer must see before a plan runs: the ones that make the azurerm
 * provider replace a resource (destroy, then create) or otherwise break what depends on it.
 * One table, data only; `npm run diff` applies it to every changed or moved resource.
 *
 * Sources: the azurerm 4.x resource docs ("Changing this forces a new resource to be
 * created"). A rule that cannot be certain says so in its note: the plan is the final word,
 * the diff exists so that nobody is surprised by it.
 */

import { isStatefulType } from "../../constructs/common/stateful";
import type { Json } from "../shared/json";

/** What applying the change does to the existing resource. */
export type RuleEffect =
  /** Destroyed and created again: data, identity and endpoints are lost. */
  | "replace"
  /** Rebuilt in place by cycling (a node pool through `temporary_name_for_rotation`). */
  | "rotate"
  /** Updated in place, but with an effect a reviewer must approve knowingly. */
  | "in-place"
  /**
   * Planned as an in-place update that Azure refuses while the resource is in use: the apply
   * fails, and the only way through is rebuilding what uses it.
   */
  | "refused";

export interface RuleVerdict {
  readonly effect: RuleEffect;
  readonly note: string;
}

export interface AttributeRule {
  /** Resource types the rule applies to; `"stateful"` = every type in STATEFUL_RESOURCE_TYPES. */
  readonly types: readonly string[] | "stateful";
  /** Attribute path, dotted, without list indices (nested blocks are followed through their first element). */
  readonly attribute: string;
  /** Decides the effect of one change; without it the change replaces the resource. */
  readonly classify?: (
    before: Json | undefined,
    after: Json | undefined,
    resource: Json | undefined,
  ) => RuleVerdict;
  /** Why a replacement hurts, when the rule has no classify. */
  readonly note?: string;
}

const LOCAL_REDUNDANCY = new Set(["LRS", "GRS", "RAGRS"]);
const ZONE_REDUNDANCY = new Set(["ZRS", "GZRS", "RAGZRS"]);

function replicationChange(before: Json | undefined, after: Json | undefined): RuleVerdict {
  const b = String(before);
  const a = String(after);
  const sameGroup =
    (LOCAL_REDUNDANCY.has(b) && LOCAL_REDUNDANCY.has(a)) ||
    (ZONE_REDUNDANCY.has(b) && ZONE_REDUNDANCY.has(a));
  if (sameGroup) {
    return {
      effect: "in-place",
      note: `changed in place (within ${[...(LOCAL_REDUNDANCY.has(b) ? LOCAL_REDUNDANCY : ZONE_REDUNDANCY)].join("/")}), but the account's redundancy and cost change`,
    };
  }
  return {
    effect: "replace",
    note: "replaces the storage account: azurerm cannot convert between LRS/GRS/RAGRS and ZRS/GZRS/RAGZRS in place (Azure's own conversion is a separate migration)",
  };
}

function accountKindChange(before: Json | undefined, after: Json | undefined): RuleVerdict {
  if (before === "Storage" && after === "StorageV2") {
    return { effect: "in-place", note: "upgraded in place from Storage to StorageV2 (cannot be undone)" };
  }
  return { effect: "replace", note: "replaces the storage account (only Storage → StorageV2 is in place)" };
}

/** The default node pool's settings that AKS can only change by rebuilding the pool. */
function nodePoolCycle(
  before: Json | undefined,
  after: Json | undefined,
  resource: Json | undefined,
): RuleVerdict {
  void before;
  void after;
  const pool =
    resource !== null && typeof resource === "object" && !Array.isArray(resource)
      ? resource.default_node_pool
      : undefined;
  const first = Array.isArray(pool) ? pool[0] : pool;
  const temp =
    first !== null && typeof first === "object" && !Array.isArray(first)
      ? first.temporary_name_for_rotation
      : undefined;
  if (typeof temp === "string" && temp !== "") {
    return {
      effect: "rotate",
      note: `the system node pool is cycled through the temporary pool "${temp}": every system node is drained and recreated`,
    };
  }
  return {
    effect: "replace",
    note: "the system node pool must be rebuilt and default_node_pool.temporary_name_for_rotation is not set: the provider refuses the change or replaces the cluster",
  };
}

function poolCycle(note: string): AttributeRule["classify"] {
  return () => ({ effect: "rotate", note });
}

function refused(note: string): AttributeRule["classify"] {
  return () => ({ effect: "refused", note });
}

const AKS = ["azurerm_kubernetes_cluster"];
const NODE_POOL = ["azurerm_kubernetes_cluster_node_pool"];
const STORAGE = ["azurerm_storage_account"];

/**
 * A cluster network's address block (fleet/address-plan.ts) is written into exactly two places:
 * the VNet's `address_space` and each subnet's `address_prefixes`; the pod and service ranges are
 * fleet-wide overlay ranges (`addressPlan.podCidr`, `serviceCidr`), written into every cluster's
 * `network_profile`.
 */
const ADDRESS_BLOCK_MOVED =
  "a moved address block means a new network and, with it, a new cluster: keep the old block, or rebuild the environment deliberately";

export const ATTRIBUTE_RULES: readonly AttributeRule[] = [
  // Every stateful resource is addressed in Azure by name, location and resource group.
  {
    types: "stateful",
    attribute: "name",
    note: "a new name is a new resource: the old one and its data are destroyed",
  },
  {
    types: "stateful",
    attribute: "location",
    note: "moving region replaces the resource and loses its data",
  },
  {
    types: "stateful",
    attribute: "resource_group_name",
    note: "moving resource group replaces the resource and loses its data",
  },
  // Resource groups: replacing one deletes everything in it.
  // (name/location are covered above; the type is stateful.)

  // AKS cluster.
  { types: AKS, attribute: "dns_prefix", note: "replaces the cluster" },
  { types: AKS, attribute: "dns_prefix_private_cluster", note: "replaces the cluster" },
  { types: AKS, attribute: "private_cluster_enabled", note: "replaces the cluster" },
  {
    types: AKS,
    attribute: "network_profile.network_plugin",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  {
    types: AKS,
    attribute: "network_profile.service_cidr",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  {
    types: AKS,
    attribute: "network_profile.dns_service_ip",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  {
    types: AKS,
    attribute: "network_profile.pod_cidr",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  // ForceNew like the single-range attributes (hashicorp/terraform-provider-azurerm@v4.55.0:
  // internal/services/containers/kubernetes_cluster_resource.go, network_profile).
  {
    types: AKS,
    attribute: "network_profile.pod_cidrs",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  {
    types: AKS,
    attribute: "network_profile.service_cidrs",
    note: "AKS networking is fixed at creation: replaces the cluster",
  },
  { types: AKS, attribute: "default_node_pool.vm_size", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.name", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.zones", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.os_disk_size_gb", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.os_disk_type", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.os_sku", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.vnet_subnet_id", classify: nodePoolCycle },
  { types: AKS, attribute: "default_node_pool.max_pods", classify: nodePoolCycle },

  // AKS user node pools.
  { types: NODE_POOL, attribute: "name", note: "replaces the node pool: its nodes are drained and deleted" },
  { types: NODE_POOL, attribute: "kubernetes_cluster_id", note: "replaces the node pool" },
  ...["vm_size", "zones", "os_disk_size_gb", "os_disk_type", "os_sku", "vnet_subnet_id", "max_pods"].map(
    (attribute): AttributeRule => ({
      types: NODE_POOL,
      attribute,
      classify: poolCycle(
        "the node pool is rebuilt (cycled through temporary_name_for_rotation, or replaced without it): every node is drained and recreated",
      ),
    }),
  ),

  // Cluster networks. Neither attribute is ForceNew in azurerm v4.55.0
  // (internal/services/network/virtual_network_resource.go, subnet_resource.go: both are sent
  // in an update), so the plan shows an in-place change; Azure refuses it while the range is in
  // use (Learn: https://learn.microsoft.com/azure/virtual-network/manage-virtual-network,
  // "Add or remove an address range": a range a subnet uses cannot be removed;
  // https://learn.microsoft.com/azure/virtual-network/virtual-network-manage-subnet, "Change
  // subnet settings": the address range of a subnet with resources in it cannot be changed).
  // Every subnet of a fleet network has members: the node pools, the private endpoints, the
  // delegated PostgreSQL server.
  {
    types: ["azurerm_virtual_network"],
    attribute: "address_space",
    classify: refused(
      `updated in place by the provider, but Azure refuses to remove a range its subnets still use, so the apply fails; ${ADDRESS_BLOCK_MOVED}`,
    ),
  },
  {
    types: ["azurerm_subnet"],
    attribute: "address_prefixes",
    classify: refused(
      `updated in place by the provider, but Azure refuses to change the range of a subnet with nodes, private endpoints or a delegated server in it, so the apply fails; ${ADDRESS_BLOCK_MOVED}`,
    ),
  },

  // Storage accounts.
  { types: STORAGE, attribute: "account_replication_type", classify: replicationChange },
  { types: STORAGE, attribute: "account_kind", classify: accountKindChange },
  { types: STORAGE, attribute: "account_tier", note: "replaces the storage account and its data" },
  {
    types: STORAGE,
    attribute: "infrastructure_encryption_enabled",
    note: "replaces the storage account and its data",
  },
  { types: STORAGE, attribute: "is_hns_enabled", note: "replaces the storage account and its data" },
  { types: STORAGE, attribute: "nfsv3_enabled", note: "replaces the storage account and its data" },
  { types: STORAGE, attribute: "edge_zone", note: "replaces the storage account and its data" },
  {
    types: STORAGE,
    attribute: "queue_encryption_key_type",
    note: "replaces the storage account and its data",
  },
  {
    types: STORAGE,
    attribute: "table_encryption_key_type",
    note: "replaces the storage account and its data",
  },
  {
    types: ["azurerm_storage_container"],
    attribute: "storage_account_id",
    note: "replaces the container and the blobs in it",
  },
  {
    types: ["azurerm_storage_container"],
    attribute: "storage_account_name",
    note: "replaces the container and the blobs in it",
  },

  // Key Vault.
  {
    types: ["azurerm_key_vault"],
    attribute: "tenant_id",
    classify: () => ({
      effect: "in-place",
      note: "the vault trusts another Entra ID tenant: every existing role assignment and access policy stops working",
    }),
  },
  {
    types: ["azurerm_key_vault"],
    attribute: "purge_protection_enabled",
    classify: (before, after) =>
      before === true && after !== true
        ? { effect: "in-place", note: "purge protection cannot be turned off once on: the apply will fail" }
        : { effect: "in-place", note: "turning purge protection on cannot be undone" },
  },

  // Cosmos DB.
  {
    types: ["azurerm_cosmosdb_account"],
    attribute: "kind",
    note: "replaces the Cosmos DB account and its data",
  },
];

/** The rules for one resource type. */
export function rulesFor(type: string): AttributeRule[] {
  return ATTRIBUTE_RULES.filter((r) =>
    r.types === "stateful" ? isStatefulType(type) : r.types.includes(type),
  );
}

/** Applies a rule to a change of its attribute (before and after are the attribute values). */
export function verdict(
  rule: AttributeRule,
  before: Json | undefined,
  after: Json | undefined,
  resource: Json | undefined,
): RuleVerdict {
  if (rule.classify) return rule.classify(before, after, resource);
  return { effect: "replace", note: rule.note ?? "replaces the resource" };
}
