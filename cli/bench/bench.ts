/**
 * `npm run bench`: synthesizes fleets scaled up from the real registry, each in a fresh process,
 * and prints what it cost. Figures are printed, never asserted; compare them as ratios.
 *
 * Per fleet (the committed one and the generated sizes), each step a fresh process: the full cold
 * synthesis; a no-op synthesis with the warm output; a one-org settings change synthesized with
 * the warm output; `affected` for that change (`--base-fleet`, by stack inputs); one org's
 * selection into an empty output. Ratios are to the cold synthesis of the same fleet, beside
 * issue 15's targets.
 *
 * Every generated org is a copy of a real one under a new code, running in tt02 and production
 * (every fifth also in yt01), so the fleets have the shape of Altinn's, only larger. Platform and
 * Studio come along as in the committed fleet. Address blocks are allocated in-process first.
 */
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { parseDocument } from "yaml";
import { ADDRESS_PLAN_FILE, allocate, renderAddressPlan } from "../../fleet/address-plan";
import { loadFleet } from "../../fleet/load";
import { formatProblem } from "../../fleet/problems";
import { MAX_ORG_REGISTRY_ENDPOINTS } from "../../stacks/studio-stack";
import { parse as parseArgs } from "../shared/command";
import { PROJECT_ROOT } from "../shared/project-root";

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
  if (orgCount > MAX_ORG_REGISTRY_ENDPOINTS) {
    // The production Studio's private endpoints to every org registry do not fit its endpoints
    // subnet beyond this many orgs, and synth refuses such a fleet (stacks/studio-stack.ts):
    // leave Studio prod out here, so the rest of the fleet can be measured.
    const studios = doc.getIn(["studio", "environments"]) as {
      items: { get(k: string): unknown }[];
    };
    studios.items = studios.items.filter((env) => env.get("type") !== "production");
  }
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

interface CommandRun {
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly stdout: string;
  /** What FLEET_SYNTH_STATS recorded (synth only). */
  readonly synth?: { readonly stacks: number; readonly reused: number };
}

