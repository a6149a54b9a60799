/**
 * The shape of a policy rule: a small pure function over one resource's synthesized Terraform
 * attributes (snake_case, exactly as in cdk.tf.json), with the metadata a finding must carry:
 * where the rule comes from, why it exists and how to fix a violation.
 */
import type { ResourceView } from "./attributes";

/** Which stacks a rule applies to. `prod`: stacks that serve production (see README). */
export type RuleScope = "all" | "prod";

/** The environment class a stack's rules are chosen for. */
export type PolicyEnvironment = "prod" | "test";

export type Severity = "high" | "medium" | "low";

/** The domains rules are grouped by; one pack per domain. */
export type PackName =
  | "lifecycle"
  | "aks"
  | "storage"
  | "keyvault"
  | "registry"
  | "postgres"
  | "cosmos"
  | "apim"
  | "network"
  | "dns"
  | "identity"
  | "monitoring"
  | "kubernetes"
  | "helm";

/** Where a rule comes from: a check id of a tool the field trusts, or a vendor document. */
export interface RuleSource {
  /** e.g. "Checkov CKV_AZURE_141", "trivy AVD-AZU-0041", "AVM avm-ptn-aks-production". */
  readonly name: string;
  readonly url: string;
}

/**
 * What a check concluded for one resource:
 * - `"pass"`: compliant;
 * - `"n/a"`: the rule does not apply to this configuration (e.g. no network rules at all);
 * - `"unknown"`: the answer depends on a value only known at apply time (a `${...}` reference);
 *   never treated as a violation;
 * - a non-empty list of strings: non-compliant, each string one concrete detail
 *   (`min_tls_version is "TLS1_0"`). An empty list counts as a pass.
 */
export type Verdict = "pass" | "n/a" | "unknown" | readonly string[];

export interface RuleContext {
  readonly environment: PolicyEnvironment;
  /** Terraform type of the resource, e.g. `azurerm_storage_account`. */
  readonly resourceType: string;
  /** `<type>.<logical id>`. */
  readonly address: string;
}

export interface PolicyRule {
  /** `AZ-<DOMAIN>-NNN` or `K8S-NNN`/`HELM-NNN`/`SAFE-NNN`; stable, used in suppressions. */
  readonly id: string;
  /** What compliance looks like, as a statement. */
  readonly title: string;
  readonly pack: PackName;
  /** Terraform resource types the rule reads. */
  readonly resourceTypes: readonly string[];
  readonly severity: Severity;
  /** `prod`: production-only (redundancy, backups); `all`: every stack. */
  readonly environments: RuleScope;
  /** At least one; the first is the primary source. */
  readonly sources: readonly [RuleSource, ...RuleSource[]];
  /** Why the rule exists: the risk it removes. */
  readonly why: string;
  /** How to comply, in this project's terms (construct props, settings). */
  readonly fix: string;
  readonly check: (resource: ResourceView, ctx: RuleContext) => Verdict;
}

export interface RulePack {
  readonly name: PackName;
  readonly description: string;
  readonly rules: readonly PolicyRule[];
}

/** True when the verdict is a violation. */
export function isViolation(verdict: Verdict): verdict is readonly string[] {
  return Array.isArray(verdict) && verdict.length > 0;
}

/** The status a verdict reports as. */
export function statusOf(verdict: Verdict): "pass" | "n/a" | "unknown" | "fail" {
  if (Array.isArray(verdict)) return verdict.length > 0 ? "fail" : "pass";
  return verdict as "pass" | "n/a" | "unknown";
}
