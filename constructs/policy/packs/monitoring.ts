import { allOf, anyOf, expectBool, expectOneOf, expectPresent } from "../checks";
import type { RulePack } from "../rule";
import { learn } from "./sources";

const WORKSPACE = "azurerm_log_analytics_workspace";
const APP_INSIGHTS = "azurerm_application_insights";
const SCOPE = "azurerm_monitor_private_link_scope";
const DCE = "azurerm_monitor_data_collection_endpoint";

const PRIVATE_LINK = learn(
  "Use Azure Private Link to connect networks to Azure Monitor",
  "azure-monitor/fundamentals/private-link-security",
);

export const MONITORING_PACK: RulePack = {
  name: "monitoring",
  description: "Log Analytics, Application Insights and Azure Monitor private link (Microsoft Learn)",
  rules: [
    {
      id: "AZ-MON-001",
      title: "Log Analytics accepts Entra ID authentication only",
      pack: "monitoring",
      resourceTypes: [WORKSPACE],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Microsoft Entra authentication for Azure Monitor Logs",
          "azure-monitor/logs/azure-ad-authentication-logs",
        ),
      ],
      why: "Workspace shared keys let anyone holding them write forged logs or read data, without an identity.",
      fix: "Set local_authentication_enabled = false (azurerm 4.x; local_authentication_disabled = true before).",
      check: (r) =>
        anyOf(
          expectBool(r, "local_authentication_enabled", false, {
            whenUnset: "fail",
            unsetNote: "the default is true",
          }),
          expectBool(r, "local_authentication_disabled", true, { whenUnset: "fail" }),
        ),
    },
    {
      id: "AZ-MON-002",
      title: "Application Insights accepts Entra ID authenticated telemetry only",
      pack: "monitoring",
      resourceTypes: [APP_INSIGHTS],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Microsoft Entra authentication for Application Insights",
          "azure-monitor/app/azure-ad-authentication",
        ),
      ],
      why: "With local auth, anyone who sees the connection string (it ships in apps) can send forged telemetry.",
      fix: "Set local_authentication_disabled = true (Monitoring's default).",
      check: (r) => expectBool(r, "local_authentication_disabled", true, { whenUnset: "fail" }),
    },
    {
      id: "AZ-MON-003",
      title: "Application Insights is workspace-based",
      pack: "monitoring",
      resourceTypes: [APP_INSIGHTS],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Migrate to workspace-based Application Insights",
          "azure-monitor/app/convert-classic-resource",
        ),
      ],
      why: "Classic Application Insights was retired on 29 February 2024; data then lives outside the workspace's access control and retention.",
      fix: "Set workspace_id to the environment's Log Analytics workspace.",
      check: (r) => expectPresent(r, "workspace_id"),
    },
    {
      id: "AZ-MON-004",
      title: "Log Analytics and Application Insights refuse ingestion and queries from public networks",
      pack: "monitoring",
      resourceTypes: [WORKSPACE, APP_INSIGHTS],
      severity: "medium",
      environments: "all",
      sources: [PRIVATE_LINK],
      why: "Logs and telemetry hold request data and secrets that leak into messages; from public networks anyone with a token can query them, and forged data can be sent.",
      fix: "Set internet_ingestion_enabled = false and internet_query_enabled = false (Monitoring does) and reach them through the environment's Azure Monitor Private Link Scope (MonitorPrivateLink).",
      check: (r) =>
        allOf(
          expectBool(r, "internet_ingestion_enabled", false, {
            whenUnset: "fail",
            unsetNote: "the default is true",
          }),
          expectBool(r, "internet_query_enabled", false, {
            whenUnset: "fail",
            unsetNote: "the default is true",
          }),
        ),
    },
    {
      id: "AZ-MON-005",
      title: "The Azure Monitor Private Link Scope admits private traffic only",
      pack: "monitoring",
      resourceTypes: [SCOPE],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Configure your private link for Azure Monitor",
          "azure-monitor/fundamentals/private-link-configure",
        ),
      ],
      why: "In Open mode, networks connected to the scope still send to and query resources outside it over public endpoints, so data can leave the network.",
      fix: 'Set ingestion_access_mode and query_access_mode to "PrivateOnly" (MonitorPrivateLink does; the provider default is "Open").',
      check: (r) =>
        allOf(
          expectOneOf(r, "ingestion_access_mode", ["PrivateOnly"], {
            whenUnset: "fail",
            unsetNote: "the default is Open",
          }),
          expectOneOf(r, "query_access_mode", ["PrivateOnly"], {
            whenUnset: "fail",
            unsetNote: "the default is Open",
          }),
        ),
    },
    {
      id: "AZ-MON-006",
      title: "Data collection endpoints refuse public networks",
      pack: "monitoring",
      resourceTypes: [DCE],
      severity: "medium",
      environments: "all",
      sources: [
        PRIVATE_LINK,
        learn(
          "Network firewall requirements for monitoring Kubernetes clusters",
          "azure-monitor/containers/kubernetes-monitoring-firewall",
        ),
      ],
      why: "Agents behind private link send through a data collection endpoint in the scope; a public one accepts data from anywhere.",
      fix: "Set public_network_access_enabled = false and add the endpoint to the Azure Monitor Private Link Scope (MonitorPrivateLink does).",
      check: (r) =>
        expectBool(r, "public_network_access_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the default is true",
        }),
    },
  ],
};
