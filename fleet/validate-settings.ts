/**
 * Rules over resolved cluster settings that a schema cannot express: contradictions between
 * fields (min > max), Azure limits, and secure defaults that need an explicit setting to weaken.
 */
import { checkName, NAMING_RULES } from "../constructs/naming";
import type { ClusterSettings, MaintenanceWindowSetting } from "./model";
import { checkVmSize } from "./vm-sizes";

export interface SettingsIssue {
  /** Field path inside the cluster settings. */
  readonly field: readonly (string | number)[];
  /** Other fields the problem depends on (a contradiction); the most specific one is blamed. */
  readonly related?: readonly (readonly (string | number)[])[];
  readonly value: unknown;
  readonly message: string;
  readonly fix: string;
}

/** AKS's autoscaler limits per pool. */
const MAX_NODES_PER_POOL = 1000;

export function checkClusterSettings(s: ClusterSettings): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const pools = [
    ["system", s.nodePools.system],
    ["user", s.nodePools.user],
  ] as const;
  for (const [key, pool] of pools) {
    const nameProblem = checkName(NAMING_RULES.aksNodePool, pool.name);
    if (nameProblem) {
      issues.push({
        field: ["nodePools", key, "name"],
        value: pool.name,
        message: nameProblem,
        fix: "use 1-12 lowercase letters and digits starting with a letter, e.g. syspool or workpool",
      });
    }
    const sizeProblem = checkVmSize(pool.vmSize);
    if (sizeProblem) {
      issues.push({
        field: ["nodePools", key, "vmSize"],
        value: pool.vmSize,
        message: sizeProblem.message,
        fix: sizeProblem.nearest
          ? `use ${sizeProblem.nearest} (the nearest valid size), or another size of a listed series`
          : "use a size such as Standard_D4s_v5",
      });
    }
    if (pool.minCount > pool.maxCount) {
      issues.push({
        field: ["nodePools", key, "minCount"],
        related: [["nodePools", key, "maxCount"]],
        value: pool.minCount,
        message: `minCount ${pool.minCount} is greater than maxCount ${pool.maxCount}`,
        fix: "make minCount at most maxCount (the autoscaler keeps the pool between the two)",
      });
    }
    if (pool.minCount < 0) {
      issues.push({
        field: ["nodePools", key, "minCount"],
        value: pool.minCount,
        message: "minCount cannot be negative",
        fix: "use 0 or more (1 or more for the system pool)",
      });
    }
    if (pool.maxCount > MAX_NODES_PER_POOL) {
      issues.push({
        field: ["nodePools", key, "maxCount"],
        value: pool.maxCount,
        message: `AKS allows at most ${MAX_NODES_PER_POOL} nodes in a pool`,
        fix: `use a maxCount of ${MAX_NODES_PER_POOL} or less, or add a pool`,
      });
    }
    if (pool.maxCount < 1) {
      issues.push({
        field: ["nodePools", key, "maxCount"],
        value: pool.maxCount,
        message: "maxCount must be at least 1",
        fix: "allow at least one node",
      });
    }
  }
  if (s.nodePools.system.minCount < 1) {
    issues.push({
      field: ["nodePools", "system", "minCount"],
      value: s.nodePools.system.minCount,
      message: "the system pool runs CoreDNS and metrics-server and cannot scale to zero",
      fix: "use a minCount of 1 or more (3 across zones in production)",
    });
  }
  if (s.nodePools.system.name === s.nodePools.user.name) {
    issues.push({
      field: ["nodePools", "user", "name"],
      related: [["nodePools", "system", "name"]],
      value: s.nodePools.user.name,
      message: "the user pool has the same name as the system pool",
      fix: "give the two pools different names (syspool and workpool)",
    });
  }
  for (const [key, window] of [
    ["autoUpgrade", s.maintenance.autoUpgrade],
    ["nodeOs", s.maintenance.nodeOs],
  ] as const) {
    issues.push(...checkWindow(key, window));
  }
  if (s.zones.length === 0) {
    issues.push({
      field: ["zones"],
      value: s.zones,
      message: "no availability zones: every node would sit in one failure domain",
      fix: 'list the zones, e.g. ["1", "2", "3"]',
    });
  }
  if (s.apiServerAuthorizedIpRanges.length === 0) {
    issues.push({
      field: ["apiServerAuthorizedIpRanges"],
      value: s.apiServerAuthorizedIpRanges,
      message: "an empty list would leave the Kubernetes API open to the internet",
      fix: "list the egress ranges of the build agents and the operations VPN",
    });
  }
  if (s.keyVault.softDeleteRetentionDays < 7 || s.keyVault.softDeleteRetentionDays > 90) {
    issues.push({
      field: ["keyVault", "softDeleteRetentionDays"],
      value: s.keyVault.softDeleteRetentionDays,
      message: "Key Vault keeps deleted vaults between 7 and 90 days",
      fix: "use a value from 7 to 90 (90 is the safe default)",
    });
  }
  if (s.logAnalytics.retentionInDays < 30 || s.logAnalytics.retentionInDays > 730) {
    issues.push({
      field: ["logAnalytics", "retentionInDays"],
      value: s.logAnalytics.retentionInDays,
      message: "Log Analytics retention must be 30 to 730 days",
      fix: "use a value from 30 to 730",
    });
  }
  if (s.ingress.replicas < 2) {
    issues.push({
      field: ["ingress", "replicas"],
      value: s.ingress.replicas,
      message: "one ingress replica means downtime on every node drain or upgrade",
      fix: "run at least 2 replicas",
    });
  }
  return issues;
}

function checkWindow(key: string, w: MaintenanceWindowSetting): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  if (w.durationHours < 4 || w.durationHours > 24) {
    issues.push({
      field: ["maintenance", key, "durationHours"],
      value: w.durationHours,
      message: "AKS maintenance windows last 4 to 24 hours",
      fix: "use a duration from 4 to 24 hours",
    });
  }
  if (w.frequency === "Weekly" && w.dayOfWeek === undefined) {
    issues.push({
      field: ["maintenance", key, "dayOfWeek"],
      value: undefined,
      message: "a weekly window needs a day",
      fix: "add dayOfWeek, e.g. Tuesday",
    });
  }
  return issues;
}
