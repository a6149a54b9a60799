/** `npm run plan` and `npm run apply`: Terraform over many stacks, in dependency waves. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { blockedStacks, readAppliedResults, rolloutBeside } from "../pipeline/pipeline-gate";
import { completeTask, logIssue, setVariable, uploadSummary } from "../shared/ado-logging";
import {
  type CommandIO,
  guarded,
  parse,
  positiveInt,
  processIO,
  program,
  readStacksFile,
  seconds,
} from "../shared/command";
import { type FleetManifest, readManifest } from "../shared/manifest";
import { Mutex, runInWaves } from "../shared/schedule";
import { countsLine } from "./plan-summary";
import {
  APPLY_EXIT,
  type ApplyResult,
  aggregateApplyExit,
  aggregatePlanExit,
  applyStack,
  MISSING_STATE_MODES,
  type MissingStateMode,
  PLAN_EXIT,
  type PlanResult,
  planStack,
  stackDir,
  type TerraformOptions,
  terraformBinary,
  writeApplyResult,
} from "./terraform";

interface Options {
  stack?: string[];
  stacksFile?: string;
  cdktfOut: string;
  outDir: string;
  parallelism: number;
  lockTimeout: string;
  stateLock?: boolean;
  verbose?: boolean;
  ado?: boolean;
  missingState?: MissingStateMode;
  skipBlocked?: string;
}

const COMMON_HELP = `
Stacks run in dependency order (waves from manifest.json), at most --parallelism at once
within a wave. Terraform is $TERRAFORM_BINARY, else terraform from PATH; it runs in
<cdktf-out>/stacks/<id> with the backend the synthesized JSON declares (azurerm with OIDC needs
only the ARM_* environment). A shared TF_PLUGIN_CACHE_DIR is not concurrency safe, so init runs
one stack at a time when it is set.`;

const PLAN_HELP = `${COMMON_HELP}

Per stack: terraform init, terraform plan -detailed-exitcode -out, terraform show -json (a
stack marked "mode": "destroy" in <cdktf-out>/stacks.json, a decommissioned one, is planned with
-destroy, unless its state is empty already); writes
<out-dir>/<stack>/{tfplan, plan.json, summary.md, result.json, plan.log} and
<out-dir>/summary.md for all stacks (--ado uploads it as the run summary and sets the output
variable hasChanges). Treat tfplan and plan.json as secrets.

result.json: {stack, command, outcome (unchanged|changes|failed|locked), exitCode,
terraformExitCode, hasChanges, hasDestroy, summary {create, update, delete, replace, move,
import, forget, outputChanges, drift, destroyed[], replaced[], statefulDestroyed[]},
planFile, durationMs, message}

A stack that was never applied has no state blob, and terraform init would create one, which a
read-only identity may not: --missing-state fail (the default, deploy runs) fails it naming the
init_state stage that creates the blob; --missing-state preview (pull request and scheduled
runs) plans it against an empty local state and marks its result "preview": true, which apply
and the pipeline's collect never apply.

Exit codes: 0 no stack has changes, 2 at least one stack has changes, 1 any stack failed
(including a state lock not acquired within --lock-timeout).

Example: npm run plan -- --stack apps-ttd-at22 apps-ttd-at22-k8s --out-dir plans`;

const APPLY_HELP = `${COMMON_HELP}

Per stack: applies the saved plan <out-dir>/<stack>/tfplan (terraform init, then terraform
apply <tfplan>) and nothing else: without a saved plan the stack is refused; a stack whose plan
had no changes is skipped; a stack whose dependency failed is not applied. Writes
<out-dir>/<stack>/{apply.log, apply-result.json} and <out-dir>/apply-summary.md.

--skip-blocked <applied dir> (apply slots of a rollout, cli/pipeline/rollout.ts): before applying, reads
the apply-result.json files of the earlier slots under <applied dir> and the run's rollout.json
beside --stacks-file; a stack whose dependency (direct or through others) failed there, or was
to be applied in an earlier slot and has no result, is not applied and is reported "blocked"
(a warning, not a failure: the failure is the dependency's). Every stack gets an
apply-result.json, also those skipped or blocked, so the next gate sees what happened.

Exit codes: 0 every stack applied (or had nothing to apply, or was blocked), 3 a saved plan was
stale (the state changed after planning: plan again, review, apply), 1 any other failure (no
saved plan, state lock not acquired within --lock-timeout, terraform error). 1 wins over 3.

Example: npm run apply -- --stack $(STACKS) --out-dir plans`;

function addRunOptions(cmd: Command): Command {
  return cmd
    .option("--stack <ids...>", "stack ids (space separated)")
    .option("--stacks-file <file>", "stack ids, whitespace or newline separated (- = stdin)")
    .option("--cdktf-out <dir>", "synthesized output with manifest.json and stacks/", "cdktf.out")
    .option("--out-dir <dir>", "where plans and results go", "plans")
    .option("--parallelism <n>", "stacks at once within a wave", positiveInt, 4)
    .option("--lock-timeout <duration>", "how long to wait for the state lock", "5m")
    .option(
      "--no-state-lock",
      "plan without taking the state lock (for read-only plan identities; apply still refuses stale plans)",
    )
    .option("--verbose", "stream Terraform's output (prefixed with the stack id)")
    .option("--ado", "Azure DevOps logging commands: run summary, errors, output variables");
}

interface Selection {
  readonly manifest: FleetManifest;
  readonly stacks: string[];
  /** --out-dir, absolute. */
  readonly outDir: string;
}

