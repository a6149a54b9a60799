/**
 * The committed fleet, synthesized once the way `npm run synth` does (every stack, real cdktf
 * synthesizer, files on disk), checked as a whole: no secrets or machine paths in cdktf.out,
 * zero unsuppressed policy findings, every stateful resource guarded, every emitted resource
 * type under a rule, and the per-kind address lock speaking for every stack.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TerraformStack } from "cdktf";
import { isStatefulType } from "../../constructs/common/stateful";
import { ALL_RULES, FLEET_SUPPRESSIONS, POLICY_EXEMPT_TYPES } from "../../constructs/policy";
import { collectPolicyReport } from "../../constructs/policy/report";
import { checkLockCoverage, readAddressLock, type SynthesizedConfig } from "../../safety/address-lock";
import { formatScanFindings, scanOutputDir } from "../../safety/output-scan";
import { buildFleetApp, planStacks } from "../../stacks/app";
import { committedFleet } from "../../testing/fleet-synth";

const REPO_ROOT = join(__dirname, "..", "..");

interface Manifest {
  readonly stacks: Readonly<Record<string, { readonly synthesizedStackPath: string }>>;
}

const fleet = committedFleet();
const kinds = new Map(planStacks(fleet).map((p) => [p.id, p.kind]));
let outdir: string;
let localOutdir: string;
let stacks: TerraformStack[];
let configs: Map<string, SynthesizedConfig & Record<string, unknown>>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), "fleet-output-"));
  const built = buildFleetApp(fleet, { outdir });
  built.app.synth(); // throws on any unsuppressed policy finding
  stacks = [...built.stacks.values()];
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as Manifest;
  configs = new Map(
    Object.entries(manifest.stacks).map(([id, s]) => [
      id,
      JSON.parse(readFileSync(join(outdir, s.synthesizedStackPath), "utf8")),
    ]),
  );
  // Offline work uses the local backend; its output must be just as clean.
  localOutdir = mkdtempSync(join(tmpdir(), "fleet-output-local-"));
  buildFleetApp(fleet, {
    outdir: localOutdir,
    backend: "local",
    select: ["apps-ttd-tt02-k8s", "bootstrap-*"],
  }).app.synth();
});

afterAll(() => {
  for (const dir of [outdir, localOutdir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("no secrets, no machine paths", () => {
  test("the scan of cdktf.out finds nothing (azurerm backends)", () => {
    expect(configs.size).toBe(kinds.size);
    expect(formatScanFindings(scanOutputDir(outdir, { repoRoot: REPO_ROOT }))).toBe("");
  });

  test("the scan of a local-backend synth finds nothing", () => {
    expect(formatScanFindings(scanOutputDir(localOutdir, { repoRoot: REPO_ROOT }))).toBe("");
  });

  test("every backend is azurerm with Entra ID and OIDC, one state key per stack", () => {
    const keys = new Set<string>();
    for (const [id, config] of configs) {
      const backend =
        (config.terraform as { backend?: Record<string, Record<string, unknown>> }).backend ?? {};
      if (id.startsWith("bootstrap-")) {
        expect([id, backend.local?.path]).toEqual([id, expect.stringMatching(/^\.\.\//)]);
        continue;
      }
      expect([id, backend.azurerm?.use_azuread_auth, backend.azurerm?.use_oidc]).toEqual([id, true, true]);
      keys.add(String(backend.azurerm?.key));
    }
    expect(keys.size).toBe(configs.size - 1);
  });
});

describe("policy", () => {
  test("the committed fleet has zero unsuppressed findings", () => {
    const report = collectPolicyReport(stacks);
    expect(report.violations.map((f) => `${f.stackId} ${f.address} ${f.rule.id}`)).toEqual([]);
    expect(report.resourcesEvaluated).toBeGreaterThan(1000);
  });

  test("every fleet suppression still suppresses something", () => {
    const report = collectPolicyReport(stacks);
    expect(report.unusedSuppressions.map((s) => `${s.rule} ${s.origin.path}`)).toEqual([]);
    expect(report.suppressions.filter((s) => s.origin.kind === "fleet")).toHaveLength(
      FLEET_SUPPRESSIONS.length,
    );
  });

  test("every resource type the fleet emits has a rule or a documented exemption", () => {
    const covered = new Set(ALL_RULES.flatMap((r) => r.resourceTypes));
    const types = new Set([...configs.values()].flatMap((c) => Object.keys(c.resource ?? {})));
    expect([...types].filter((t) => !covered.has(t) && !(t in POLICY_EXEMPT_TYPES)).sort()).toEqual([]);
    expect(Object.keys(POLICY_EXEMPT_TYPES).filter((t) => covered.has(t))).toEqual([]);
  });

  test("every stateful resource carries prevent_destroy", () => {
    const unguarded: string[] = [];
    for (const [id, config] of configs) {
      for (const [type, byId] of Object.entries(config.resource ?? {})) {
        if (!isStatefulType(type)) continue;
        for (const [name, body] of Object.entries(
          byId as Record<string, { lifecycle?: { prevent_destroy?: boolean } }>,
        )) {
          if (body.lifecycle?.prevent_destroy !== true) unguarded.push(`${id} ${type}.${name}`);
        }
      }
    }
    expect(unguarded).toEqual([]);
  });
});

describe("the address lock speaks for every stack", () => {
  test("each stack's stateful resources match a locked representative of its kind", () => {
    const problems = checkLockCoverage(readAddressLock(), configs, (id) => kinds.get(id) ?? "?");
    expect(problems.map((p) => p.message)).toEqual([]);
  });
});
