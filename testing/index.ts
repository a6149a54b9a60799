/**
 * Test helpers that synthesize the way the real app does: the stack is prepared (backends and
 * pre-synth resources exist), aspects and validations run, and error annotations fail the test
 * instead of being silently recorded (plain `Testing.synth` hides them).
 */
import "cdktf/lib/testing/adapters/jest";
import { App, type TerraformStack, Testing } from "cdktf";

export interface SynthesizedStack {
  /** The stack's Terraform JSON as a string, for cdktf's jest matchers and snapshots. */
  readonly json: string;
  /** The same, parsed. */
  readonly parsed: TerraformJson;
}

/** The parts of a synthesized `cdk.tf.json` the tests look at. */
export interface TerraformJson {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, Record<string, unknown>[]>;
  readonly terraform?: Record<string, unknown>;
  readonly output?: Record<string, Record<string, unknown>>;
  readonly moved?: Record<string, unknown>[];
  readonly [key: string]: unknown;
}

/** A fresh app for tests: stable version stamp, no stack traces, a temporary outdir. */
export function testApp(): App {
  return Testing.app({ stubVersion: true });
}

/** Synthesizes one stack with validations on; throws on error annotations. */
export function synthStack(stack: TerraformStack): SynthesizedStack {
  stack.prepareStack();
  // Aspects (policy, tags) run inside Testing.synth, so annotations are collected afterwards.
  const json = Testing.synth(stack, true);
  const errors = collectErrors(stack);
  if (errors.length > 0) {
    throw new Error(`synth produced error annotations:\n${errors.join("\n")}`);
  }
  return { json, parsed: JSON.parse(json) as TerraformJson };
}

function collectErrors(stack: TerraformStack): string[] {
  const out: string[] = [];
  for (const c of stack.node.findAll()) {
    for (const entry of c.node.metadata) {
      if (entry.type === "@cdktf/error") {
        out.push(`${c.node.path}: ${String(entry.data)}`);
      }
    }
  }
  return out;
}

/** All resources of one Terraform type in a synthesized stack, keyed by logical id. */
export function resourcesOf(synth: SynthesizedStack, type: string): Record<string, Record<string, unknown>> {
  return synth.parsed.resource?.[type] ?? {};
}

/** The only resource of a type; fails when there is not exactly one. */
export function onlyResource(synth: SynthesizedStack, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(synth, type));
  if (all.length !== 1) {
    throw new Error(`expected exactly one ${type}, found ${all.length}`);
  }
  return all[0]!;
}

export { App };
