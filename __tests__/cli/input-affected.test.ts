import { join } from "node:path";
import fc from "fast-check";
import { compareOutputs } from "../../cli/affected/affected";
import { compareFleets } from "../../cli/affected/input-affected";
import { SynthOutput } from "../../cli/shared/synth-output";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { synthFleet } from "../../stacks/synth-fleet";
import { fleetFixture, registryOrg, removeFleetFixtures } from "../../testing/fleet-fixture";
import { treeHash } from "../../testing/tree-hash";
import { tempDir } from "./fixtures";

afterAll(removeFleetFixtures);

const ENVIRONMENTS = ["tt02", "production", "at22"] as const;

/** The fleet as the test changes it; rendered into a fleet directory per version. */
interface FleetState {
  /** Org code → the environments it runs in. */
  readonly orgs: Readonly<Record<string, readonly string[]>>;
  /** Org code → its ingress replicas (orgs.<org>.all), where set. */
  readonly orgReplicas: Readonly<Record<string, number>>;
  /** environmentClasses.test.logAnalytics.retentionInDays */
  readonly testRetention: number;
}

type Change =
  | { kind: "add-org"; code: string; envs: string[] }
  | { kind: "remove-org"; index: number }
  | { kind: "add-env"; index: number; env: string }
  | { kind: "remove-env"; index: number }
  | { kind: "org-setting"; index: number; replicas: number }
  | { kind: "class-setting"; retention: number };

const change: fc.Arbitrary<Change> = fc.oneof(
  fc.record({
    kind: fc.constant("add-org" as const),
    code: fc.constantFrom("zza", "zzb", "zzc"),
    envs: fc.subarray([...ENVIRONMENTS], { minLength: 1 }),
  }),
  fc.record({ kind: fc.constant("remove-org" as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant("add-env" as const),
    index: fc.nat(),
    env: fc.constantFrom(...ENVIRONMENTS),
  }),
  fc.record({ kind: fc.constant("remove-env" as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant("org-setting" as const),
    index: fc.nat(),
    replicas: fc.integer({ min: 2, max: 4 }),
  }),
  fc.record({ kind: fc.constant("class-setting" as const), retention: fc.constantFrom(30, 60, 90) }),
);

function apply(state: FleetState, c: Change): FleetState {
  const codes = Object.keys(state.orgs).sort();
  const pick = (i: number) => codes[i % codes.length]!;
  switch (c.kind) {
    case "add-org":
      return { ...state, orgs: { ...state.orgs, [c.code]: c.envs } };
    case "remove-org": {
      if (codes.length <= 1) return state;
      const { [pick(c.index)]: _gone, ...orgs } = state.orgs;
      const { [pick(c.index)]: _setting, ...orgReplicas } = state.orgReplicas;
      return { ...state, orgs, orgReplicas };
    }
    case "add-env": {
      const code = pick(c.index);
      const envs = state.orgs[code]!;
      return envs.includes(c.env) ? state : { ...state, orgs: { ...state.orgs, [code]: [...envs, c.env] } };
    }
    case "remove-env": {
      const code = pick(c.index);
      return { ...state, orgs: { ...state.orgs, [code]: state.orgs[code]!.slice(0, -1) } };
    }
    case "org-setting":
      return { ...state, orgReplicas: { ...state.orgReplicas, [pick(c.index)]: c.replicas } };
    case "class-setting":
      return { ...state, testRetention: c.retention };
  }
}

/** Writes the state as a fleet directory (new clusters get blocks, as `npm run allocate` gives them). */
function render(state: FleetState): Fleet {
  const dir = fleetFixture({
    orgs: (doc) => {
      doc.orgs = Object.fromEntries(
        Object.entries(state.orgs).map(([code, envs]) => [code, registryOrg([...envs], "974760673")]),
      );
    },
    settings: (doc) => {
      const orgs: Record<string, unknown> = {};
      for (const [code, replicas] of Object.entries(state.orgReplicas)) {
        if (state.orgs[code] !== undefined) orgs[code] = { all: { ingress: { replicas } } };
      }
      if (Object.keys(orgs).length > 0) doc.orgs = orgs as never;
      else delete (doc as Record<string, unknown>).orgs;
      const classes = doc.environmentClasses as unknown as Record<
        string,
        { logAnalytics: { retentionInDays: number } }
      >;
      classes.test!.logAnalytics.retentionInDays = state.testRetention;
      // Canaries must be orgs of the registry (fleet/rules/rollout.ts): the removed ones leave the list.
      const rollout = (doc as { rollout?: { canaries?: string[] } }).rollout;
      if (rollout?.canaries) rollout.canaries = rollout.canaries.filter((c) => state.orgs[c] !== undefined);
    },
    allocate: true,
  });
  const { fleet, problems } = loadFleet(dir);
  if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
  return fleet;
}

function clean(fleet: Fleet): string {
  const out = join(tempDir("input-affected-"), "cdktf.out");
  synthFleet(fleet, { outdir: out });
  return out;
}

test("affected by input hashes equals affected by full syntheses; incremental output equals clean output", () => {
  const initial: FleetState = {
    orgs: { brg: ["tt02", "production"], buf: ["tt02"] },
    orgReplicas: {},
    testRetention: 30,
  };
  const log = () => {};
  fc.assert(
    fc.property(fc.array(change, { minLength: 1, maxLength: 3 }), (changes) => {
      let state = initial;
      let fleet = render(state);
      let out = clean(fleet);
      for (const c of changes) {
        const next = apply(state, c);
        const nextFleet = render(next);
        const nextClean = clean(nextFleet);

        // Incremental: reuse the previous output where input hashes are unchanged.
        const incremental = join(tempDir("input-affected-"), "cdktf.out");
        const result = synthFleet(nextFleet, { outdir: incremental, cacheFrom: out });
        expect(treeHash(incremental)).toBe(treeHash(nextClean));
        expect(result.reused.length).toBeGreaterThan(0);

        // Affected by inputs against affected by full syntheses.
        const byInputs = compareFleets(fleet, nextFleet, {
          backend: "azurerm",
          log,
          work: tempDir("input-affected-"),
        });
        if ("fallback" in byInputs) throw new Error(byInputs.fallback);
        const expected = compareOutputs(new SynthOutput(out), new SynthOutput(nextClean));
        expect(compareOutputs(byInputs.base, byInputs.head)).toEqual(expected);

        state = next;
        fleet = nextFleet;
        out = nextClean;
      }
    }),
    { numRuns: 2, seed: 15, endOnFailure: true },
  );
});
