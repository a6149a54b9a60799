/**
 * `npm run permissions`: what each pipeline identity must be allowed to do for the stacks of its
 * state scope, and which of its roles allows it (cli/permissions/permissions-check.ts computes it). Exits 1
 * when an operation is not covered, when a plan identity may do more than read, or when a type in
 * the output has no row in the permissions table.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StackJson } from "../../docs-gen/terraform";
import type { Fleet } from "../../fleet/model";
import { BOOTSTRAP_STACK_ID, planStacks, selectStacks } from "../../stacks/app";
import { synthFleet } from "../../stacks/synth-fleet";
import { type CommandIO, parse, processIO, program } from "../shared/command";
import { readManifest } from "../shared/manifest";
import { loadFleetOrExit } from "../synth/synth";
import {
  type Coverage,
  checkPermissions,
  type Identity,
  type PermissionsReport,
  PLAN_EXCEPTIONS,
  targetText,
} from "./permissions-check";

/** Reads the stacks of a synthesized output directory. */
export function readStacks(outDir: string, only?: ReadonlySet<string>): Map<string, StackJson> {
  const manifest = readManifest(outDir);
  const out = new Map<string, StackJson>();
  for (const [id, entry] of manifest.stacks) {
    if (only && !only.has(id)) continue;
    out.set(id, JSON.parse(readFileSync(entry.synthesizedStackPath, "utf8")) as StackJson);
  }
  return out;
}

export function permissionsOf(
  fleet: Fleet,
  outDir: string,
  select: readonly string[] = [],
): PermissionsReport {
  // The state grants come from bootstrap-state, whatever the selection.
  const wanted = new Set([...selectStacks(planStacks(fleet), select).map((p) => p.id), BOOTSTRAP_STACK_ID]);
  return checkPermissions({ fleet, stacks: readStacks(outDir, select.length > 0 ? wanted : undefined) });
}

export async function runPermissions(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = program(
    "npm run permissions --",
    "Check the Azure operations every stack needs against the roles of its state scope's pipeline identities",
    io,
  )
    .option("--out <dir>", "read this synthesized output (cdktf.out) instead of synthesizing the fleet")
    .option("-s, --stacks <glob...>", "only these stacks (globs over stack ids) and what they depend on")
    .option(
      "--verbose",
      "list every needed operation with the resources that need it and the role that allows it",
    )
    .option("--json", "print the report as JSON");
  const answered = parse(cmd, argv);
  if (answered !== undefined) return answered;
  const opts = cmd.opts<{ out?: string; stacks?: string[]; verbose?: boolean; json?: boolean }>();
  const fleet = loadFleetOrExit();
  let report: PermissionsReport;
  if (opts.out) {
    report = permissionsOf(fleet, opts.out, opts.stacks);
  } else {
    const parent = mkdtempSync(join(tmpdir(), "fleet-permissions-"));
    try {
      const outdir = join(parent, "cdktf.out");
      const select = opts.stacks && opts.stacks.length > 0 ? [...opts.stacks, BOOTSTRAP_STACK_ID] : [];
      synthFleet(fleet, { outdir, select });
      report = permissionsOf(fleet, outdir, opts.stacks);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  }
  io.out(
    opts.json
      ? `${JSON.stringify(reportJson(report), null, 2)}\n`
      : renderPermissions(
          report,
          opts.verbose === true,
          new Map(planStacks(fleet).map((p) => [p.id, p.kind])),
        ),
  );
  const failed = report.missing.length + report.notReadOnly.length + report.problems.length > 0;
  return failed ? 1 : 0;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
}

function few(items: readonly string[], n = 3): string {
  const shown = items.slice(0, n).join(", ");
  return items.length > n ? `${shown}, … +${items.length - n}` : shown;
}

function identityName(i: Identity): string {
  return `fleet-${i.scope}-${i.kind}`;
}

interface Row {
  readonly action: string;
  readonly plane: string;
  readonly target: string;
  readonly types: Set<string>;
  readonly stacks: Set<string>;
  readonly roles: Set<string>;
}

function rowsOf(items: readonly Coverage[]): Row[] {
  const rows = new Map<string, Row>();
  for (const c of items) {
    const target = targetText(c.need.target);
    const key = `${c.need.action}|${c.need.plane}|${target}`;
    const row = rows.get(key) ?? {
      action: c.need.action,
      plane: c.need.plane,
      target,
      types: new Set<string>(),
      stacks: new Set<string>(),
      roles: new Set<string>(),
    };
    row.types.add(c.need.type);
    row.stacks.add(c.need.stack);
    for (const g of c.by) row.roles.add(`${g.role} (${targetText(g.target)})`);
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) => a.action.localeCompare(b.action) || a.target.localeCompare(b.target),
  );
}

