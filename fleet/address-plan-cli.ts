/**
 * `npm run allocate`: gives new clusters an address block and records it in
 * `<fleet dir>/address-plan.yaml`.
 *
 * `runAllocate` does the work from plain inputs (settings and required keys), so it is tested
 * without the fleet loader; `main` parses the command line and asks a loader for those inputs.
 * The file is written atomically (temporary file + rename) and only when its bytes change.
 */
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Command } from "commander";
import {
  ADDRESS_PLAN_FILE,
  type AddressPlanSettings,
  AddressPoolExhaustedError,
  allocate,
  loadAddressPlan,
  poolUsage,
  renderAddressPlan,
  validateAddressPlan,
} from "./address-plan";
import { type FleetProblem, FleetValidationError, formatProblem } from "./problems";

export interface AllocateOutput {
  /** Progress and results (stdout). */
  readonly log: (line: string) => void;
  /** Problems and failures (stderr). */
  readonly error: (line: string) => void;
}

export interface RunAllocateOptions {
  readonly fleetDir: string;
  readonly settings: AddressPlanSettings;
  /** Every cluster key that needs a block. */
  readonly requiredKeys: readonly string[];
  /** Release the blocks of keys that are not required. */
  readonly prune?: boolean;
  /** Print what would change; write nothing. */
  readonly dryRun?: boolean;
  readonly output?: AllocateOutput;
}

const consoleOutput: AllocateOutput = {
  log: (line) => console.log(line),
  error: (line) => console.error(line),
};

/** Allocates, prints a summary and writes the plan. Returns the process exit code (0 or 1). */
export function runAllocate(options: RunAllocateOptions): number {
  const out = options.output ?? consoleOutput;
  const path = join(options.fleetDir, ADDRESS_PLAN_FILE);
  const shown = relative(process.cwd(), path) || path;

  const loaded = loadAddressPlan(path, ADDRESS_PLAN_FILE);
  const loadErrors = loaded.problems.filter((p) => p.severity === "error");
  if (loadErrors.length > 0) {
    return fail(out, `${shown} cannot be read, so nothing was allocated:`, loadErrors);
  }

  let result: ReturnType<typeof allocate>;
  try {
    result = allocate(options.settings, loaded.allocations, options.requiredKeys, {
      prune: options.prune ?? false,
    });
  } catch (e) {
    if (e instanceof FleetValidationError) {
      // Re-validate with line numbers for the report.
      const detailed = validateAddressPlan(options.settings, loaded.allocations, [], ADDRESS_PLAN_FILE, {
        lines: loaded.lines,
      }).filter((p) => p.severity === "error");
      return fail(
        out,
        "The address plan has errors, so nothing was allocated (new blocks cannot be placed safely around them):",
        detailed.length > 0 ? detailed : e.problems,
      );
    }
    if (e instanceof AddressPoolExhaustedError) {
      out.error(`error: ${e.message}`);
      return 1;
    }
    throw e;
  }

  // Defensive: the result must be clean before it is written.
  const after = validateAddressPlan(
    options.settings,
    result.allocations,
    options.requiredKeys,
    ADDRESS_PLAN_FILE,
    { lines: loaded.lines },
  );
  const afterErrors = after.filter((p) => p.severity === "error");
  if (afterErrors.length > 0) {
    return fail(
      out,
      "internal error: the new address plan does not validate; nothing was written:",
      afterErrors,
    );
  }

  const blocks = (keys: readonly string[], from: ReadonlyMap<string, string>) => {
    const width = Math.max(...keys.map((k) => k.length));
    return keys.map((k) => `  ${k.padEnd(width)}  ${from.get(k)}`);
  };
  if (result.pruned.length > 0) {
    out.log(`released ${count(result.pruned.length, "block")}:`);
    for (const line of blocks(result.pruned, loaded.allocations)) out.log(line);
  }
  if (result.added.length > 0) {
    out.log(`allocated ${count(result.added.length, "new block")}:`);
    for (const line of blocks(result.added, result.allocations)) out.log(line);
  }
  for (const p of after.filter((q) => q.severity === "notice")) {
    out.log(formatProblem(p));
  }

  const usage = poolUsage(options.settings, result.allocations);
  const text = renderAddressPlan(result.allocations);
  const current = loaded.exists ? readCurrent(path) : undefined;
  const summary = `${count(usage.used, "block")} allocated, ${usage.free} of ${usage.total} /${usage.blockPrefixLength} blocks free in ${usage.pool}`;
  if (current === text) {
    out.log(`${shown} is up to date (${summary})`);
    return 0;
  }
  if (options.dryRun) {
    out.log(`dry run: ${shown} not written (${summary})`);
    return 0;
  }
  writeAtomically(path, text);
  out.log(`wrote ${shown} (${summary})`);
  return 0;
}

