/**
 * Stack metadata, once: synth writes cdktf.out/stacks.json with every stack's kind, state scope,
 * org, environment and dependencies, and selections keep the other stacks' output and entries.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PIPELINE_DEFAULTS, promotionOrder } from "../../cli/pipeline/pipeline";
import { prepareRun } from "../../cli/pipeline/pipeline-prepare";
import { runContext } from "../../cli/pipeline/pipeline-run";
import { readManifest } from "../../cli/shared/manifest";
import { SynthOutput } from "../../cli/shared/synth-output";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { BOOTSTRAP_SCOPE, planStacks } from "../../stacks/app";
import { readStackMetadata, STACK_KINDS, STACKS_FILE } from "../../stacks/metadata";
import { NoStacksSelectedError, synthFleet } from "../../stacks/synth-fleet";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";
import { REPO_ROOT, runCli } from "../../testing/run-cli";

const EXAMPLE = join(REPO_ROOT, "examples", "all-services");
const ALL_KINDS: readonly string[] = STACK_KINDS;

function exampleFleet(): Fleet {
  const { fleet, problems } = loadFleet(EXAMPLE);
  if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
  return fleet;
}

function tempOut(): string {
  return join(mkdtempSync(join(tmpdir(), "stacks-meta-")), "cdktf.out");
}

/** Every file under a directory (relative path → sha256), to show what changed. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[p.slice(dir.length + 1)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

/** `npx cdktf synth --output <out>` of the example fleet with FLEET_STACKS. */
function cdktfSynth(out: string, stacks: string) {
  return spawnSync(join(REPO_ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", out], {
    cwd: REPO_ROOT,
    env: { ...process.env, FLEET_DIR: EXAMPLE, FLEET_STACKS: stacks, CHECKPOINT_DISABLE: "1", CI: "1" },
    encoding: "utf8",
  });
}

const example = exampleFleet();
const exampleOut = tempOut();
synthFleet(example, { outdir: exampleOut });

describe.each([
  ["the committed fleet", () => ({ fleet: committedFleet(), out: sharedFleetOutput() })],
  ["examples/all-services", () => ({ fleet: example, out: exampleOut })],
])("stacks.json of %s", (_name, get) => {
  const { fleet, out } = get();
  const manifest = readManifest(out);
  const meta = readStackMetadata(out)!;
  const pipelineScopes = new Set(promotionOrder(fleet).map((s) => s.scope));

  test("lists every stack of the manifest, and only those", () => {
    expect(meta).toBeDefined();
    expect([...meta.keys()].sort()).toEqual([...manifest.stacks.keys()].sort());
  });

  test("gives every stack a kind, a scope the pipeline plans (bootstrap is applied by hand) and its dependencies", () => {
    const problems: string[] = [];
    for (const [id, m] of meta) {
      if (!ALL_KINDS.includes(m.kind)) problems.push(`${id}: kind ${m.kind}`);
      const scopeOk = m.kind === "bootstrap" ? m.scope === BOOTSTRAP_SCOPE : pipelineScopes.has(m.scope);
      if (!scopeOk) problems.push(`${id}: scope ${m.scope} is not planned by the pipeline`);
      if (JSON.stringify(m.dependsOn) !== JSON.stringify(manifest.stacks.get(id)!.dependencies)) {
        problems.push(`${id}: dependsOn ${m.dependsOn} differs from the manifest's dependencies`);
      }
      // Dependencies are exactly what the stack declares it reads.
      expect([...new Set(m.reads.map((r) => r.stack))].sort()).toEqual([...m.dependsOn].sort());
      for (const r of m.reads)
        if (r.what.length === 0) problems.push(`${id}: reads ${r.stack} without saying what`);
    }
    expect(problems).toEqual([]);
  });

  test("records the org of org and apps stacks, as planned", () => {
    for (const p of planStacks(fleet)) {
      const m = meta.get(p.id)!;
      expect([m.kind, m.scope, m.environment, m.org]).toEqual([p.kind, p.scope, p.environment, p.org]);
    }
  });
});

test("the committed fleet and the example together have every kind of stack", () => {
  const kinds = new Set(
    [sharedFleetOutput(), exampleOut].flatMap((o) => [...readStackMetadata(o)!.values()].map((m) => m.kind)),
  );
  expect([...kinds].sort()).toEqual([...ALL_KINDS].sort());
});