async function select(o: Options, io: CommandIO): Promise<Selection> {
  const manifest = readManifest(resolve(io.cwd, o.cdktfOut));
  const fromFile = (await readStacksFile(o.stacksFile, io)) ?? [];
  const stacks = [...new Set([...(o.stack ?? []).flatMap((s) => s.split(/\s+/)), ...fromFile])].filter(
    (s) => s !== "",
  );
  if (o.stack === undefined && o.stacksFile === undefined)
    throw new Error("give --stack <ids...> or --stacks-file <file>");
  const unknown = stacks.filter((s) => !manifest.stacks.has(s));
  if (unknown.length > 0) {
    throw new Error(
      `not in ${manifest.dir}/manifest.json: ${unknown.join(", ")} (synthesize first, or check the ids)`,
    );
  }
  return { manifest, stacks, outDir: resolve(io.cwd, o.outDir) };
}

function terraformOptions(o: Options, io: CommandIO): TerraformOptions {
  const cache = io.env.TF_PLUGIN_CACHE_DIR;
  return {
    binary: terraformBinary(io.env),
    lockTimeout: o.lockTimeout,
    planStateLock: o.stateLock !== false,
    missingState: o.missingState ?? "fail",
    env: io.env,
    ...(cache !== undefined && cache !== "" ? { initLock: new Mutex() } : {}),
    ...(o.verbose
      ? {
          onOutput: (stack: string, chunk: string) =>
            io.err(
              chunk
                .split("\n")
                .filter((l) => l !== "")
                .map((l) => `[${stack}] ${l}\n`)
                .join(""),
            ),
        }
      : {}),
  };
}

function firstLine(text: string | undefined): string {
  return (text ?? "").split("\n")[0] ?? "";
}

export async function planMain(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = addRunOptions(
    program("plan", "terraform plan (saved) for each stack, in dependency order.", io),
  ).addOption(
    new Option(
      "--missing-state <mode>",
      "a stack without a state blob: fail, or preview against an empty state",
    )
      .choices(MISSING_STATE_MODES)
      .default("fail"),
  );
  cmd.addHelpText("after", PLAN_HELP);
  const code = parse(cmd, argv);
  if (code !== undefined) return code;
  const o = cmd.opts<Options>();
  return guarded(io, async () => {
    const { manifest, stacks, outDir } = await select(o, io);
    if (stacks.length === 0) {
      io.out("plan: no stacks given: nothing to plan\n");
      return PLAN_EXIT.unchanged;
    }
    const tf = terraformOptions(o, io);
    const results = await runInWaves<PlanResult>({
      graph: manifest.graph,
      stacks,
      parallelism: o.parallelism,
      task: (id) =>
        planStack(manifest.stacks.get(id)!, outDir, tf, {
          destroy: manifest.metadata?.get(id)?.mode === "destroy",
        }),
      skipped: (id, by) => ({
        stack: id,
        command: "plan",
        outcome: "skipped",
        exitCode: PLAN_EXIT.failed,
        hasChanges: false,
        hasDestroy: false,
        durationMs: 0,
        message: `not planned: ${by} failed`,
      }),
      onDone: (id, r) => {
        const detail =
          r.outcome === "changes"
            ? `${r.preview ? "preview (no state yet, never applied): " : ""}changes ${countsLine(r.summary!)}${r.hasDestroy ? " DESTROYS" : ""}`
            : r.outcome === "unchanged"
              ? "no changes"
              : `${r.outcome.toUpperCase()}: ${firstLine(r.message)}`;
        io.out(`[plan] ${id}: ${detail} (${seconds(r.durationMs)})\n`);
      },
    });
    const all = stacks.map((s) => results.get(s)!).filter((r) => r !== undefined);
    const exit = aggregatePlanExit(all);
    const summaryFile = writeSummary(
      outDir,
      "summary.md",
      `## Terraform plan: ${all.length} stack(s)\n\n`,
      all.map((r) => stackDir(outDir, r.stack)),
    );
    report(io, all, o.ado === true, summaryFile);
    const changed = all.filter((r) => r.hasChanges).length;
    const failed = all.filter((r) => r.exitCode === PLAN_EXIT.failed).length;
    io.out(`plan: ${all.length} stack(s), ${changed} with changes, ${failed} failed → exit ${exit}\n`);
    if (o.ado) io.out(setVariable("hasChanges", String(changed > 0), true));
    return exit;
  });
}