/** Runs one project command in a fresh process, as npm runs it, and measures it. */
function runCommand(
  entry: string,
  args: readonly string[],
  env: Readonly<Record<string, string>>,
): CommandRun {
  const work = mkdtempSync(join(tmpdir(), "bench-run-"));
  const benchStats = join(work, "process.json");
  const synthStats = join(work, "synth.json");
  const started = process.hrtime.bigint();
  const run = spawnSync(
    NODE_TS[0],
    ["-r", join(REPO, "tools", "bench-stats.cjs"), ...NODE_TS.slice(1), join(REPO, entry), ...args],
    {
      cwd: REPO,
      env: { ...process.env, ...env, FLEET_BENCH_STATS: benchStats, FLEET_SYNTH_STATS: synthStats },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  try {
    if (run.status !== 0) throw new Error(`${entry} ${args.join(" ")} failed:\n${run.stderr}`);
    const peak = JSON.parse(readFileSync(benchStats, "utf8")) as { maxRssKb: number };
    const synth = existsSync(synthStats)
      ? (JSON.parse(readFileSync(synthStats, "utf8")) as { stacks: number; reused: number })
      : undefined;
    return {
      wallSeconds,
      peakRssMb: peak.maxRssKb / 1024,
      stdout: run.stdout,
      ...(synth !== undefined ? { synth } : {}),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Synthesizes one fleet directory in a fresh process (cold: nothing to reuse). */
export function measureFleet(fleetDir: string, orgs: number, outdir?: string): FleetFigures {
  const work = outdir === undefined ? mkdtempSync(join(tmpdir(), "bench-out-")) : undefined;
  const out = outdir ?? join(work!, "cdktf.out");
  const r = runCommand("bin/synth.ts", ["--output", out, "--no-cache"], { FLEET_DIR: fleetDir });
  const { resources, bytes } = countOutput(out);
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
  const stacks = r.synth!.stacks;
  return {
    orgs,
    stacks,
    resources,
    outputBytes: bytes,
    wallSeconds: r.wallSeconds,
    peakRssMb: r.peakRssMb,
    msPerStack: (r.wallSeconds * 1000) / stacks,
  };
}

/** A copy of a fleet directory with one org's ingress replicas changed (`orgs.<org>.all`). */
export function oneOrgChange(fleetDir: string, org: string): string {
  const dir = mkdtempSync(join(tmpdir(), "bench-fleet-changed-"));
  cpSync(fleetDir, dir, { recursive: true });
  const settingsPath = join(dir, "fleet.yaml");
  const doc = parseDocument(readFileSync(settingsPath, "utf8"));
  doc.setIn(["orgs", org, "all", "ingress", "replicas"], 5);
  writeFileSync(settingsPath, doc.toString());
  return dir;
}

export interface ScenarioFigures {
  readonly name: string;
  readonly wallSeconds: number;
  readonly peakRssMb: number;
  readonly note: string;
}

/**
 * The loop a platform engineer lives in, on one fleet, each step a fresh process: a full cold
 * synthesis, a no-op synthesis with the warm output, a one-org change synthesized with the warm
 * output, `affected` for that change, and one org's selection into an empty output.
 */
export function measureScenarios(
  fleetDir: string,
  orgs: number,
  org: string,
): { cold: FleetFigures; scenarios: ScenarioFigures[] } {
  const work = mkdtempSync(join(tmpdir(), "bench-out-"));
  const out = join(work, "cdktf.out");
  const changed = oneOrgChange(fleetDir, org);
  const step = (what: string) =>
    process.stderr.write(`bench: ${orgs > 0 ? `${orgs} orgs` : "committed fleet"}: ${what}\n`);
  try {
    step("full synth, cold");
    const cold = measureFleet(fleetDir, orgs, out);
    const synthNote = (r: CommandRun) =>
      `${r.synth!.stacks - r.synth!.reused} built, ${r.synth!.reused} reused`;
    step("no-op synth, warm");
    const warm = runCommand("bin/synth.ts", ["--output", out], { FLEET_DIR: fleetDir });
    step("one-org change, warm");
    const change = runCommand("bin/synth.ts", ["--output", out], { FLEET_DIR: changed });
    step("affected, one-org change");
    const affected = runCommand("bin/affected.ts", ["--base-fleet", fleetDir], { FLEET_DIR: changed });
    step(`--stacks 'apps-${org}-*', cold`);
    const selection = runCommand(
      "bin/synth.ts",
      ["--output", join(work, "selection.out"), "--stacks", `apps-${org}-*`],
      {
        FLEET_DIR: fleetDir,
      },
    );
    const affectedIds = affected.stdout.split("\n").filter((l) => l !== "");
    return {
      cold,
      scenarios: [
        {
          name: "full synth, cold",
          wallSeconds: cold.wallSeconds,
          peakRssMb: cold.peakRssMb,
          note: `${cold.stacks} built`,
        },
        {
          name: "no-op synth, warm",
          wallSeconds: warm.wallSeconds,
          peakRssMb: warm.peakRssMb,
          note: synthNote(warm),
        },
        {
          name: "one-org change, warm",
          wallSeconds: change.wallSeconds,
          peakRssMb: change.peakRssMb,
          note: synthNote(change),
        },
        {
          name: "affected, one-org change",
          wallSeconds: affected.wallSeconds,
          peakRssMb: affected.peakRssMb,
          note: `${affectedIds.length} affected: ${affectedIds.join(" ")}`,
        },
        {
          name: `--stacks 'apps-${org}-*', cold`,
          wallSeconds: selection.wallSeconds,
          peakRssMb: selection.peakRssMb,
          note: `${selection.synth!.stacks} built`,
        },
      ],
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(changed, { recursive: true, force: true });
  }
}

/** The cost of starting a process and loading the app's libraries, with no fleet built. */
export function measureLibraries(): { wallSeconds: number; peakRssMb: number } {
  const started = process.hrtime.bigint();
  const run = spawnSync(NODE_TS[0], [...NODE_TS.slice(1), "cli/bench/load-libraries.ts"], {
    cwd: REPO,
    encoding: "utf8",
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`loading the libraries failed:\n${run.stderr}`);
  return { wallSeconds, peakRssMb: (JSON.parse(run.stdout) as { maxRssKb: number }).maxRssKb / 1024 };
}

/** Issue 15's targets, as ratios to the full cold synthesis of the same fleet. */
const TARGETS: Readonly<Record<string, number>> = {
  "no-op synth, warm": 0.05,
  "affected, one-org change": 0.1,
  selection: 0.1,
};

export function runBench(argv: readonly string[]): number {
  const program = new Command()
    .name("npm run bench --")
    .description("Synthesize scaled-up fleets in fresh processes and print what each step cost")
    .option("--orgs <n...>", "fleet sizes in orgs", ["100", "1000"])
    .option("--no-committed", "leave out the committed fleet")
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ orgs: string[]; committed: boolean }>();
  const sizes = (opts.orgs ?? []).map(Number).sort((a, b) => a - b);
  const benchStarted = process.hrtime.bigint();

  const lib = measureLibraries();
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`libraries alone: ${lib.wallSeconds.toFixed(2)} s wall, ${lib.peakRssMb.toFixed(0)} MB peak RSS`);
  if (sizes.some((n) => n > MAX_ORG_REGISTRY_ENDPOINTS)) {
    out(
      `fleets of more than ${MAX_ORG_REGISTRY_ENDPOINTS} orgs leave Studio prod out: its endpoints subnet holds no more org registry endpoints`,
    );
  }
  const report = (
    label: string,
    fleet: { cold: FleetFigures; scenarios: ScenarioFigures[] },
    selectionTarget: number,
  ) => {
    const c = fleet.cold;
    out("");
    out(
      `${label}: ${c.stacks} stacks, ${c.resources} resources, ${(c.outputBytes / 1e6).toFixed(1)} MB output, ${c.msPerStack.toFixed(2)} ms/stack cold (${(((c.wallSeconds - lib.wallSeconds) * 1000) / c.stacks).toFixed(2)} net of libraries)`,
    );
    out("  step                              wall s  ratio  peak RSS MB  target  what");
    for (const s of fleet.scenarios) {
      const ratio = s.wallSeconds / c.wallSeconds;
      const target = s.name.startsWith("--stacks") ? selectionTarget : TARGETS[s.name];
      const verdict = target === undefined ? "" : `${ratio <= target ? "≤" : ">"} ${target}`;
      out(
        `  ${s.name.padEnd(32)}  ${s.wallSeconds.toFixed(1).padStart(6)}  ${ratio.toFixed(3).padStart(5)}  ${s.peakRssMb.toFixed(0).padStart(11)}  ${verdict.padEnd(6)}  ${s.note}`,
      );
    }
  };
  if (opts.committed) {
    report("committed fleet (environments/)", measureScenarios(join(REPO, "environments"), 0, "ttd"), 0.2);
  }
  const rows: FleetFigures[] = [];
  for (const orgs of sizes) {
    const dir = generateFleet(orgs);
    try {
      const figures = measureScenarios(dir, orgs, "b000");
      rows.push(figures.cold);
      report(`${orgs} orgs`, figures, 0.1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (rows.length >= 2) {
    const small = rows[0]!;
    const large = rows[rows.length - 1]!;
    const net = (f: FleetFigures) => (f.wallSeconds - lib.wallSeconds) / f.stacks;
    out("");
    out(
      `per-stack cost ratio ${large.orgs} orgs / ${small.orgs} orgs: ${(large.msPerStack / small.msPerStack).toFixed(2)} (gross), ${(net(large) / net(small)).toFixed(2)} (net of library loading); target ≤ 1.3`,
    );
    out(`peak RSS of the cold synth at ${large.orgs} orgs: ${large.peakRssMb.toFixed(0)} MB; target < 2048`);
  }
  out(`bench wall time: ${(Number(process.hrtime.bigint() - benchStarted) / 1e9).toFixed(1)} s`);
  return 0;
}
