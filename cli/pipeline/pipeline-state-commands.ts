/**
 * The pipeline subcommands that guard the first apply of a scope: `init-state` (state blobs of
 * never-applied stacks, cli/pipeline/state-init.ts) and `check-environments` (each scope's Environment
 * exists with an approval, cli/pipeline/environment-check.ts). Registered on `npm run pipeline`.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { logIssue } from "../shared/ado-logging";
import { type CommandIO, nonNegativeInt, positiveInt, seconds } from "../shared/command";
import { readManifest } from "../shared/manifest";
import { INIT_STATE_STAGE, terraformBinary } from "../terraform/terraform";
import { checkEnvironments } from "./environment-check";
import { PIPELINE_NAMES } from "./pipeline";
import { initStateBlobs, preparedStacks } from "./state-init";

interface InitStateCliOptions {
  affected: string;
  cdktfOut: string;
  parallelism: number;
  waitForAccess: number;
  ado?: boolean;
}

async function initState(o: InitStateCliOptions, io: CommandIO): Promise<number> {
  const manifest = readManifest(resolve(io.cwd, o.cdktfOut));
  const stacks = preparedStacks(resolve(io.cwd, o.affected));
  const results = await initStateBlobs(manifest, stacks, {
    binary: terraformBinary(io.env),
    env: io.env,
    parallelism: o.parallelism,
    waitForAccessMs: o.waitForAccess * 1000,
    onDone: (r) =>
      io.out(
        `[init-state] ${r.stack}: ${r.outcome}${r.outcome === "skipped" ? ` (${r.message})` : ""} (${seconds(r.durationMs)})\n`,
      ),
  });
  const failed = results.filter((r) => r.outcome === "failed");
  for (const r of failed) {
    io.err(`--- ${r.stack}: ${r.message}\n`);
    if (o.ado) io.out(logIssue("error", `${r.stack}: ${(r.message ?? "").split("\n")[0]}`));
  }
  io.out(
    `init-state: ${results.length} stack(s), ${results.filter((r) => r.outcome === "ready").length} with state, ${failed.length} failed → exit ${failed.length > 0 ? 1 : 0}\n`,
  );
  return failed.length > 0 ? 1 : 0;
}

async function environments(o: { scopes: string; ado?: boolean }, io: CommandIO): Promise<number> {
  const missing = ["SYSTEM_COLLECTIONURI", "SYSTEM_TEAMPROJECT", "SYSTEM_ACCESSTOKEN"].filter(
    (v) => (io.env[v] ?? "") === "",
  );
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} not set: run it in a pipeline job, with SYSTEM_ACCESSTOKEN mapped from $(System.AccessToken)`,
    );
  }
  const scopes = o.scopes
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (scopes.length === 0) throw new Error("--scopes names no scope");
  const results = await checkEnvironments({
    collectionUri: io.env.SYSTEM_COLLECTIONURI!,
    project: io.env.SYSTEM_TEAMPROJECT!,
    token: io.env.SYSTEM_ACCESSTOKEN!,
    environments: scopes.map((s) => PIPELINE_NAMES.environment(s)),
  });
  for (const r of results) {
    if (r.ok) io.out(`[check-environments] ${r.environment}: exists, with an Approval check\n`);
    else {
      io.err(`error: ${r.problem}\n`);
      if (o.ado) io.out(logIssue("error", r.problem!));
    }
  }
  const bad = results.filter((r) => !r.ok).length;
  io.out(`check-environments: ${results.length} Environment(s), ${bad} to fix → exit ${bad > 0 ? 1 : 0}\n`);
  return bad > 0 ? 1 : 0;
}

/** Adds `init-state` and `check-environments` to the pipeline command. */
export function addStateCommands(
  cmd: Command,
  sub: (c: Command) => Command,
  setAction: (action: () => Promise<number>) => void,
  io: CommandIO,
): void {
  sub(
    cmd
      .command("init-state")
      .description(
        `stage ${INIT_STATE_STAGE}: create the missing state blob of every prepared stack (terraform init on its backend alone)`,
      )
      .requiredOption("--affected <dir>", "the Build stage's affected artifact (run.json, <scope>.txt)")
      .option("--cdktf-out <dir>", "synthesized output with manifest.json", "cdktf.out")
      .option("--parallelism <n>", "inits at once", positiveInt, 8)
      .option(
        "--wait-for-access <seconds>",
        "keep retrying a refused (403) init this long: grants apply_state just made take minutes",
        nonNegativeInt,
        600,
      )
      .option("--ado", "Azure DevOps errors per failed stack")
      .addHelpText(
        "after",
        `
Runs with the state scope's apply identity (the ARM_* variables of the AzureCLI@2 task), which
may write, never delete, every tfstate-<scope> container. An existing blob is only read.
Exit codes: 0 every stack has its state blob, 1 any init failed.`,
      )
      .action((o: InitStateCliOptions) => {
        setAction(() => initState(o, io));
      }),
  );
  sub(
    cmd
      .command("check-environments")
      .description(
        "each scope's Environment fleet-<scope> exists and has an Approval check (Azure DevOps REST API)",
      )
      .requiredOption("--scopes <a,b,...>", "the state scopes, comma separated")
      .option("--ado", "Azure DevOps errors per problem")
      .addHelpText(
        "after",
        `
Reads SYSTEM_COLLECTIONURI, SYSTEM_TEAMPROJECT and SYSTEM_ACCESSTOKEN (map $(System.AccessToken)).
Exit codes: 0 every Environment exists with an Approval check, 1 otherwise (one error each, with the fix).`,
      )
      .action((o: { scopes: string; ado?: boolean }) => {
        setAction(() => environments(o, io));
      }),
  );
}