function readCurrent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Writes via a temporary file in the same directory and a rename, so readers never see half a file. */
export function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temp, text, { encoding: "utf8", flag: "wx" });
    renameSync(temp, path);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

function fail(out: AllocateOutput, headline: string, problems: readonly FleetProblem[]): number {
  out.error(headline);
  for (const p of problems) {
    out.error(`  ${formatProblem(p)}`);
  }
  return 1;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

// ---------------------------------------------------------------- command line

/** What `main` needs from the fleet: the settings and the clusters that need blocks. */
export interface FleetForAllocation {
  readonly addressPlan: AddressPlanSettings;
  readonly clusterKeys: readonly string[];
}

export type FleetLoader = (
  dir: string,
) => Promise<{ fleet?: FleetForAllocation; problems: readonly FleetProblem[] }>;

export interface MainOptions {
  readonly loadFleet: FleetLoader;
  readonly env?: NodeJS.ProcessEnv;
  readonly output?: AllocateOutput;
}

/** Parses `argv` (as `process.argv`), loads the fleet and runs the allocation. Returns the exit code. */
export async function main(argv: readonly string[], options: MainOptions): Promise<number> {
  const out = options.output ?? consoleOutput;
  const env = options.env ?? process.env;
  const program = new Command()
    .name("allocate")
    .description(
      `Give every cluster without an address block the lowest free block of addressPlan.pool, and record it in ${ADDRESS_PLAN_FILE}. Existing blocks never move.`,
    )
    .option("--fleet-dir <dir>", "fleet directory (default: $FLEET_DIR, else environments/)")
    .option("--prune", "release the blocks of clusters that no longer exist (only after they are destroyed)")
    .option("--dry-run", "print what would change without writing the file")
    .exitOverride()
    .configureOutput({ writeOut: (s) => out.log(s.trimEnd()), writeErr: (s) => out.error(s.trimEnd()) });
  try {
    program.parse([...argv]);
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return typeof code === "number" ? code : 2;
  }
  const flags = program.opts<{ fleetDir?: string; prune?: boolean; dryRun?: boolean }>();
  const fleetDir = flags.fleetDir ?? env.FLEET_DIR ?? "environments";

  const { fleet, problems } = await options.loadFleet(fleetDir);
  if (fleet === undefined) {
    return fail(
      out,
      `The fleet in ${fleetDir} cannot be loaded:`,
      problems.filter((p) => p.severity === "error"),
    );
  }
  // Problems in the address plan itself are what this command fixes or reports; others are for synth.
  const other = problems.filter((p) => p.severity === "error" && p.file !== ADDRESS_PLAN_FILE);
  if (other.length > 0) {
    out.log(
      `note: the fleet definition has ${count(other.length, "other problem")}; \`npm run synth\` lists them`,
    );
  }
  return runAllocate({
    fleetDir,
    settings: fleet.addressPlan,
    requiredKeys: fleet.clusterKeys,
    prune: flags.prune ?? false,
    dryRun: flags.dryRun ?? false,
    output: out,
  });
}