export async function applyMain(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = addRunOptions(
    program("apply", "terraform apply of each stack's saved plan, in dependency order.", io),
  ).option(
    "--skip-blocked <dir>",
    "the earlier slots' applied artifacts: skip stacks whose dependencies failed or were not applied there",
  );
  cmd.addHelpText("after", APPLY_HELP);
  const code = parse(cmd, argv);
  if (code !== undefined) return code;
  const o = cmd.opts<Options>();
  return guarded(io, async () => {
    const { manifest, stacks, outDir } = await select(o, io);
    if (stacks.length === 0) {
      io.out("apply: no stacks given: nothing to apply\n");
      return APPLY_EXIT.ok;
    }
    const tf = terraformOptions(o, io);
    const blocked =
      o.skipBlocked !== undefined
        ? blockedStacks({
            stacks,
            graph: manifest.graph,
            applied: readAppliedResults(resolve(io.cwd, o.skipBlocked)),
            record: rolloutBeside(o.stacksFile, io.cwd),
          })
        : new Map<string, string>();
    const results = await runInWaves<ApplyResult>({
      graph: manifest.graph,
      stacks,
      parallelism: o.parallelism,
      task: async (id) => {
        const why = blocked.get(id);
        if (why === undefined) return applyStack(manifest.stacks.get(id)!, outDir, tf);
        const r: ApplyResult = {
          stack: id,
          command: "apply",
          outcome: "blocked",
          exitCode: APPLY_EXIT.failed,
          durationMs: 0,
          message: `not applied: ${why}`,
        };
        writeApplyResult(outDir, r);
        return r;
      },
      failed: (r) => r.exitCode !== APPLY_EXIT.ok,
      skipped: (id, by) => {
        const r: ApplyResult = {
          stack: id,
          command: "apply",
          outcome: "skipped",
          exitCode: APPLY_EXIT.failed,
          durationMs: 0,
          message: `not applied: its dependency ${by} did not apply`,
        };
        writeApplyResult(outDir, r);
        return r;
      },
      onDone: (id, r) => {
        const detail =
          r.outcome === "applied" || r.outcome === "nothing-to-apply"
            ? r.outcome
            : `${r.outcome.toUpperCase()}: ${firstLine(r.message)}`;
        io.out(`[apply] ${id}: ${detail} (${seconds(r.durationMs)})\n`);
      },
    });
    const all = stacks.map((s) => results.get(s)!).filter((r) => r !== undefined);
    const exit = aggregateApplyExit(all);
    const lines = all.map(
      (r) => `| \`${r.stack}\` | ${r.outcome} | ${firstLine(r.message).replaceAll("|", "\\|")} |`,
    );
    mkdirSync(outDir, { recursive: true });
    const summaryFile = join(outDir, "apply-summary.md");
    writeFileSync(
      summaryFile,
      `## Terraform apply: ${all.length} stack(s)\n\n| stack | outcome | note |\n|---|---|---|\n${lines.join("\n")}\n`,
    );
    report(io, all, o.ado === true, summaryFile);
    const stale = all.filter((r) => r.outcome === "stale").length;
    const notApplied = (r: ApplyResult) => r.outcome === "skipped" || r.outcome === "blocked";
    const failed = all.filter((r) => r.exitCode === APPLY_EXIT.failed && !notApplied(r)).length;
    const blockedCount = all.filter((r) => r.outcome === "blocked").length;
    io.out(
      `apply: ${all.length} stack(s), ${stale} stale, ${failed} failed${blockedCount > 0 ? `, ${blockedCount} blocked` : ""} → exit ${exit}\n`,
    );
    // Blocked stacks leave the scope incomplete: the job ends orange, and record does not tag.
    if (o.ado && exit === APPLY_EXIT.ok && blockedCount > 0)
      io.out(completeTask("SucceededWithIssues", `${blockedCount} stack(s) blocked by an earlier slot`));
    return exit;
  });
}

function writeSummary(outDir: string, name: string, heading: string, stackDirs: string[]): string {
  const parts = stackDirs
    .map((d) => join(d, "summary.md"))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, "utf8"));
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name);
  writeFileSync(file, `${heading}${parts.join("\n")}`);
  return file;
}

/** Failure details on stderr; with --ado, the run summary and one error per failed stack. */
function report(
  io: CommandIO,
  results: readonly (PlanResult | ApplyResult)[],
  ado: boolean,
  summaryFile: string,
): void {
  for (const r of results) {
    if (r.outcome === "skipped" || r.message === undefined) continue;
    if (r.exitCode === 0 || (r.command === "plan" && r.exitCode === PLAN_EXIT.changes)) continue;
    io.err(`--- ${r.stack}: ${r.message}\n`);
    if (ado) {
      const type = r.outcome === "stale" || r.outcome === "blocked" ? "warning" : "error";
      io.out(logIssue(type, `${r.stack}: ${firstLine(r.message)}`));
    }
  }
  if (ado) io.out(uploadSummary(summaryFile));
}
