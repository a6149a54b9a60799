/** How a finding reads in a failed synth, in `npm run policy` and in tests. */
import type { PolicyFinding } from "./aspect";
import type { PolicyRule } from "./rule";

export function formatSources(rule: PolicyRule): string {
  return rule.sources.map((s) => `${s.name} <${s.url}>`).join("; ");
}

/** The error annotation text: address, rule, what was found, why, how to fix, where it comes from. */
export function formatFinding(finding: PolicyFinding): string {
  const { rule } = finding;
  return [
    `policy ${rule.id} (${rule.severity}${rule.environments === "prod" ? ", production" : ""}): ${rule.title}`,
    `  resource: ${finding.address}  [${finding.constructPath}]`,
    ...finding.details.map((d, i) => `  ${i === 0 ? "found:   " : "         "} ${d}`),
    `  why:      ${rule.why}`,
    `  fix:      ${rule.fix}`,
    `  source:   ${formatSources(rule)}`,
    `  or, if the risk is accepted: suppress(<construct>, "${rule.id}", "<reason>") — constructs/policy/README.md`,
  ].join("\n");
}
