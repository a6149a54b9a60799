/**
 * `npm run bench`: synthesizes fleets scaled up from the real registry, each in a fresh process,
 * and prints what it cost. Figures are printed, never asserted; compare them as ratios.
 *
 * Every generated org is a copy of a real one under a new code, running in tt02 and production
 * (every fifth also in yt01), so the fleets have the shape of Altinn's, only larger. Platform and
 * Studio come along as in the committed fleet. Address blocks are allocated in-process first.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { parseDocument } from "yaml";
import { ADDRESS_PLAN_FILE, allocate, renderAddressPlan } from "../fleet/address-plan";
import { loadFleet } from "../fleet/load";
import { formatProblem } from "../fleet/problems";
import { parse as parseArgs } from "./commands/common";
import { PROJECT_ROOT } from "./project-root";

const REPO = PROJECT_ROOT;
/** The commands run as the npm scripts run them (tools/run.cjs: a cached bundle of the entry). */
const NODE_TS = [process.execPath, join(PROJECT_ROOT, "tools", "run.cjs")] as const;

export interface FleetFigures {
  readonly orgs: number;
  readonly stacks: number;
  readonly resources: number;
  readonly outputBytes: number;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly msPerStack: number;
}

/** Writes a fleet directory with `orgs` orgs generated from the committed registry. */
export function generateFleet(orgCount: number, base = join(REPO, "environments")): string {
  const dir = mkdtempSync(join(tmpdir(), `bench-fleet-${orgCount}-`));
  cpSync(base, dir, { recursive: true });
  const registry = JSON.parse(readFileSync(join(base, "altinn-orgs.json"), "utf8")) as {
    orgs: Record<string, { orgnr: string; environments: string[] }>;
  };
  const real = Object.entries(registry.orgs).filter(([, o]) => o.orgnr !== "");
  const orgs: Record<string, unknown> = {};
  for (let i = 0; i < orgCount; i++) {
    const [, template] = real[i % real.length]!;
    const environments = i % 5 === 0 ? ["tt02", "yt01", "production"] : ["tt02", "production"];
    orgs[`b${i.toString(36).padStart(3, "0")}`] = { ...template, environments };
  }
  writeFileSync(join(dir, "altinn-orgs.json"), `${JSON.stringify({ orgs }, null, 4)}\n`);
  // Org-level overrides name orgs of the committed registry that the generated one lacks.
  const settingsPath = join(dir, "fleet.yaml");
  const doc = parseDocument(readFileSync(settingsPath, "utf8"));
  doc.delete("orgs");
  writeFileSync(settingsPath, doc.toString());
  writeFileSync(join(dir, ADDRESS_PLAN_FILE), renderAddressPlan(new Map()));
  const { addressing, problems } = loadFleet(dir);
  if (!addressing) {
    throw new Error(
      `the generated fleet could not be read:\n${problems.map((p) => formatProblem(p)).join("\n")}`,
    );
  }
  const { allocations } = allocate(addressing.settings, new Map(), addressing.clusterKeys);
  writeFileSync(join(dir, ADDRESS_PLAN_FILE), renderAddressPlan(allocations));
  return dir;
}

function countOutput(outdir: string): { resources: number; bytes: number } {
  let resources = 0;
  let bytes = 0;
  const stacksDir = join(outdir, "stacks");
  for (const id of readdirSync(stacksDir)) {
    const file = join(stacksDir, id, "cdk.tf.json");
    bytes += statSync(file).size;
    const json = JSON.parse(readFileSync(file, "utf8")) as { resource?: Record<string, object> };
    for (const byName of Object.values(json.resource ?? {})) resources += Object.keys(byName).length;
  }
  return { resources, bytes };
}

