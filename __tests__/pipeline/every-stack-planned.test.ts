/**
 * Every synthesized stack is planned by some stage: for the committed fleet and every example
 * fleet, each stack in `stacks.json` belongs to exactly one state scope, that scope has a plan
 * stage in the generated pipeline, and the Build stage's `prepare` (planAll, as in the first run
 * and the nightly drift check) puts the stack into exactly one leg of that scope's matrix. The
 * one exception is `bootstrap-state`, applied once by a person with local state (README
 * "Bootstrap"). `services-<name>` stacks (clusters outside Azure) are planned like any other.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  PIPELINE_DEFAULTS,
  PIPELINE_FILE,
  PIPELINE_NAMES,
  renderPipeline,
} from "../../cli/pipeline/pipeline";
import { prepareRun } from "../../cli/pipeline/pipeline-prepare";
import type { ScopeBase } from "../../cli/pipeline/pipeline-run";
import { SynthOutput } from "../../cli/shared/synth-output";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { BOOTSTRAP_STACK_ID } from "../../stacks/app";
import { synthFleet } from "../../stacks/synth-fleet";
import { COMMITTED_FLEET, fleetFixture, removeFleetFixtures } from "../../testing/fleet-fixture";
import { sharedFleetOutput } from "../../testing/fleet-synth";
import { expandPipeline } from "../../testing/pipeline-expand";
import { REPO_ROOT } from "../../testing/run-cli";
import { tempDir } from "../cli/fixtures";

afterAll(removeFleetFixtures);

function fleetOf(dir: string): Fleet {
  const { fleet, problems } = loadFleet(dir);
  if (!fleet) throw new Error(`${dir}: ${problems.map((p) => p.message).join("\n")}`);
  return fleet;
}

const EXAMPLES = join(REPO_ROOT, "examples");
/** [name, fleet directory, stacks to synthesize (all when empty)] */
const fleets: [string, string, string[]][] = [
  ["environments (committed)", COMMITTED_FLEET, []],
  ...readdirSync(EXAMPLES)
    .filter((d) => existsSync(join(EXAMPLES, d, "fleet.yaml")))
    .map((d): [string, string, string[]] => [`examples/${d}`, join(EXAMPLES, d), []]),
  // Decommissioned stacks (fleet.yaml `decommission`, destroy mode) are planned like any other.
  [
    "a fleet decommissioning dfo in tt02 (its stacks only)",
    fleetFixture({
      orgs: (doc) => {
        delete doc.orgs.dfo;
      },
      settings: (doc) => {
        (doc.orgs as Record<string, unknown>).dfo = { orgnr: "986252932" };
        doc.decommission = { dfo: { environments: ["tt02"] } };
      },
    }),
    ["apps-dfo-tt02*", "org-dfo"],
  ],
];

/** The scopes the generated pipeline has a plan stage for. */
function plannedScopes(fleet: Fleet): string[] {
  // The pipeline as Azure DevOps compiles it: the generated root with the committed templates.
  const rootFile = join(tempDir("every-stack-root-"), PIPELINE_FILE);
  writeFileSync(
    rootFile,
    renderPipeline(fleet).replace("template: pipeline/", `template: ${REPO_ROOT}/pipeline/`),
  );
  const stages = (expandPipeline(rootFile).stages as { stage: string }[]).map((s) => s.stage);
  return stages
    .filter((s) => s.startsWith(PIPELINE_NAMES.planStage("")))
    .map((s) => s.slice(PIPELINE_NAMES.planStage("").length));
}

describe.each(fleets)("%s: every synthesized stack is planned by exactly one stage", (_name, dir, select) => {
  const fleet = fleetOf(dir);
  it("puts each stack of stacks.json into one leg of its own scope's plan stage", async () => {
    const outDir = dir === COMMITTED_FLEET ? sharedFleetOutput() : synthesized(fleet, select);
    const head = new SynthOutput(outDir);
    const metadata = head.manifest.metadata!;
    expect(metadata.size).toBe(head.manifest.stacks.size);

    const scopes = plannedScopes(fleet);
    const bases = new Map<string, ScopeBase>(scopes.map((s) => [s, { source: "planAll" }]));
    const result = await prepareRun({
      scopes,
      context: { mode: "drift", reason: "Schedule", sourceBranch: "refs/heads/main", planAll: true },
      bases,
      head,
      loadBase: () => {
        throw new Error("planAll compares with nothing");
      },
      maxJobs: PIPELINE_DEFAULTS.planMaxJobs,
      waveSlots: PIPELINE_DEFAULTS.waveSlots,
    });

    const plannedIn = new Map<string, string[]>();
    for (const s of result.scopes) {
      for (const leg of Object.values(Object.assign({}, ...s.matrix.waves.map((w) => w.legs)))) {
        for (const id of (leg as { STACKS: string }).STACKS.split(" ")) {
          plannedIn.set(id, [...(plannedIn.get(id) ?? []), s.scope]);
        }
      }
    }
    const problems: string[] = [];
    for (const [id, m] of metadata) {
      const where = plannedIn.get(id) ?? [];
      if (id === BOOTSTRAP_STACK_ID) {
        if (where.length > 0) problems.push(`${id} (applied by hand) is planned by ${where.join(", ")}`);
        continue;
      }
      if (!scopes.includes(m.scope)) problems.push(`${id}: scope ${m.scope} has no plan stage`);
      if (where.length !== 1 || where[0] !== m.scope) {
        problems.push(`${id} (scope ${m.scope}) is planned by [${where.join(", ")}]`);
      }
    }
    for (const id of plannedIn.keys()) {
      if (!metadata.has(id)) problems.push(`${id} is planned but not in stacks.json`);
    }
    expect(problems).toEqual([]);
    // The kinds the fleet has are all reached, services-<name> included where the fleet has any.
    const kinds = new Set([...metadata.values()].filter((m) => plannedIn.has(m.id)).map((m) => m.kind));
    if (select.length === 0 && fleet.externalClusters.length > 0) expect(kinds).toContain("services");
    if ((fleet.decommission?.apps.length ?? 0) > 0) {
      expect([...metadata.values()].filter((m) => m.mode === "destroy").map((m) => m.id)).toEqual(
        expect.arrayContaining(fleet.decommission!.apps.map((d) => d.apps.clusterKey)),
      );
    }
    expect(kinds).toEqual(
      new Set([...metadata.values()].filter((m) => m.id !== BOOTSTRAP_STACK_ID).map((m) => m.kind)),
    );
  });
});

function synthesized(fleet: Fleet, select: string[]): string {
  const outdir = join(tempDir("fleet-planned-"), "cdktf.out");
  synthFleet(fleet, { outdir, select });
  return outdir;
}
