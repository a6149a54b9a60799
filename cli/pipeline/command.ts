/**
 * `npm run pipeline`: generates azure-pipelines.yml from the fleet definition, and the commands
 * the pipeline's own steps run (prepare, leg, collect, providers). See README.md, "Pipeline".
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { fleetDirFromEnv, loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import type { Legs } from "../matrix/matrix";
import { allLegs } from "../matrix/matrix";
import { completeTask, logIssue, setVariable, uploadSummary } from "../shared/ado-logging";
import { type CommandIO, guarded, positiveInt, processIO, program } from "../shared/command";
import { readManifest } from "../shared/manifest";
import { type StackOutputs, SynthOutput } from "../shared/synth-output";
import { synthesizedRef } from "../synth/synth-tree";
import {
  PIPELINE_DEFAULTS,
  PIPELINE_FILE,
  PIPELINE_NAMES,
  PIPELINE_TEMPLATES_DIR,
  promotionOrder,
  renderPipeline,
} from "./pipeline";
import { collect, collectIssues, collectSummary, readLegResults } from "./pipeline-collect";
import {
  gate,
  gateSummary,
  ROLLOUT_FILE,
  readAppliedResults,
  readRolloutRecord,
  rolloutRecord,
} from "./pipeline-gate";
import { providerRequirements, stageLeg, writeProviderModules } from "./pipeline-leg";
import { baseWarnings, type LoadedBase, prepareRun, prepareSummary } from "./pipeline-prepare";
import { parseBoolean, type RunMode, resolveBases, resolveCommit, runContext } from "./pipeline-run";
import { formatDiagnostic, PIPELINE_SCHEMA_FILE, validatePipelineYaml } from "./pipeline-schema";
import { addStateCommands } from "./pipeline-state-commands";
import { type Rollout, resolveRollout } from "./rollout";

const HELP = `
Without a subcommand (or with "generate"): writes azure-pipelines.yml from the fleet definition
(environments/, or FLEET_DIR): the state scopes in promotion order and the apply slots, extending
the committed templates in pipeline/templates/. It and every template are validated against
Microsoft's schema. --check only compares: exit 1 when the committed file is out of date (run
npm run pipeline) or any file is invalid.

Stages, in promotion order: build; then per scope plan_<scope>, apply_<scope> and the second
pass plan2_<scope>, apply2_<scope>: state (then init_state), shared (org registries), each test
scope (environments.json order, then Studio's), each production scope.

Subcommands the pipeline's steps run (each has --help):
  validate [file]   schema diagnostics with line numbers (exit 1 on any)
  prepare           Build stage: affected stacks per scope, diff summary, plan matrices
  leg               a matrix leg: stage its results and name its artifacts
  collect           end of a plan stage: summary, drift, failures, apply slots, second pass
  gate              between two apply slots: failure budget and cluster health (exit 1: stop)
  providers         the provider versions to mirror (terraform providers mirror)
  init-state        stage init_state: create the state blobs of never-applied stacks
  check-environments  each scope's Environment exists and has an Approval check

Exit codes: 0 ok, 1 error (out of date, invalid, a failed plan in collect).`;

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

/** Every committed template file, relative to the project root, in a stable order. */
function templateFiles(root: string): string[] {
  const dir = join(root, PIPELINE_TEMPLATES_DIR);
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".yml"))
    .map((f) => join(PIPELINE_TEMPLATES_DIR, f))
    .sort();
}

/** Schema diagnostics of the root text and of every template, printed; true when there are none. */
async function validateAll(rootText: string, rootName: string, io: CommandIO): Promise<boolean> {
  const schema = join(io.cwd, PIPELINE_SCHEMA_FILE);
  const files: [string, string][] = [
    [rootName, rootText],
    ...templateFiles(io.cwd).map((f): [string, string] => [f, readFileSync(join(io.cwd, f), "utf8")]),
  ];
  let ok = true;
  for (const [name, text] of files) {
    const diagnostics = await validatePipelineYaml(text, schema, name);
    for (const d of diagnostics) io.err(`${formatDiagnostic(name, d)}\n`);
    if (diagnostics.length > 0) ok = false;
  }
  return ok;
}

