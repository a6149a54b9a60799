/**
 * `npm run policy`: builds the fleet (no files written), runs every stack's policy aspect and
 * prints every rule with its source, every finding and every suppression with what it covers.
 * Exits 1 when a finding is not suppressed, exactly when `npm run synth` would fail on policy.
 */
import { Command } from "commander";
import type { PolicyFinding } from "../../constructs/policy";
import { formatSources } from "../../constructs/policy/format";
import {
  collectPolicyReport,
  evaluateStacks,
  type PolicyReport,
  type SuppressionEntry,
} from "../../constructs/policy/report";
import { buildFleetApp } from "../../stacks/app";
import { parse as parseArgs } from "../shared/command";
import { loadFleetOrExit } from "../synth/synth";

export function runPolicy(argv: readonly string[]): number {
  const program = new Command()
    .name("npm run policy --")
    .description(
      "Check every stack of the fleet against the policy rules and report rules, findings and suppressions",
    )
    .option("--json", "print the report as JSON")
    .option("-s, --stacks <glob...>", "only these stacks (globs over stack ids) and what they depend on")
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ json?: boolean; stacks?: string[] }>();

  const fleet = loadFleetOrExit();
  let report: PolicyReport;
  try {
    const built = buildFleetApp(fleet, { select: opts.stacks ?? [], outdir: undefined });
    const stacks = [...built.stacks.values()];
    evaluateStacks(stacks);
    report = collectPolicyReport(stacks);
  } catch (e) {
    process.stderr.write(
      `policy: the fleet could not be built: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }
  process.stdout.write(
    opts.json ? `${JSON.stringify(reportJson(report), null, 2)}\n` : renderReport(report, opts.stacks),
  );
  return report.violations.length > 0 ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function originText(s: SuppressionEntry): string {
  return s.origin.kind === "fleet"
    ? `fleet suppression #${s.origin.index + 1} (constructs/policy/fleet-suppressions.ts), path ${s.origin.path}`
    : `suppress() on ${s.origin.path}`;
}

/** Distinct addresses with their stacks, e.g. "azurerm_x.y in 126 stacks (apps-brg-prod, … +123)". */
function coverage(s: SuppressionEntry): string[] {
  const byAddress = new Map<string, string[]>();
  for (const c of s.covers) byAddress.set(c.address, [...(byAddress.get(c.address) ?? []), c.stackId]);
  return [...byAddress.entries()].map(([address, stacks]) => {
    const shown = stacks.slice(0, 3).join(", ");
    const more = stacks.length > 3 ? `, … +${stacks.length - 3}` : "";
    return `${address} in ${plural(stacks.length, "stack")} (${shown}${more})`;
  });
}

export function renderReport(report: PolicyReport, selection?: readonly string[]): string {
  const out: string[] = [];
  const packs = new Set(report.rules.map((r) => r.pack));
  out.push(
    `Policy rules: ${report.rules.length} in ${packs.size} packs (scope "prod": production stacks only)`,
  );
  out.push(`  ${"ID".padEnd(12)}${"SEVERITY".padEnd(9)}${"SCOPE".padEnd(6)}${"PACK".padEnd(11)}TITLE`);
  for (const rule of report.rules) {
    out.push(
      `  ${rule.id.padEnd(12)}${rule.severity.padEnd(9)}${rule.environments.padEnd(6)}${rule.pack.padEnd(11)}${rule.title}`,
    );
    out.push(`  ${"".padEnd(38)}source: ${formatSources(rule)}`);
  }
  out.push("");
  const e = report.evaluations;
  out.push(
    `Evaluated ${plural(report.stacks.length, "stack")}${selection?.length ? ` (selection: ${selection.join(" ")})` : ""}, ` +
      `${plural(report.resourcesEvaluated, "resource")}: ${e.pass.toLocaleString("en")} checks pass, ${e.fail.toLocaleString("en")} fail (${(e.fail - report.violations.length).toLocaleString("en")} of them suppressed), ` +
      `${e["n/a"].toLocaleString("en")} not applicable, ${e.unknown.toLocaleString("en")} known only after apply`,
  );
  out.push("");
  if (report.violations.length === 0) {
    out.push("Findings: none unsuppressed");
  } else {
    out.push(
      `Findings: ${report.violations.length} unsuppressed (each fails npm run synth); --json lists each`,
    );
    for (const group of groupFindings(report.violations)) out.push(...findingLines(group));
  }
  out.push("");
  const suppressed = report.suppressions.reduce((n, s) => n + s.covers.length, 0);
  out.push(
    `Suppressions: ${report.suppressions.length} declared, ${plural(suppressed, "finding")} suppressed`,
  );
  for (const s of report.suppressions) {
    out.push(`  ${s.rule.padEnd(12)}${originText(s)}`);
    out.push(`  ${"".padEnd(12)}reason: ${s.reason}`);
    const covered = coverage(s);
    if (covered.length === 0) out.push(`  ${"".padEnd(12)}covers: nothing (unused)`);
    for (const line of covered) out.push(`  ${"".padEnd(12)}covers: ${line}`);
  }
  out.push("");
  if (report.unusedSuppressions.length === 0) {
    out.push("Unused suppressions: none");
  } else {
    out.push(
      `Unused suppressions: ${report.unusedSuppressions.length} (they suppress nothing${selection?.length ? " in the selected stacks" : ""}; remove them or fix their path)`,
    );
    for (const s of report.unusedSuppressions) out.push(`  ${s.rule.padEnd(12)}${originText(s)}`);
  }
  return `${out.join("\n")}\n`;
}

interface FindingGroup {
  readonly first: PolicyFinding;
  readonly stacks: readonly string[];
}

/** The same rule failing the same way on the same address, across stacks, is one entry. */
function groupFindings(findings: readonly PolicyFinding[]): FindingGroup[] {
  const groups = new Map<string, { first: PolicyFinding; stacks: string[] }>();
  for (const f of findings) {
    const key = `${f.rule.id}|${f.address}|${f.details.join("|")}`;
    const group = groups.get(key) ?? { first: f, stacks: [] };
    group.stacks.push(f.stackId);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function findingLines({ first: f, stacks }: FindingGroup): string[] {
  const shown = stacks.slice(0, 3).join(", ");
  const more = stacks.length > 3 ? `, … +${stacks.length - 3}` : "";
  return [
    `  ${f.rule.id.padEnd(12)}${f.address}  in ${plural(stacks.length, "stack")} (${shown}${more})`,
    `  ${"".padEnd(12)}[${f.constructPath}] ${f.rule.title}`,
    ...f.details.map((d) => `  ${"".padEnd(12)}found: ${d}`),
    `  ${"".padEnd(12)}fix: ${f.rule.fix}`,
  ];
}

function findingJson(f: PolicyFinding) {
  return {
    rule: f.rule.id,
    stack: f.stackId,
    address: f.address,
    constructPath: f.constructPath,
    details: f.details,
  };
}

export function reportJson(report: PolicyReport) {
  return {
    rules: report.rules.map((r) => ({
      id: r.id,
      title: r.title,
      pack: r.pack,
      severity: r.severity,
      scope: r.environments,
      resourceTypes: r.resourceTypes,
      sources: r.sources,
      why: r.why,
      fix: r.fix,
    })),
    stacks: report.stacks,
    resourcesEvaluated: report.resourcesEvaluated,
    evaluations: report.evaluations,
    violations: report.violations.map(findingJson),
    suppressions: report.suppressions.map((s) => ({
      rule: s.rule,
      reason: s.reason,
      origin: s.origin,
      covers: s.covers,
    })),
    unusedSuppressions: report.unusedSuppressions.map((s) => ({
      rule: s.rule,
      reason: s.reason,
      origin: s.origin,
    })),
  };
}
