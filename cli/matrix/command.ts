/** `npm run matrix`: the Azure DevOps job matrix for one environment's stacks, wave by wave. */
import { resolve } from "node:path";
import {
  type CommandIO,
  guarded,
  nonNegativeInt,
  parse,
  parseStackList,
  positiveInt,
  processIO,
  program,
  readStacksFile,
} from "../shared/command";
import { resolveEnvToken } from "../shared/env-token";
import { inScope, readManifest } from "../shared/manifest";
import { AZURE_DEVOPS_MAX_JOBS, adoOutputCommands, buildMatrix } from "./matrix";

const HELP = `
Reads stack ids (--stacks-file, or stdin, e.g. piped from npm run affected; or --all for
every stack of the environment), keeps those of --env and in the manifest (removed stacks
are skipped with a notice), groups them in dependency waves and shards them into legs so that
the legs of all waves together stay within --max-jobs (a stage holds at most 256 jobs).

Output (stdout):
  default              {env, maxJobs, shardSize, stackCount, legCount, skipped,
                        waves: [{index, name, stacks, legs: {<LegName>: {STACKS, WAVE}}}]}
  --wave N             the legs object of wave N only ({} when there is no such wave)
  --ado-output <name>  ##vso[task.setvariable variable=<name>;isOutput=true]<legs> (all legs,
                       or wave N's with --wave), <name>_wave<i> for each wave (empty slots up
                       to --wave-slots are {}), and <name>_waves = the wave count

Leg names use only [A-Za-z0-9_], start with a letter, are at most 100 characters and unique.
A leg's STACKS is space separated: npm run plan -- --stack $(STACKS).

Exit codes: 0 success, 1 error (also: more waves than --wave-slots).

Example (a job named discover, step named m):
  npm run --silent affected -- --base origin/main --env at22 | npm run --silent matrix -- --env at22 --ado-output legs --wave-slots 3
  # then: strategy: matrix: $[ dependencies.discover.outputs['m.legs_wave0'] ]
`;

interface Options {
  env: string;
  stacksFile?: string;
  all?: boolean;
  cdktfOut: string;
  maxJobs: number;
  shardSize?: number;
  wave?: number;
  adoOutput?: string;
  waveSlots?: number;
}

export async function main(argv: readonly string[], io: CommandIO = processIO()): Promise<number> {
  const cmd = program("matrix", "Print the Azure DevOps job matrix for one environment's stacks.", io)
    .requiredOption(
      "--env <env>",
      "state scope: an environment token (production is prod), or shared (org registries, services-* stacks)",
    )
    .option("--stacks-file <file>", "stack ids, whitespace or newline separated (- = stdin; default: stdin)")
    .option("--all", "every stack of the environment in the manifest (e.g. scheduled drift detection)")
    .option("--cdktf-out <dir>", "synthesized output with manifest.json", "cdktf.out")
    .option("--max-jobs <n>", "most legs over all waves", positiveInt, AZURE_DEVOPS_MAX_JOBS)
    .option("--shard-size <n>", "stacks per leg (raised when needed to fit --max-jobs)", positiveInt)
    .option("--wave <n>", "print (or publish as <name>) only this wave's legs", nonNegativeInt)
    .option("--ado-output <name>", "print ##vso output-variable commands for this variable name")
    .option(
      "--wave-slots <n>",
      "wave jobs the pipeline has: publish that many <name>_wave<i> variables",
      positiveInt,
    )
    .addHelpText("after", HELP);
  const code = parse(cmd, argv);
  if (code !== undefined) return code;
  const o = cmd.opts<Options>();
  return guarded(io, async () => {
    if (o.adoOutput !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.adoOutput)) {
      throw new Error(`--ado-output ${o.adoOutput}: a variable name is letters, digits and _ only`);
    }
    const env = resolveEnvToken(o.env, io.cwd, io.env.FLEET_DIR);
    const manifest = readManifest(resolve(io.cwd, o.cdktfOut));
    let requested: string[];
    if (o.all) {
      requested = [...manifest.stacks.keys()];
    } else {
      const fromFile = await readStacksFile(o.stacksFile, io);
      if (fromFile !== undefined) {
        requested = fromFile;
      } else {
        const stdin = await io.readStdin();
        if (stdin === undefined)
          throw new Error("give --stacks-file <file>, --all, or pipe stack ids on stdin");
        requested = parseStackList(stdin);
      }
    }
    if (manifest.metadata === undefined) {
      throw new Error(`${manifest.dir} has no stacks.json (stack scopes): synthesize again (npm run synth)`);
    }
    const inEnv = inScope(requested, env, manifest);
    const outside = requested.length - inEnv.length;
    if (outside > 0) io.err(`matrix: ${outside} stack(s) not in environment ${env} left out\n`);
    const { matrix, notices } = buildMatrix({
      graph: manifest.graph,
      stacks: inEnv,
      env,
      maxJobs: o.maxJobs,
      ...(o.shardSize !== undefined ? { shardSize: o.shardSize } : {}),
    });
    for (const n of notices) io.err(`matrix: ${n}\n`);
    if (matrix.skipped.length > 0) {
      io.err(`matrix: not in the manifest (removed stacks, nothing to plan): ${matrix.skipped.join(", ")}\n`);
    }
    if (o.waveSlots !== undefined && matrix.waves.length > o.waveSlots) {
      throw new Error(
        `${matrix.waves.length} dependency waves but the pipeline has ${o.waveSlots} wave slot(s): add wave jobs to the pipeline`,
      );
    }
    io.err(
      `matrix ${env}: ${matrix.stackCount} stack(s) in ${matrix.waves.length} wave(s), ${matrix.legCount} leg(s) of up to ${matrix.shardSize}\n`,
    );
    if (o.adoOutput !== undefined) {
      const options = {
        ...(o.wave !== undefined ? { wave: o.wave } : {}),
        ...(o.waveSlots !== undefined ? { waveSlots: o.waveSlots } : {}),
      };
      for (const line of adoOutputCommands(matrix, o.adoOutput, options)) io.out(`${line}\n`);
    } else if (o.wave !== undefined) {
      io.out(`${JSON.stringify(matrix.waves[o.wave]?.legs ?? {})}\n`);
    } else {
      io.out(`${JSON.stringify(matrix, null, 2)}\n`);
    }
    return 0;
  });
}
