import { anyOf, expectBool, expectPresent } from "../checks";
import type { RulePack } from "../rule";
import { learn } from "./sources";

const WORKSPACE = "azurerm_log_analytics_workspace";
const APP_INSIGHTS = "azurerm_application_insights";

export const MONITORING_PACK: RulePack = {
  name: "monitoring",
  description: "Log Analytics and Application Insights (Microsoft Learn)",
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
  ],
};
