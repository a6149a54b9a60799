import { UNKNOWN } from "../attributes";
import {
  allOf,
  anyOf,
  expectBool,
  expectOneOf,
  expectPresent,
  fail,
  NOT_APPLICABLE,
  PASS,
  show,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn, trivy } from "./sources";

const SERVER = "azurerm_postgresql_flexible_server";
const CONFIGURATION = "azurerm_postgresql_flexible_server_configuration";
const FIREWALL_RULE = "azurerm_postgresql_flexible_server_firewall_rule";

export const POSTGRES_PACK: RulePack = {
  name: "postgres",
  description: "Azure Database for PostgreSQL flexible server (Checkov, trivy, Microsoft Learn)",
  rules: [
    {
      id: "AZ-PG-001",
      title: "The server is reachable only from private networks",
      pack: "postgres",
      resourceTypes: [SERVER],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV2_AZURE_57"), trivy("AVD-AZU-0022"), checkov("CKV_AZURE_68")],
      why: "A database with a public endpoint is exposed to password spraying and every server CVE.",
      fix: "Use VNet integration (delegated_subnet_id with private_dns_zone_id) or private endpoints with public_network_access_enabled = false.",
      check: (r) =>
        anyOf(
          expectPresent(r, "delegated_subnet_id"),
          expectBool(r, "public_network_access_enabled", false, { whenUnset: "fail" }),
        ),
    },
    {
      id: "AZ-PG-002",
      title: "Entra ID authentication is on and password authentication is off",
      pack: "postgres",
      resourceTypes: [SERVER],
      severity: "high",
      environments: "all",
      sources: [
        learn(
          "Microsoft Entra authentication with PostgreSQL flexible server",
          "postgresql/flexible-server/concepts-azure-ad-authentication",
        ),
      ],
      why: "Passwords are shared, long-lived and unaudited; managed identities get short-lived Entra tokens.",
      fix: "Add authentication { active_directory_auth_enabled = true, password_auth_enabled = false, tenant_id = ... }.",
      check: (r) =>
        allOf(
          expectBool(r, "authentication.active_directory_auth_enabled", true, {
            whenUnset: "fail",
            unsetNote: "the default is password authentication only",
          }),
          expectBool(r, "authentication.password_auth_enabled", false, {
            whenUnset: "fail",
            unsetNote: "the default is enabled",
          }),
        ),
    },
    {
      id: "AZ-PG-003",
      title: "No administrator password is kept in configuration or state",
      pack: "postgres",
      resourceTypes: [SERVER],
      severity: "medium",
      environments: "all",
      sources: [
        {
          name: "Terraform write-only arguments (administrator_password_wo)",
          url: "https://developer.hashicorp.com/terraform/language/resources/ephemeral/write-only",
        },
      ],
      why: "administrator_password is stored in plain text in state, readable by everyone who can read the state blob.",
      fix: "Use Entra ID only (AZ-PG-002), or administrator_password_wo with an ephemeral source.",
      check: (r) => {
        const value = r.get("administrator_password");
        return value === undefined || value === null ? PASS : fail("administrator_password is set");
      },
    },
    {
      id: "AZ-PG-004",
      title: "Production backups are geo-redundant",
      pack: "postgres",
      resourceTypes: [SERVER],
      severity: "high",
      environments: "prod",
      sources: [
        checkov("CKV_AZURE_136"),
        learn(
          "Backup and restore in PostgreSQL flexible server",
          "postgresql/flexible-server/concepts-backup-restore",
        ),
      ],
      why: "Locally redundant backups are lost with the region; geo-redundancy cannot be turned on after creation.",
      fix: "Set geo_redundant_backup_enabled = true at creation.",
      check: (r) => expectBool(r, "geo_redundant_backup_enabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-PG-005",
      title: "Production servers have zone-redundant high availability",
      pack: "postgres",
      resourceTypes: [SERVER],
      severity: "high",
      environments: "prod",
      sources: [
        learn(
          "High availability in PostgreSQL flexible server",
          "postgresql/flexible-server/concepts-high-availability",
        ),
      ],
      why: "Without a standby in another zone a zone outage takes the database, and every service on it, down.",
      fix: 'Add high_availability { mode = "ZoneRedundant" } (General Purpose or Memory Optimized tiers).',
      check: (r) =>
        expectOneOf(r, "high_availability.mode", ["ZoneRedundant"], {
          whenUnset: "fail",
          unsetNote: "no high availability",
        }),
    },
    {
      id: "AZ-PG-006",
      title: "Connections require TLS 1.2 or later",
      pack: "postgres",
      resourceTypes: [CONFIGURATION],
      severity: "high",
      environments: "all",
      sources: [trivy("AVD-AZU-0020"), trivy("AVD-AZU-0026")],
      why: "Unencrypted or old-TLS connections expose credentials and data on the network.",
      fix: "Leave require_secure_transport on and ssl_min_protocol_version at TLSv1.2 or TLSv1.3.",
      check: (r) => {
        const name = r.str("name");
        const value = r.str("value");
        if (name === UNKNOWN || value === UNKNOWN) return UNKNOWN_VERDICT;
        if (name === "require_secure_transport") {
          return value?.toLowerCase() === "off" ? fail('require_secure_transport is "off"') : PASS;
        }
        if (name === "ssl_min_protocol_version") {
          return ["TLSv1.2", "TLSv1.3"].includes(value ?? "")
            ? PASS
            : fail(`ssl_min_protocol_version is ${show(value)}`);
        }
        return NOT_APPLICABLE;
      },
    },
    {
      id: "AZ-PG-007",
      title: "Firewall rules do not admit the Internet or all of Azure",
      pack: "postgres",
      resourceTypes: [FIREWALL_RULE],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV2_AZURE_26"), trivy("AVD-AZU-0029")],
      why: "0.0.0.0-255.255.255.255 admits everyone; 0.0.0.0-0.0.0.0 admits every Azure customer's resources.",
      fix: "Admit specific ranges, or use private networking and no firewall rules.",
      check: (r) => {
        const start = r.str("start_ip_address");
        const end = r.str("end_ip_address");
        if (start === UNKNOWN || end === UNKNOWN) return UNKNOWN_VERDICT;
        if (start === "0.0.0.0" && end === "255.255.255.255") return fail("the rule admits every address");
        if (start === "0.0.0.0" && end === "0.0.0.0")
          return fail("the rule admits all Azure services of every tenant");
        return PASS;
      },
    },
  ],
};