/** Synthesizes one fleet directory in a fresh process. */
export function measureFleet(fleetDir: string, orgs: number): FleetFigures {
  const work = mkdtempSync(join(tmpdir(), "bench-out-"));
  const statsFile = join(work, "stats.json");
  const outdir = join(work, "cdktf.out");
  const started = process.hrtime.bigint();
  const run = spawnSync(
    NODE_TS[0],
    [...NODE_TS.slice(1), join(REPO, "bin", "synth.ts"), "--output", outdir],
    {
      cwd: REPO,
      env: { ...process.env, FLEET_DIR: fleetDir, FLEET_SYNTH_STATS: statsFile },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`synth of a ${orgs}-org fleet failed:\n${run.stderr}`);
  const stats = JSON.parse(readFileSync(statsFile, "utf8")) as { stacks: number; maxRssKb: number };
  const { resources, bytes } = countOutput(outdir);
  rmSync(work, { recursive: true, force: true });
  return {
    orgs,
    stacks: stats.stacks,
    resources,
    outputBytes: bytes,
    wallSeconds,
    peakRssMb: stats.maxRssKb / 1024,
    msPerStack: (wallSeconds * 1000) / stats.stacks,
  };
}

/** The cost of starting a process and loading the app's libraries, with no fleet built. */
export function measureLibraries(): { wallSeconds: number; peakRssMb: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(NODE_TS[0], [...NODE_TS.slice(1), "cli/load-libraries.ts"], {
    cwd: REPO,
    encoding: "utf8",
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`loading the libraries failed:\n${run.stderr}`);
  return { wallSeconds, peakRssMb: (JSON.parse(run.stdout) as { maxRssKb: number }).maxRssKb / 1024 };
}

export function runBench(argv: readonly string[]): number {
  const program = new Command()
    .name("npm run bench --")
    .description("Synthesize scaled-up fleets in fresh processes and print what each cost")
    .option("--orgs <n...>", "fleet sizes in orgs", ["100", "500", "1000"])
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const sizes = (program.opts<{ orgs: string[] }>().orgs ?? []).map(Number).sort((a, b) => a - b);
  const benchStarted = process.hrtime.bigint();

  const lib = measureLibraries();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`libraries alone: ${lib.wallSeconds.toFixed(2)} s wall, ${lib.peakRssMb.toFixed(0)} MB peak RSS`);
  out("");
  out("  orgs  stacks  resources  output MB  wall s  peak RSS MB  ms/stack  ms/stack (net of libraries)");
  const rows: FleetFigures[] = [];
  for (const orgs of sizes) {
    const dir = generateFleet(orgs);
    const f = measureFleet(dir, orgs);
    rmSync(dir, { recursive: true, force: true });
    rows.push(f);
    const net = ((f.wallSeconds - lib.wallSeconds) * 1000) / f.stacks;
    out(
      `${String(orgs).padStart(6)}  ${String(f.stacks).padStart(6)}  ${String(f.resources).padStart(9)}  ${(f.outputBytes / 1e6).toFixed(1).padStart(9)}  ${f.wallSeconds.toFixed(1).padStart(6)}  ${f.peakRssMb.toFixed(0).padStart(11)}  ${f.msPerStack.toFixed(2).padStart(8)}  ${net.toFixed(2).padStart(8)}`,
    );
  }
  if (rows.length >= 2) {
    const small = rows[0]!;
    const large = rows[rows.length - 1]!;
    const net = (f: FleetFigures) => (f.wallSeconds - lib.wallSeconds) / f.stacks;
    out("");
    out(
      `per-stack cost ratio ${large.orgs} orgs / ${small.orgs} orgs: ${(large.msPerStack / small.msPerStack).toFixed(2)} (gross), ${(net(large) / net(small)).toFixed(2)} (net of library loading)`,
    );
    out(`peak RSS at ${large.orgs} orgs: ${large.peakRssMb.toFixed(0)} MB`);
  }
  out(`bench wall time: ${(Number(process.hrtime.bigint() - benchStarted) / 1e9).toFixed(1)} s`);
  return 0;
}
