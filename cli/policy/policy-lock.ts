/**
 * `npm run update-lock`: rewrites safety/address-lock.json from the current code. It refuses while
 * a locked stateful address is gone without a `moved` block or a reasoned removal entry, so the
 * lock can only lose an address through a reviewed decision. `--check` only reports.
 */
import { existsSync } from "node:fs";
import { Testing } from "cdktf";
import { Command } from "commander";
import type { Fleet } from "../../fleet/model";
import {
  ADDRESS_LOCK_FILE,
  type AddressLock,
  checkAddressLock,
  formatLockProblems,
  readAddressLock,
  type SynthesizedConfig,
  updateLock,
  writeAddressLock,
} from "../../safety/address-lock";
import { buildFleetApp, type PlannedStack, planStacks } from "../../stacks/app";
import { parse as parseArgs } from "../shared/command";
import { loadFleetOrExit } from "../synth/synth";

/** The representative a kind gets by default: Altinn's own test org (ttd) where it has a stack, else the first. */
export function defaultRepresentatives(
  planned: readonly PlannedStack[],
  lock: AddressLock,
  alsoLockedKinds: readonly string[] = [],
): Record<string, string> {
  const lockedKinds = new Set([...Object.values(lock.stacks).map((s) => s.kind), ...alsoLockedKinds]);
  const out: Record<string, string> = {};
  const kinds = [...new Set(planned.map((p) => p.kind))];
  for (const kind of kinds) {
    if (lockedKinds.has(kind)) continue;
    const ofKind = planned.filter((p) => p.kind === kind);
    const pick = ofKind.find((p) => p.org === "ttd") ?? ofKind[0];
    if (pick) out[pick.id] = kind;
  }
  return out;
}

/** Synthesizes the given stacks (and what they depend on) in memory; returns their cdk.tf.json. */
export function synthesizeConfigs(fleet: Fleet, ids: readonly string[]): Map<string, SynthesizedConfig> {
  const built = buildFleetApp(fleet, { select: [...ids] });
  const stacks = [...built.stacks.values()];
  for (const stack of stacks) stack.prepareStack();
  const out = new Map<string, SynthesizedConfig>();
  for (const stack of stacks) {
    if (ids.includes(stack.node.id))
      out.set(stack.node.id, JSON.parse(Testing.synth(stack)) as SynthesizedConfig);
  }
  return out;
}

export function runUpdateLock(argv: readonly string[]): number {
  const program = new Command()
    .name("npm run update-lock --")
    .description("Rewrite safety/address-lock.json from the current code (refuses unexplained removals)")
    .option("--add <stack...>", "also lock these stacks as representatives of their kind")
    .option("--check", "only check the lock; write nothing")
    .exitOverride();
  const answered = parseArgs(program, argv);
  if (answered !== undefined) return answered;
  const opts = program.opts<{ add?: string[]; check?: boolean }>();

  const fleet = loadFleetOrExit();
  const planned = planStacks(fleet);
  const kindOf = new Map(planned.map((p) => [p.id, p.kind]));
  const lock: AddressLock = existsSync(ADDRESS_LOCK_FILE)
    ? readAddressLock()
    : { version: 1, stacks: {}, removals: [] };

  const added: Record<string, string> = {};
  for (const id of opts.add ?? []) {
    const kind = kindOf.get(id);
    if (!kind) {
      process.stderr.write(`update-lock: no stack ${id} in the fleet\n`);
      return 1;
    }
    added[id] = kind;
  }
  const newRepresentatives = { ...defaultRepresentatives(planned, lock, Object.values(added)), ...added };
  const ids = [...new Set([...Object.keys(lock.stacks), ...Object.keys(newRepresentatives)])].filter((id) =>
    kindOf.has(id),
  );
  const configs = synthesizeConfigs(fleet, ids);

  if (opts.check) {
    const check = checkAddressLock(lock, configs);
    for (const a of check.additions) process.stdout.write(`not locked yet: ${a.stack} ${a.address}\n`);
    for (const a of check.accepted)
      process.stdout.write(`gone, accepted: ${a.stack} ${a.address} (${a.by})\n`);
    if (check.problems.length > 0) {
      process.stderr.write(`${formatLockProblems(check.problems)}\n`);
      return 1;
    }
    process.stdout.write(`address lock: ${Object.keys(lock.stacks).length} representatives, no problems\n`);
    return 0;
  }

  const result = updateLock(lock, configs, newRepresentatives);
  if (result.problems.length > 0) {
    process.stderr.write(
      `${formatLockProblems(result.problems)}\n\nsafety/address-lock.json was not changed.\n`,
    );
    return 1;
  }
  writeAddressLock(result.lock);
  for (const [id, locked] of Object.entries(result.lock.stacks)) {
    const before = new Set(lock.stacks[id]?.addresses ?? []);
    const after = new Set(locked.addresses);
    const plus = locked.addresses.filter((a) => !before.has(a));
    const minus = [...before].filter((a) => !after.has(a));
    const what = lock.stacks[id] ? "" : " (new representative)";
    process.stdout.write(
      `${id} [${locked.kind}]${what}: ${locked.addresses.length} stateful addresses` +
        `${plus.length ? `, +${plus.length}` : ""}${minus.length ? `, -${minus.length}` : ""}\n`,
    );
    for (const a of plus) process.stdout.write(`  + ${a}\n`);
    for (const a of minus) process.stdout.write(`  - ${a}\n`);
  }
  process.stdout.write("wrote safety/address-lock.json\n");
  return 0;
}
