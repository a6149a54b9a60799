import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { Monitoring, type MonitoringProps } from "../../constructs/monitoring";
import { onlyResource, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function monitoringProps(overrides: Partial<MonitoringProps> = {}): MonitoringProps {
  return {
    resourceGroupName: "monitor-ttd-at22-rg",
    location: "norwayeast",
    workspaceName: "application-ttd-at22-law",
    appInsightsName: "ttd-at22-ai",
    tags: TAGS,
    ...overrides,
  };
}

function synthMonitoring(props: MonitoringProps = monitoringProps()) {
  const stack = newStack();
  const monitoring = new Monitoring(stack, "monitoring", props);
  return { stack, monitoring, synth: synthStack(stack) };
}

function failsWith(props: MonitoringProps, message: RegExp): void {
  expect(() => new Monitoring(newStack(), "monitoring", props)).toThrow(ConstructValidationError);
  expect(() => new Monitoring(newStack(), "monitoring", props)).toThrow(message);
}

describe("Monitoring", () => {
  test("creates a PerGB2018 workspace keeping data 30 days", () => {
    expect(synthMonitoring().synth.json).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      name: "application-ttd-at22-law",
      sku: "PerGB2018",
      retention_in_days: 30,
      tags: { ...TAGS, submodule: "monitoring" },
    });
  });

  test("disables shared-key access to the workspace with the non-deprecated attribute", () => {
    const workspace = onlyResource(synthMonitoring().synth, LogAnalyticsWorkspace.tfResourceType);
    expect(workspace.local_authentication_enabled).toBe(false);
    expect(workspace.local_authentication_disabled).toBeUndefined();
  });

  test("creates a workspace-based web Application Insights without local auth", () => {
    expect(synthMonitoring().synth.json).toHaveResourceWithProperties(ApplicationInsights, {
      name: "ttd-at22-ai",
      application_type: "web",
      workspace_id: expect.stringMatching(
        /^\$\{azurerm_log_analytics_workspace\.monitoring_workspace_[0-9A-F]+\.id\}$/,
      ),
      local_authentication_disabled: true,
      tags: { ...TAGS, submodule: "monitoring" },
    });
  });

  test("takes retention, a daily cap and an explicit local-auth opt-in", () => {
    const { synth } = synthMonitoring(
      monitoringProps({ retentionInDays: 90, dailyQuotaGb: 5, allowAppInsightsLocalAuth: true }),
    );
    expect(synth.json).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      retention_in_days: 90,
      daily_quota_gb: 5,
    });
    expect(synth.json).toHaveResourceWithProperties(ApplicationInsights, {
      local_authentication_disabled: false,
    });
  });

  test("creates no outputs", () => {
    expect(synthMonitoring().synth.parsed.output).toBeUndefined();
  });

  test("exposes the connection string as a reference", () => {
    const stack = newStack();
    const monitoring = new Monitoring(stack, "monitoring", monitoringProps());
    new TerraformOutput(stack, "cs", { value: monitoring.appInsightsConnectionString, sensitive: true });
    expect(synthStack(stack).parsed.output?.cs?.value).toMatch(/\.connection_string\}$/);
  });

  describe("validation", () => {
    test("fails if the workspace name breaks Azure's rule", () => {
      failsWith(monitoringProps({ workspaceName: "law" }), /workspaceName: .*4-63 characters/);
      failsWith(monitoringProps({ workspaceName: "-ttd-law" }), /workspaceName: .*starting and ending/);
    });

    test("fails if the Application Insights name breaks Azure's rule", () => {
      failsWith(monitoringProps({ appInsightsName: "ttd/at22" }), /appInsightsName/);
    });

    test("fails if retention is outside 30-730 days", () => {
      failsWith(monitoringProps({ retentionInDays: 7 }), /retentionInDays 7/);
      failsWith(monitoringProps({ retentionInDays: 731 }), /retentionInDays 731/);
    });

    test("fails if the daily cap is not positive", () => {
      failsWith(monitoringProps({ dailyQuotaGb: 0 }), /dailyQuotaGb 0/);
    });
  });
});