/** `kinds`: each stack's kind, as synth plans it (stacks/app.ts), for the verbose listing. */
export function renderPermissions(
  report: PermissionsReport,
  verbose = false,
  kinds: ReadonlyMap<string, string> = new Map(),
): string {
  const out: string[] = [];
  if (report.skipped.length > 0) {
    out.push(
      `Not run by a pipeline identity (local state, applied by hand): ${report.skipped.join(", ")}`,
      "",
    );
  }
  for (const identity of report.identities) {
    const mine = report.coverage.filter((c) => c.identity === identity);
    if (mine.length === 0) continue;
    const stacks = new Set(mine.map((c) => c.need.stack));
    const rows = rowsOf(mine);
    out.push(
      `${identityName(identity)} (${identity.objectId}): ${plural(stacks.size, "stack")}, ${plural(rows.length, "operation")} needed`,
    );
    for (const g of identity.grants)
      out.push(
        `  holds ${g.role} on ${targetText(g.target)}${g.onlyRoles ? ` (may assign only ${g.onlyRoles.join(", ")})` : ""}  [${g.from}]`,
      );
    for (const r of rows) {
      const allowed = r.roles.size > 0 ? [...r.roles].join(", ") : "NOTHING";
      out.push(`  ${r.action}${r.plane === "data" ? " (data)" : ""} on ${r.target}: ${allowed}`);
      if (verbose) {
        const kindList = few([...new Set([...r.stacks].map((id) => kinds.get(id) ?? id))]);
        out.push(
          `      needed by ${few([...r.types], 6)} in ${plural(r.stacks.size, "stack")} (${kindList})`,
        );
      }
    }
    const unused = report.unused.filter((u) => u.identity === identity);
    for (const u of unused) out.push(`  granted but never needed: ${u.grant.role}: ${u.patterns.join(", ")}`);
    out.push("");
  }

  const errors: string[] = [];
  for (const p of report.problems) errors.push(`error: ${p.message}`);
  const missing = new Map<string, Coverage[]>();
  for (const c of report.missing) {
    const key = `${identityName(c.identity)}|${c.need.action}|${c.need.plane}|${targetText(c.need.target)}`;
    missing.set(key, [...(missing.get(key) ?? []), c]);
  }
  for (const group of missing.values()) {
    const first = group[0]!;
    const stacks = [...new Set(group.map((c) => c.need.stack))];
    errors.push(
      `error: ${identityName(first.identity)} may not ${first.need.action}${first.need.plane === "data" ? " (data action)" : ""} on ${targetText(first.need.target)}: ` +
        `needed by ${first.need.address} in stack ${first.need.stack}` +
        `${stacks.length > 1 ? ` (and ${plural(stacks.length - 1, "more stack")}: ${few(stacks.slice(1))})` : ""}` +
        `${first.need.targetNote ? `; ${first.need.targetNote}` : ""}. ` +
        `Fix: give ${identityName(first.identity)} a role that allows it on ${targetText(first.need.target)} in pipelineRoles (environments/fleet.yaml)`,
    );
  }
  for (const n of report.notReadOnly) {
    errors.push(
      `error: ${identityName(n.identity)} is a plan identity but ${n.grant.role} (${n.grant.from}) lets it do more than read: ${few(n.patterns, 5)}. ` +
        `Fix: give plan identities read-only roles; the only non-read operations allowed are ${Object.keys(PLAN_EXCEPTIONS).join(", ")}`,
    );
  }
  if (errors.length === 0) {
    out.push(
      `Every operation of every stack is allowed to its pipeline identity; plan identities only read.`,
    );
  } else {
    out.push(...errors);
  }
  return `${out.join("\n")}\n`;
}

function reportJson(report: PermissionsReport): unknown {
  return {
    identities: report.identities.map((i) => ({
      identity: identityName(i),
      objectId: i.objectId,
      roles: i.grants.map((g) => ({
        role: g.role,
        target: targetText(g.target),
        from: g.from,
        onlyRoles: g.onlyRoles,
      })),
      needs: rowsOf(report.coverage.filter((c) => c.identity === i)).map((r) => ({
        action: r.action,
        plane: r.plane,
        target: r.target,
        types: [...r.types],
        stacks: r.stacks.size,
        allowedBy: [...r.roles],
      })),
      unused: report.unused
        .filter((u) => u.identity === i)
        .map((u) => ({ role: u.grant.role, patterns: u.patterns })),
    })),
    missing: report.missing.map((c) => ({
      identity: identityName(c.identity),
      stack: c.need.stack,
      address: c.need.address,
      action: c.need.action,
      plane: c.need.plane,
      target: targetText(c.need.target),
    })),
    notReadOnly: report.notReadOnly.map((n) => ({
      identity: identityName(n.identity),
      role: n.grant.role,
      patterns: n.patterns,
    })),
    problems: report.problems.map((p) => p.message),
    skipped: report.skipped,
  };
}