test("services-<name> stacks are in the shared scope, and the pipeline plans them there", async () => {
  const services = [...readStackMetadata(exampleOut)!.values()].filter((m) => m.kind === "services");
  expect(services.map((m) => [m.id, m.scope])).toEqual([["services-lab", "shared"]]);
  const scopes = promotionOrder(example).map((s) => s.scope);
  const head = new SynthOutput(exampleOut);
  const result = await prepareRun({
    scopes,
    context: runContext(
      { BUILD_REASON: "Schedule", BUILD_SOURCEBRANCH: "refs/heads/main" },
      { mainBranch: "main" },
    ),
    bases: new Map(scopes.map((s) => [s, { source: "drift check: every stack" }])),
    head,
    loadBase: async () => {
      throw new Error("no base when every stack is planned");
    },
    maxJobs: PIPELINE_DEFAULTS.planMaxJobs,
    waveSlots: PIPELINE_DEFAULTS.waveSlots,
  });
  const shared = result.scopes.find((s) => s.scope === "shared")!;
  expect(shared.stacks).toEqual(["org-brg", "org-ttd", "services-lab"]);
  // Every stack but the bootstrap is planned in exactly one scope.
  const planned = result.scopes.flatMap((s) => s.stacks).sort();
  expect(planned).toEqual(head.stackIds.filter((id) => id !== "bootstrap-state").sort());
});

describe("a selection", () => {
  test("keeps the other stacks' stacks.json entries as they were and refreshes the selected ones", () => {
    const out = tempOut();
    cpSync(exampleOut, out, { recursive: true });
    const file = join(out, STACKS_FILE);
    const doc = JSON.parse(readFileSync(file, "utf8")) as { stacks: Record<string, { environment: string }> };
    // Mark an unselected and a selected entry: the first must survive, the second be rewritten.
    doc.stacks["org-ttd"]!.environment = "kept-as-it-was";
    doc.stacks["services-lab"]!.environment = "stale";
    writeFileSync(file, JSON.stringify(doc));
    synthFleet(example, { outdir: out, select: ["services-*"], keepFrom: out });
    const after = readStackMetadata(out)!;
    expect(after.get("org-ttd")!.environment).toBe("kept-as-it-was");
    expect(after.get("services-lab")!.environment).toBe("shared");
    expect(after.size).toBe(readStackMetadata(exampleOut)!.size);
    expect([...readManifest(out).stacks.keys()].sort()).toEqual([...after.keys()].sort());
  });

  test("that matches nothing throws, naming the kinds and example ids, and writes nothing", () => {
    const out = tempOut();
    expect(() => synthFleet(example, { outdir: out, select: ["nope-*"] })).toThrow(NoStacksSelectedError);
    expect(() => synthFleet(example, { outdir: out, select: ["nope-*"] })).toThrow(
      /'nope-\*' matches no stack.*services-lab \(services\).*apps-\w+-\w+ \(apps\)/,
    );
    expect(existsSync(out)).toBe(false);
  });

  test("npm run synth -- --stacks <glob matching nothing> exits 1 saying so, output unchanged", () => {
    const out = tempOut();
    cpSync(exampleOut, out, { recursive: true });
    const before = tree(out);
    const r = runCli("bin/synth.ts", ["--output", out, "--stacks", "apps-nobody-*"], { FLEET_DIR: EXAMPLE });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /error: the selection 'apps-nobody-\*' matches no stack of the fleet; nothing was synthesized/,
    );
    expect(r.stdout).toBe("");
    expect(tree(out)).toEqual(before);
  });

  test("npm run synth -- --stacks keeps every other stack's output and metadata byte-identical", () => {
    const out = tempOut();
    cpSync(exampleOut, out, { recursive: true });
    const before = tree(out);
    const r = runCli("bin/synth.ts", ["--output", out, "--stacks", "services-lab"], { FLEET_DIR: EXAMPLE });
    expect(r.status).toBe(0);
    expect(r.stderr).not.toMatch(/^error/m);
    expect(tree(out)).toEqual(before);
  });

  test("npx cdktf synth with FLEET_STACKS keeps the other stacks (the cdktf CLI deletes what the manifest omits)", () => {
    const out = tempOut();
    cpSync(exampleOut, out, { recursive: true });
    const before = tree(out);
    const r = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "cdktf"), ["synth", "--output", out], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        FLEET_DIR: EXAMPLE,
        FLEET_STACKS: "services-*",
        CHECKPOINT_DISABLE: "1",
        CI: "1",
      },
      encoding: "utf8",
    });
    expect(r.status).toBe(0);
    expect(tree(out)).toEqual(before);
  });

  test("npx cdktf synth with FLEET_STACKS matching nothing exits 1 saying so", () => {
    const out = tempOut();
    cpSync(exampleOut, out, { recursive: true });
    const r = cdktfSynth(out, "nope");
    expect(r.status).toBe(1);
    expect(`${r.stdout}${r.stderr}`).toMatch(/FLEET_STACKS: the selection 'nope' matches no stack/);
  });
});
