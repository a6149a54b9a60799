/**
 * Synthesized stacks of the committed fleet for tests, built once per test file and shared:
 * the fleet is loaded once, and only the stacks a test asks for (plus their dependencies) are
 * constructed.
 */
import { loadFleet } from "../fleet/load";
import type { Fleet } from "../fleet/model";
import { buildFleetApp } from "../stacks/app";
import type { FleetStack } from "../stacks/fleet-stack";
import { COMMITTED_FLEET } from "./fleet-fixture";
import { type SynthesizedStack, synthStack, testApp } from "./index";

let cached: Fleet | undefined;

export function committedFleet(): Fleet {
  if (!cached) {
    const { fleet, problems } = loadFleet(COMMITTED_FLEET);
    if (!fleet)
      throw new Error(`committed fleet has problems:\n${problems.map((p) => p.message).join("\n")}`);
    cached = fleet;
  }
  return cached;
}

export interface SynthesizedFleetStack extends SynthesizedStack {
  readonly stack: FleetStack;
}

/** Builds the given stacks (and what they depend on) in a test app and synthesizes them. */
export function synthFleetStacks(ids: readonly string[], fleet: Fleet = committedFleet()) {
  const built = buildFleetApp(fleet, { app: testApp(), select: ids });
  const out = new Map<string, SynthesizedFleetStack>();
  for (const id of ids) {
    const stack = built.stacks.get(id);
    if (!stack) throw new Error(`no stack ${id} in the fleet`);
    out.set(id, { stack, ...synthStack(stack) });
  }
  return out;
}

/**
 * The committed fleet synthesized once for the test run (testing/global-setup.ts): a
 * `cdktf.out` directory to read, never to write.
 */
export function sharedFleetOutput(): string {
  const out = process.env.FLEET_TEST_SYNTH_OUT;
  if (!out)
    throw new Error(
      "FLEET_TEST_SYNTH_OUT is not set: run the tests through jest (jest.config.js globalSetup)",
    );
  return out;
}
