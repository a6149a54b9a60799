import { ApplicationInsights } from "@cdktf/provider-azurerm/lib/application-insights";
import { LogAnalyticsWorkspace } from "@cdktf/provider-azurerm/lib/log-analytics-workspace";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { retentionInDaysProblems } from "./settings";

export interface MonitoringProps {
  /** Resource group of both resources. Changing this replaces them. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces both resources. */
  readonly location: string;
  /** Log Analytics workspace name, 4-63 characters. Changing this replaces the workspace. */
  readonly workspaceName: string;
  /** Application Insights name. Changing this replaces the component (and its connection string). */
  readonly appInsightsName: string;
  /**
   * Days the workspace keeps data (30-730); Application Insights data lives in the workspace.
   * @default 30
   */
  readonly retentionInDays?: number;
  /**
   * Daily ingestion cap in GB, a FinOps guard against runaway logging.
   * @default - no cap
   */
  readonly dailyQuotaGb?: number;
  /**
   * Let Application Insights accept telemetry authenticated only by the instrumentation key in
   * its connection string. Off by default: senders must use an Entra token and hold
   * `Monitoring Metrics Publisher` on the component. Turn on only for senders that cannot.
   * @default false
   */
  readonly allowAppInsightsLocalAuth?: boolean;
  /** FinOps tags; `submodule = "monitoring"` is added. */
  readonly tags: Tags;
}

/**
 * A Log Analytics workspace and a workspace-based Application Insights component, neither
 * reachable for ingestion or query from public networks (pair it with MonitorPrivateLink). Both refuse
 * shared-key authentication: Container Insights sends with the cluster's managed identity
 * (`msi_auth_for_monitoring_enabled`), which AksCluster turns on.
 *
 * No outputs are created; the connection string is marked sensitive by the provider and should
 * travel to workloads through Key Vault or a Kubernetes secret, not through state outputs.
 */
export class Monitoring extends Construct {
  readonly workspace: LogAnalyticsWorkspace;
  readonly appInsights: ApplicationInsights;
  /** Workspace resource ID (what AKS `oms_agent` and diagnostic settings take). */
  readonly workspaceId: string;
  /** Workspace name. */
  readonly workspaceName: string;
  /** Application Insights resource ID. */
  readonly appInsightsId: string;
  /** Application Insights connection string (sensitive). */
  readonly appInsightsConnectionString: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "monitoring");

    this.workspace = new LogAnalyticsWorkspace(this, "workspace", {
      name: props.workspaceName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "PerGB2018",
      retentionInDays: props.retentionInDays ?? 30,
      dailyQuotaGb: props.dailyQuotaGb,
      // azurerm 4.x name; `local_authentication_disabled` is deprecated.
      localAuthenticationEnabled: false,
      // Ingestion and queries only through the environment's Azure Monitor Private Link Scope
      // (MonitorPrivateLink); the provider defaults both to true.
      internetIngestionEnabled: false,
      internetQueryEnabled: false,
      tags,
      // The logs are the incident record; losing the workspace loses them (SAFE-001).
      lifecycle: statefulLifecycle(),
    });

    this.appInsights = new ApplicationInsights(this, "app-insights", {
      name: props.appInsightsName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      applicationType: "web",
      workspaceId: this.workspace.id,
      localAuthenticationDisabled: !(props.allowAppInsightsLocalAuth ?? false),
      internetIngestionEnabled: false,
      internetQueryEnabled: false,
      tags,
    });

    this.workspaceId = this.workspace.id;
    this.workspaceName = this.workspace.name;
    this.appInsightsId = this.appInsights.id;
    this.appInsightsConnectionString = this.appInsights.connectionString;
  }

  private validate(props: MonitoringProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    if (!Token.isUnresolved(props.workspaceName)) {
      const problem = checkName(NAMING_RULES.logAnalyticsWorkspace, props.workspaceName);
      if (problem) throw err(`workspaceName: ${problem}`);
    }
    if (!Token.isUnresolved(props.appInsightsName)) {
      const problem = checkName(NAMING_RULES.applicationInsights, props.appInsightsName);
      if (problem) throw err(`appInsightsName: ${problem}`);
    }
    for (const p of retentionInDaysProblems(props.retentionInDays, Token.isUnresolved)) throw err(p.message);
    const quota = props.dailyQuotaGb;
    if (quota !== undefined && !Token.isUnresolved(quota) && !(quota > 0)) {
      throw err(`dailyQuotaGb ${quota} must be greater than 0`);
    }
  }
}
