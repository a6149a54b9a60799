/**
 * `npm run pipeline`: generates azure-pipelines.yml from the fleet definition, and the commands
 * the pipeline's own steps run (prepare, leg, collect, providers). See README.md, "Pipeline".
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { fleetDirFromEnv, loadFleet } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { type CommandIO, guarded, positiveInt, processIO, program } from "./commands/common";
import { loadBaseByInputs } from "./input-affected";
import { readManifest } from "./manifest";
import type { Legs } from "./matrix";
import { allLegs } from "./matrix";
import { PIPELINE_DEFAULTS, PIPELINE_FILE, PIPELINE_NAMES, promotionOrder, renderPipeline } from "./pipeline";
import { collect, collectIssues, collectSummary, readLegResults } from "./pipeline-collect";
import { providerRequirements, stageLeg, writeProviderModules } from "./pipeline-leg";
import { baseWarnings, prepareRun, prepareSummary } from "./pipeline-prepare";
import { parseBoolean, type RunMode, resolveBases, resolveCommit, runContext } from "./pipeline-run";
import { formatDiagnostic, PIPELINE_SCHEMA_FILE, validatePipelineYaml } from "./pipeline-schema";
import { SynthOutput } from "./synth-output";

const HELP = `
Without a subcommand (or with "generate"): writes azure-pipelines.yml from the fleet definition
(environments/, or FLEET_DIR) and validates it against Microsoft's schema. --check only compares:
exit 1 when the committed file is out of date (run npm run pipeline) or invalid.

Stages, in promotion order: build; then plan_<scope> and apply_<scope> for shared (org
registries), each test scope (environments.json order, then Studio's), each production scope.

Subcommands the pipeline's steps run (each has --help):
  validate [file]   schema diagnostics with line numbers (exit 1 on any)
  prepare           Build stage: affected stacks per scope, diff summary, plan matrices
  leg               a matrix leg: stage its results and name its artifacts
  collect           end of a plan stage: summary, drift, failures, apply matrices
  providers         the provider versions to mirror (terraform providers mirror)

Exit codes: 0 ok, 1 error (out of date, invalid, a failed plan in collect).`;

function setVariable(name: string, value: string, output = false): string {
  return `##vso[task.setvariable variable=${name}${output ? ";isOutput=true" : ""}]${value}\n`;
}

function escapeVso(text: string): string {
  return text.replaceAll("%", "%AZP25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

function logIssue(type: "error" | "warning", text: string): string {
  return `##vso[task.logissue type=${type}]${escapeVso(text)}\n`;
}

function loadFleetOrThrow(dir: string): Fleet {
  const { fleet, problems } = loadFleet(dir);
  if (fleet === undefined) {
    const errors = problems
      .filter((p) => p.severity === "error")
      .map((p) => `${p.file}:${p.line ?? "?"}: ${p.message}`);
    throw new Error(
      `the fleet definition in ${dir} has errors (npm run synth lists them):\n${errors.join("\n")}`,
    );
  }
  return fleet;
}

interface GenerateOptions {
  check?: boolean;
  out: string;
  fleetDir?: string;
}

async function generate(o: GenerateOptions, io: CommandIO): Promise<number> {
  const dir = o.fleetDir !== undefined ? resolve(io.cwd, o.fleetDir) : fleetDirFromEnv(io.cwd);
  const text = renderPipeline(loadFleetOrThrow(dir));
  const file = resolve(io.cwd, o.out);
  const diagnostics = await validatePipelineYaml(text, join(io.cwd, PIPELINE_SCHEMA_FILE), o.out);
  for (const d of diagnostics) io.err(`${formatDiagnostic(o.out, d)}\n`);
  if (diagnostics.length > 0) {
    io.err(`pipeline: the generated pipeline does not validate against ${PIPELINE_SCHEMA_FILE}\n`);
    return 1;
  }
  if (o.check) {
    let current = "";
    try {
      current = readFileSync(file, "utf8");
    } catch {
      // a missing file is out of date
    }
    if (current !== text) {
      io.err(
        `pipeline: ${o.out} is out of date with the fleet definition: run npm run pipeline and commit it\n`,
      );
      return 1;
    }
    io.out(`pipeline: ${o.out} is up to date and valid\n`);
    return 0;
  }
  writeFileSync(file, text);
  io.out(
    `pipeline: wrote ${o.out} (${text.split("\n").length} lines), valid against ${PIPELINE_SCHEMA_FILE}\n`,
  );
  return 0;
}

async function validate(fileArg: string | undefined, io: CommandIO): Promise<number> {
  const file = fileArg ?? PIPELINE_FILE;
  const diagnostics = await validatePipelineYaml(
    readFileSync(resolve(io.cwd, file), "utf8"),
    join(io.cwd, PIPELINE_SCHEMA_FILE),
    file,
  );
  for (const d of diagnostics) io.err(`${formatDiagnostic(file, d)}\n`);
  io.out(`pipeline: ${file}: ${diagnostics.length} problem(s)\n`);
  return diagnostics.length > 0 ? 1 : 0;
}

interface PrepareCliOptions {
  out: string;
  cdktfOut: string;
  mainBranch: string;
  maxJobs: number;
  waveSlots: number;
  planAll?: string;
  reason?: string;
  sourceBranch?: string;
  targetBranch?: string;
  ado?: boolean;
}

async function prepare(o: PrepareCliOptions, io: CommandIO): Promise<number> {
  const fleet = loadFleetOrThrow(fleetDirFromEnv(io.cwd));
  const scopes = promotionOrder(fleet).map((s) => s.scope);
  const context = runContext(io.env, {
    mainBranch: o.mainBranch,
    planAll: parseBoolean(o.planAll),
    ...(o.reason !== undefined ? { reason: o.reason } : {}),
    ...(o.sourceBranch !== undefined ? { sourceBranch: o.sourceBranch } : {}),
    ...(o.targetBranch !== undefined ? { targetBranch: o.targetBranch } : {}),
  });
  const bases = await resolveBases(context, scopes, io.cwd);
  const head = new SynthOutput(resolve(io.cwd, o.cdktfOut), io.cwd);
  const log = (text: string) => io.err(text.endsWith("\n") ? text : `${text}\n`);
  const result = await prepareRun({
    scopes,
    context,
    bases,
    head,
    maxJobs: o.maxJobs,
    waveSlots: o.waveSlots,
    loadBase: (commit) => loadBaseByInputs(commit, head, io.cwd, io.env, log),
  });
  const commit = io.env.BUILD_SOURCEVERSION ?? (await resolveCommit("HEAD", io.cwd)) ?? "unknown";
  const out = resolve(io.cwd, o.out);
  mkdirSync(out, { recursive: true });
  const run = {
    mode: context.mode,
    reason: context.reason,
    sourceBranch: context.sourceBranch,
    ...(context.targetBranch !== undefined ? { targetBranch: context.targetBranch } : {}),
    planAll: context.planAll,
    commit,
    scopes: Object.fromEntries(
      result.scopes.map((s) => [
        s.scope,
        {
          base: s.base.commit ?? null,
          source: s.base.source,
          stacks: s.stacks,
          changed: s.affected?.changed ?? null,
          added: s.affected?.added ?? null,
          removed: s.affected?.removed ?? null,
          dependents: s.affected?.dependents ?? null,
          legs: s.matrix.legCount,
          waves: s.matrix.waves.length,
        },
      ]),
    ),
  };
  writeFileSync(join(out, "run.json"), `${JSON.stringify(run, null, 2)}\n`);
  for (const s of result.scopes)
    writeFileSync(join(out, `${s.scope}.txt`), s.stacks.map((id) => `${id}\n`).join(""));
  const summaryFile = join(out, "summary.md");
  writeFileSync(summaryFile, prepareSummary(context, commit, result));
  const diffFiles = result.diffs.map((d, i) => {
    const f = join(out, `diff-${i + 1}.md`);
    writeFileSync(f, d.markdown);
    return f;
  });
  for (const s of result.scopes) {
    for (const n of s.notices) io.err(`prepare: ${n}\n`);
    io.err(
      `prepare ${s.scope}: ${s.base.commit !== undefined ? `compared with ${s.base.commit.slice(0, 12)} (${s.base.source})` : s.base.source}: ${s.matrix.stackCount} stack(s) to plan in ${s.matrix.legCount} leg(s), ${s.matrix.waves.length} wave(s)\n`,
    );
  }
  const risks = result.diffs.reduce((n, d) => n + d.diff.risks.length, 0);
  if (o.ado) {
    for (const s of result.scopes) {
      const name = PIPELINE_NAMES.legsVariable(s.scope);
      io.out(setVariable(name, JSON.stringify(allLegs(s.matrix)), true));
      io.out(setVariable(`${name}_waves`, String(s.matrix.waves.length), true));
    }
    io.out(setVariable("mode", context.mode, true));
    io.out(`##vso[task.uploadsummary]${summaryFile}\n`);
    for (const f of diffFiles) io.out(`##vso[task.uploadsummary]${f}\n`);
    for (const w of baseWarnings(result)) io.out(logIssue("warning", w));
    if (risks > 0) {
      io.out(
        logIssue(
          "warning",
          `${risks} risky change(s) in the configuration diff: read the run summary before approving`,
        ),
      );
      io.out("##vso[task.complete result=SucceededWithIssues;]risky changes\n");
    }
  } else {
    io.out(`${JSON.stringify(run, null, 2)}\n`);
  }
  return 0;
}

interface LegCliOptions {
  phase: string;
  scope: string;
  outDir: string;
  staging: string;
}

async function leg(o: LegCliOptions, io: CommandIO): Promise<number> {
  if (o.phase !== "plan" && o.phase !== "apply") throw new Error(`--phase ${o.phase}: use plan or apply`);
  const staged = stageLeg({
    phase: o.phase,
    scope: o.scope,
    outDir: resolve(io.cwd, o.outDir),
    staging: resolve(io.cwd, o.staging),
    env: io.env,
  });
  for (const [name, value] of Object.entries(staged.variables)) io.out(setVariable(name, value));
  io.err(
    `leg: ${o.phase} of ${staged.stacks.length} stack(s): ${Object.values(staged.variables).join(", ")}\n`,
  );
  return 0;
}

interface CollectCliOptions {
  scope: string;
  results: string;
  affected: string;
  cdktfOut: string;
  waveSlots: number;
  out: string;
  legsEnv: string;
  ado?: boolean;
}

interface RunFile {
  mode: RunMode;
  scopes: Record<string, { changed: string[] | null }>;
}

async function collectCommand(o: CollectCliOptions, io: CommandIO): Promise<number> {
  const run = JSON.parse(readFileSync(join(resolve(io.cwd, o.affected), "run.json"), "utf8")) as RunFile;
  const legsText = io.env[o.legsEnv];
  if (legsText === undefined || legsText === "") throw new Error(`$${o.legsEnv} holds no plan matrix`);
  const planLegs = JSON.parse(legsText) as Legs;
  const manifest = readManifest(resolve(io.cwd, o.cdktfOut));
  const changedInRun = new Set(Object.values(run.scopes).flatMap((s) => s.changed ?? []));
  const attempt = `${io.env.SYSTEM_STAGEATTEMPT ?? "1"}_${io.env.SYSTEM_JOBATTEMPT ?? "1"}`;
  const decisionsArtifact = `decisions_${o.scope}_${attempt}`;
  const legs = readLegResults(resolve(io.cwd, o.results), o.scope);
  const result = collect({
    scope: o.scope,
    mode: run.mode,
    planLegs,
    legs,
    graph: manifest.graph,
    changedInRun,
    waveSlots: o.waveSlots,
    decisionsArtifact,
  });
  const out = resolve(io.cwd, o.out);
  mkdirSync(out, { recursive: true });
  for (const [artifact, stacks] of result.decisions) {
    writeFileSync(join(out, `${artifact}.txt`), stacks.map((s) => `${s}\n`).join(""));
  }
  const summaries = new Map<string, string>();
  for (const l of legs) for (const [s, text] of l.summaries) summaries.set(s, text);
  const summaryFile = join(out, "summary.md");
  writeFileSync(
    summaryFile,
    collectSummary(o.scope, run.mode, result, summaries, PIPELINE_NAMES.environment(o.scope)),
  );
  const count = (v: string) => result.verdicts.filter((x) => x.verdict === v).length;
  io.err(
    `collect ${o.scope} (${run.mode}): ${result.verdicts.length} stack(s): ${count("apply")} to apply, ${count("unchanged")} unchanged, ${count("deferred")} deferred, ${count("blocked")} blocked, ${count("failed")} failed\n`,
  );
  for (const v of result.verdicts) {
    if (v.verdict !== "apply" && v.verdict !== "unchanged")
      io.err(`  ${v.stack}: ${v.verdict}: ${v.reason ?? ""}\n`);
  }
  if (o.ado) {
    io.out(setVariable("canApply", String(result.canApply), true));
    io.out(setVariable("hasChanges", String(result.hasChanges), true));
    io.out(setVariable("complete", String(result.complete), true));
    io.out(setVariable("markClean", String(result.markClean), true));
    result.applyWaves.forEach((w, i) => {
      io.out(setVariable(`apply_wave${i}`, JSON.stringify(w), true));
    });
    io.out(setVariable("DECISIONS_ARTIFACT", decisionsArtifact));
    io.out(`##vso[task.uploadsummary]${summaryFile}\n`);
    const issues = collectIssues(o.scope, run.mode, result);
    for (const i of issues) io.out(logIssue(i.type, i.text));
    if (result.failed.length === 0 && issues.length > 0) {
      const why = run.mode === "drift" ? "drift found" : "deferred stacks";
      io.out(`##vso[task.complete result=SucceededWithIssues;]${why}\n`);
    }
  } else {
    io.out(`${JSON.stringify({ ...result, decisions: Object.fromEntries(result.decisions) }, null, 2)}\n`);
  }
  return result.failed.length > 0 ? 1 : 0;
}

async function providers(o: { cdktfOut: string; out: string }, io: CommandIO): Promise<number> {
  const requirements = providerRequirements(readManifest(resolve(io.cwd, o.cdktfOut)));
  const dirs = writeProviderModules(requirements, resolve(io.cwd, o.out));
  for (const [name, v] of Object.entries(requirements.versions)) {
    io.out(`${name} (${v.source}): ${v.versions.join(", ")}\n`);
  }
  io.err(`providers: ${dirs.length} module(s) to mirror in ${o.out}\n`);
  return 0;
}

export async function main(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  let action: (() => Promise<number>) | undefined;
  const cmd = program(
    "pipeline",
    "Generate azure-pipelines.yml from the fleet; the pipeline's own steps.",
    io,
  );
  cmd.addHelpText("after", HELP);
  const sub = (c: Command) =>
    c.exitOverride().configureOutput({ writeOut: (t) => io.out(t), writeErr: (t) => io.err(t) });

  sub(
    cmd
      .command("generate", { isDefault: true })
      .description("write azure-pipelines.yml from the fleet definition")
      .option("--check", "only check that the file is up to date and valid")
      .option("--out <file>", "the pipeline file", PIPELINE_FILE)
      .option("--fleet-dir <dir>", "the fleet definition (default: FLEET_DIR, else environments/)")
      .action((o: GenerateOptions) => {
        action = () => generate(o, io);
      }),
  );
  sub(
    cmd
      .command("validate [file]")
      .description("validate a pipeline file against schemas/azure-pipelines.schema.json")
      .action((file: string | undefined) => {
        action = () => validate(file, io);
      }),
  );
  sub(
    cmd
      .command("prepare")
      .description("Build stage: affected stacks per scope, the diff summary and the plan matrices")
      .requiredOption("--out <dir>", "where run.json, <scope>.txt and the summaries go")
      .option("--cdktf-out <dir>", "this run's synthesized output", "cdktf.out")
      .option("--main-branch <name>", "the branch that applies", PIPELINE_DEFAULTS.mainBranch)
      .option("--max-jobs <n>", "most plan legs per scope", positiveInt, PIPELINE_DEFAULTS.planMaxJobs)
      .option("--wave-slots <n>", "most dependency waves per scope", positiveInt, PIPELINE_DEFAULTS.waveSlots)
      .option("--plan-all <bool>", "plan every stack (True/False, as the pipeline parameter renders)")
      .option("--reason <reason>", "Build.Reason (default: $BUILD_REASON)")
      .option("--source-branch <ref>", "Build.SourceBranch (default: $BUILD_SOURCEBRANCH)")
      .option("--target-branch <ref>", "a pull request's target (default: $SYSTEM_PULLREQUEST_TARGETBRANCH)")
      .option("--ado", "Azure DevOps output variables, run summary and warnings")
      .action((o: PrepareCliOptions) => {
        action = () => prepare(o, io);
      }),
  );
  sub(
    cmd
      .command("leg")
      .description("stage a matrix leg's results and name its artifacts (reads $STACKS, $WAVE, $ARTIFACT)")
      .requiredOption("--phase <phase>", "plan or apply")
      .requiredOption("--scope <scope>", "the state scope")
      .option("--out-dir <dir>", "npm run plan/apply --out-dir", "plans")
      .requiredOption("--staging <dir>", "where the artifacts to publish are staged")
      .action((o: LegCliOptions) => {
        action = () => leg(o, io);
      }),
  );
  sub(
    cmd
      .command("collect")
      .description("end of a plan stage: summary, drift, failures and the apply matrices")
      .requiredOption("--scope <scope>", "the state scope")
      .requiredOption("--results <dir>", "the downloaded result_<scope>_* artifacts")
      .requiredOption("--affected <dir>", "the Build stage's affected artifact (run.json)")
      .option("--cdktf-out <dir>", "synthesized output with manifest.json", "cdktf.out")
      .option("--wave-slots <n>", "apply wave jobs per stage", positiveInt, PIPELINE_DEFAULTS.waveSlots)
      .requiredOption("--out <dir>", "where the apply decisions and the summary go")
      .option("--legs-env <name>", "the environment variable holding the plan matrix", "PLAN_LEGS")
      .option("--ado", "Azure DevOps output variables, run summary and issues")
      .action((o: CollectCliOptions) => {
        action = () => collectCommand(o, io);
      }),
  );
  sub(
    cmd
      .command("providers")
      .description("the provider versions the stacks require, as modules for terraform providers mirror")
      .option("--cdktf-out <dir>", "synthesized output with manifest.json", "cdktf.out")
      .requiredOption("--out <dir>", "where versions.json and <i>/providers.tf.json go")
      .action((o: { cdktfOut: string; out: string }) => {
        action = () => providers(o, io);
      }),
  );

  try {
    cmd.parse([...argv], { from: "user" });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    if (typeof code === "number") return code === 0 ? 0 : 1;
    throw e;
  }
  if (action === undefined) return 0;
  const run = action;
  return guarded(io, run);
}
