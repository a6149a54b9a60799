/**
 * Resource types the fleet emits that no rule reads, each with the reason. A test fails when the
 * synthesized fleet contains a type that has neither a rule nor an entry here, so a new resource
 * type cannot slip past policy unnoticed.
 */
export const POLICY_EXEMPT_TYPES: Readonly<Record<string, string>> = {
  azurerm_subnet_network_security_group_association:
    "A pure association; the NSG and the subnet carry the rules (AZ-NET-*).",
  azurerm_user_assigned_identity:
    "An identity has no security settings of its own; what it may do is checked on its role assignments and federated credentials (AZ-ID-*).",
  azurerm_virtual_network:
    "Nothing in the field's baselines applies to the fleet's VNets (DDoS plans and custom DNS are not adopted; see constructs/policy/README.md); subnets and NSGs carry the rules.",
  azurerm_dns_a_record: "Records are data; the zone is guarded by SAFE-001 and issuance by AZ-DNS-001.",
  azurerm_dns_ns_record: "Delegation data; the zone is guarded by SAFE-001.",
  azurerm_monitor_data_collection_rule:
    "Routes Container Insights to the workspace (no data plane of its own); that it exists for every cluster is tested in the stacks.",
  azurerm_monitor_data_collection_rule_association:
    "A pure association of a rule with a cluster; the cluster and the workspace carry the rules.",
  azurerm_management_lock:
    "A delete lock is itself a guard; nothing in it can be weakened but its existence.",
  azurerm_postgresql_flexible_server_active_directory_administrator:
    "Names the server's Entra ID administrator; AZ-PG-002 requires Entra authentication on the server.",
  azurerm_private_dns_zone_virtual_network_link:
    "Links a private DNS zone to a VNet; nothing to harden (the zone is guarded by SAFE-001).",
  azurerm_monitor_private_link_scoped_service:
    "Adds a workspace, component or data collection endpoint to a private link scope; the scope (AZ-MON-005) and the resources (AZ-MON-004, AZ-MON-006) carry the rules.",
  terraform_data:
    "Only the bootstrap stack's one-off registration of Microsoft.Compute/EncryptionAtHost (a local-exec of az); no settings to harden.",
};