async function generate(o: GenerateOptions, io: CommandIO): Promise<number> {
  const dir = o.fleetDir !== undefined ? resolve(io.cwd, o.fleetDir) : fleetDirFromEnv(io.cwd);
  const text = renderPipeline(loadFleetOrThrow(dir));
  const file = resolve(io.cwd, o.out);
  if (!(await validateAll(text, o.out, io))) {
    io.err(
      `pipeline: ${o.out} or a template in ${PIPELINE_TEMPLATES_DIR}/ does not validate against ${PIPELINE_SCHEMA_FILE}\n`,
    );
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
    io.out(`pipeline: ${o.out} is up to date, and it and ${PIPELINE_TEMPLATES_DIR}/ are valid\n`);
    return 0;
  }
  writeFileSync(file, text);
  io.out(
    `pipeline: wrote ${o.out} (${text.split("\n").length} lines), valid against ${PIPELINE_SCHEMA_FILE} with ${PIPELINE_TEMPLATES_DIR}/\n`,
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

/**
 * How `prepare` gets a base commit's output. The npm entry (bin/pipeline.ts) passes the
 * comparison by stack input hashes (cli/affected/input-affected.ts), which synthesizes in-process and so
 * loads cdktf; the legs' prebuilt command line (cli/fleet-cli/command.ts) must not, and never runs
 * `prepare`, so the default here is a full synthesis of the base in a worktree (a subprocess).
 */
export interface PipelineDeps {
  readonly loadBase?: (
    commit: string,
    head: StackOutputs,
    cwd: string,
    env: NodeJS.ProcessEnv,
    log: (text: string) => void,
  ) => Promise<LoadedBase>;
}

async function prepare(o: PrepareCliOptions, io: CommandIO, deps: PipelineDeps): Promise<number> {
  const fleet = loadFleetOrThrow(fleetDirFromEnv(io.cwd));
  const scopes = promotionOrder(fleet).map((s) => s.scope);
  const rollout = resolveRollout(fleet.settings);
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
    rollout,
    loadBase: (commit) =>
      deps.loadBase
        ? deps.loadBase(commit, head, io.cwd, io.env, log)
        : synthesizedRef(commit, io.cwd, log, io.env),
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
    // collect reads the slots and the failure budget from here (the fleet.yaml of this commit).
    rollout,
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
    io.out(uploadSummary(summaryFile));
    for (const f of diffFiles) io.out(uploadSummary(f));
    for (const w of baseWarnings(result)) io.out(logIssue("warning", w));
    if (risks > 0) {
      io.out(
        logIssue(
          "warning",
          `${risks} risky change(s) in the configuration diff: read the run summary before approving`,
        ),
      );
      io.out(completeTask("SucceededWithIssues", "risky changes"));
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
  pass: number;
  out: string;
  legsEnv: string;
  ado?: boolean;
}

interface RunFile {
  mode: RunMode;
  /** Absent in a run.json older than the rollout: one group, no budget. */
  rollout?: Rollout;
  scopes: Record<string, { changed: string[] | null }>;
}

async function collectCommand(o: CollectCliOptions, io: CommandIO): Promise<number> {
  const run = JSON.parse(readFileSync(join(resolve(io.cwd, o.affected), "run.json"), "utf8")) as RunFile;
  const legsText = io.env[o.legsEnv];
  if (legsText === undefined || legsText === "") throw new Error(`$${o.legsEnv} holds no plan matrix`);
  const planLegs = JSON.parse(legsText) as Legs;
  const manifest = readManifest(resolve(io.cwd, o.cdktfOut));
  const changedInRun = new Set(Object.values(run.scopes).flatMap((s) => s.changed ?? []));
  if (o.pass !== 1 && o.pass !== 2) throw new Error(`--pass ${o.pass}: use 1 or 2`);
  const pass = o.pass;
  const attempt = `${io.env.SYSTEM_STAGEATTEMPT ?? "1"}_${io.env.SYSTEM_JOBATTEMPT ?? "1"}`;
  const decisionsArtifact = `decisions_${o.scope}${pass === 2 ? "_p2" : ""}_${attempt}`;
  const legs = readLegResults(resolve(io.cwd, o.results), o.scope, pass);
  const result = collect({
    scope: o.scope,
    mode: run.mode,
    planLegs,
    legs,
    graph: manifest.graph,
    changedInRun,
    ...(run.rollout !== undefined ? { rollout: run.rollout } : {}),
    pass,
    decisionsArtifact,
  });
  const out = resolve(io.cwd, o.out);
  mkdirSync(out, { recursive: true });
  for (const [artifact, stacks] of result.decisions) {
    writeFileSync(join(out, `${artifact}.txt`), stacks.map((s) => `${s}\n`).join(""));
  }
  // What `pipeline gate` and `apply --skip-blocked` read: the slots and the budget.
  writeFileSync(join(out, ROLLOUT_FILE), `${JSON.stringify(rolloutRecord(o.scope, result), null, 2)}\n`);
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
    io.out(setVariable("slots", String(result.slots.filter((x) => x.stacks.length > 0).length), true));
    result.applySlots.forEach((w, i) => {
      io.out(setVariable(`slot${i}`, JSON.stringify(w), true));
    });
    const deferred = Object.keys(result.deferredLegs).length > 0;
    io.out(setVariable("deferred", String(deferred), true));
    io.out(setVariable("legs_deferred", JSON.stringify(result.deferredLegs), true));
    io.out(setVariable("DECISIONS_ARTIFACT", decisionsArtifact));
    io.out(uploadSummary(summaryFile));
    const issues = collectIssues(o.scope, run.mode, result);
    for (const i of issues) io.out(logIssue(i.type, i.text));
    if (result.failed.length === 0 && issues.length > 0) {
      const why = run.mode === "drift" ? "drift found" : "deferred stacks";
      io.out(completeTask("SucceededWithIssues", why));
    }
  } else {
    io.out(`${JSON.stringify({ ...result, decisions: Object.fromEntries(result.decisions) }, null, 2)}\n`);
  }
  return result.failed.length > 0 ? 1 : 0;
}

interface GateCliOptions {
  scope: string;
  slot: string;
  applied: string;
  decisions: string;
  ado?: boolean;
}

async function gateCommand(o: GateCliOptions, io: CommandIO): Promise<number> {
  const slot = Number(o.slot);
  const record = readRolloutRecord(resolve(io.cwd, o.decisions));
  if (record.scope !== o.scope) {
    throw new Error(`--decisions holds the rollout of ${record.scope}, not of ${o.scope}`);
  }
  const applied = readAppliedResults(resolve(io.cwd, o.applied));
  const result = await gate({ slot, record, applied }, io.env);
  const text = gateSummary(record, slot, result);
  io.out(text);
  if (o.ado) {
    const file = join(mkdtempSync(join(tmpdir(), "fleet-gate-")), `gate-${o.scope}-${slot}.md`);
    writeFileSync(file, text);
    io.out(uploadSummary(file));
    for (const reason of result.reasons) io.out(logIssue("error", `${o.scope} slot ${slot}: ${reason}`));
  }
  return result.proceed ? 0 : 1;
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

export async function main(
  argv: readonly string[],
  io: CommandIO = processIO(),
  deps: PipelineDeps = {},
): Promise<number> {
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
        action = () => prepare(o, io, deps);
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
      .option("--wave-slots <n>", "ignored: the slots come from run.json's rollout (cli/pipeline/rollout.ts)")
      .option("--pass <n>", "1, or 2 for the second pass (the deferred stacks)", positiveInt, 1)
      .requiredOption("--out <dir>", "where the apply decisions, rollout.json and the summary go")
      .option("--legs-env <name>", "the environment variable holding the plan matrix", "PLAN_LEGS")
      .option("--ado", "Azure DevOps output variables, run summary and issues")
      .action((o: CollectCliOptions) => {
        action = () => collectCommand(o, io);
      }),
  );
  sub(
    cmd
      .command("gate")
      .description(
        "between two apply slots: the failure budget and the health of the clusters applied so far",
      )
      .requiredOption("--scope <scope>", "the state scope")
      .requiredOption("--slot <i>", "the slot about to be applied")
      .requiredOption("--applied <dir>", "the downloaded applied_<scope>_* artifacts of earlier slots")
      .requiredOption("--decisions <dir>", "the scope's decisions artifact (rollout.json)")
      .option("--ado", "Azure DevOps run summary and errors")
      .action((o: GateCliOptions) => {
        action = () => gateCommand(o, io);
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
  addStateCommands(
    cmd,
    sub,
    (a) => {
      action = a;
    },
    io,
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
