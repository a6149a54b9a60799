/**
 * What monitoring's callers may set, as pure checks: Monitoring runs them and throws; the fleet
 * loader runs them on fleet.yaml. Loads neither cdktf nor the provider.
 */
import { ALL_RESOLVED, type FieldProblem, type IsUnresolved, wholeNumberProblems } from "../common/problems";

/**
 * Log Analytics retention on the PerGB2018 tier: 30 to 730 days (`retention_in_days`,
 * hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/loganalytics/log_analytics_workspace_resource.go). Problem at `["retentionInDays"]`.
 */
export function retentionInDaysProblems(
  days: number | undefined,
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const range = { min: 30, max: 730, why: "(PerGB2018)", fix: "use a value from 30 to 730" };
  return wholeNumberProblems("retentionInDays", days, range, isUnresolved);
}
