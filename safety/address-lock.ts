/**
 * The address lock: per stack kind, the Terraform addresses of the stateful resources of a
 * representative stack, committed in safety/address-lock.json. A refactor that makes one of them
 * disappear (a renamed construct id, a moved construct, a removed construct) is caught before any
 * plan runs, unless the change carries a `moved` block from that address (cdktf `moveTo` /
 * `moveFromId`) or the lock records a reasoned removal. See safety/README.md.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../cli/shared/project-root";
import { isStatefulType } from "../constructs/common/stateful";

export const ADDRESS_LOCK_FILE = join(PROJECT_ROOT, "safety", "address-lock.json");

/** A reason a reviewer can judge; the same bar as policy suppressions. */
export const MIN_REMOVAL_REASON_LENGTH = 20;

export interface LockedStack {
  /** Stack kind (`apps`, `org`, ...): the lock speaks for every stack of this kind. */
  readonly kind: string;
  /** Sorted Terraform addresses (`<type>.<logical id>`) of the stack's stateful resources. */
  readonly addresses: readonly string[];
}

/** A stateful resource that is meant to go. Terraform's prevent_destroy must be lifted too. */
export interface RemovalEntry {
  /** The representative stack id the address is locked under. */
  readonly stack: string;
  readonly address: string;
  readonly reason: string;
}

export interface AddressLock {
  readonly version: 1;
  /** Representative stacks by id. */
  readonly stacks: Readonly<Record<string, LockedStack>>;
  readonly removals: readonly RemovalEntry[];
}

/** The parts of a synthesized cdk.tf.json the lock reads. */
export interface SynthesizedConfig {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly moved?: readonly { readonly from: string; readonly to: string }[];
}

export function statefulAddresses(config: SynthesizedConfig): string[] {
  const out: string[] = [];
  for (const [type, byId] of Object.entries(config.resource ?? {})) {
    if (!isStatefulType(type)) continue;
    for (const id of Object.keys(byId)) out.push(`${type}.${id}`);
  }
  return out.sort();
}

function allAddresses(config: SynthesizedConfig): Set<string> {
  const out = new Set<string>();
  for (const [type, byId] of Object.entries(config.resource ?? {})) {
    for (const id of Object.keys(byId)) out.add(`${type}.${id}`);
  }
  return out;
}

export interface LockProblem {
  readonly stack: string;
  readonly kind: string;
  readonly address?: string;
  readonly message: string;
}

export interface LockCheck {
  readonly problems: readonly LockProblem[];
  /** Stateful addresses not in the lock yet: fine, `npm run update-lock` records them. */
  readonly additions: readonly { readonly stack: string; readonly kind: string; readonly address: string }[];
  /** Locked addresses that are gone but covered by a moved block or a removal entry. */
  readonly accepted: readonly { readonly stack: string; readonly address: string; readonly by: string }[];
}

/**
 * Compares the representatives' synthesized configuration with the lock. `configs` holds the
 * freshly synthesized cdk.tf.json of (at least) every stack the lock names.
 */
export function checkAddressLock(
  lock: AddressLock,
  configs: ReadonlyMap<string, SynthesizedConfig>,
): LockCheck {
  const problems: LockProblem[] = [];
  const additions: { stack: string; kind: string; address: string }[] = [];
  const accepted: { stack: string; address: string; by: string }[] = [];
  problems.push(...lockFileProblems(lock));

  for (const [stack, locked] of Object.entries(lock.stacks)) {
    const config = configs.get(stack);
    if (!config) {
      problems.push({
        stack,
        kind: locked.kind,
        message:
          `address lock: the representative stack ${stack} (kind ${locked.kind}) is no longer in the fleet.\n` +
          `  Name another stack of kind ${locked.kind} under "stacks" in safety/address-lock.json (its addresses ` +
          "differ only in org and environment names), then run `npm run update-lock`.",
      });
      continue;
    }
    const current = statefulAddresses(config);
    const currentSet = new Set(current);
    const everything = allAddresses(config);
    const lockedSet = new Set(locked.addresses);
    const moves = new Map((config.moved ?? []).map((m) => [m.from, m.to]));
    const added = current.filter((a) => !lockedSet.has(a));

    for (const address of locked.addresses) {
      if (currentSet.has(address)) continue;
      const movedTo = moves.get(address);
      if (movedTo !== undefined) {
        if (everything.has(movedTo)) {
          accepted.push({ stack, address, by: `moved to ${movedTo}` });
        } else {
          problems.push({
            stack,
            kind: locked.kind,
            address,
            message: `address lock: ${stack} has a moved block from ${address} to ${movedTo}, but ${movedTo} is not in the stack.`,
          });
        }
        continue;
      }
      const removal = lock.removals.find((r) => r.stack === stack && r.address === address);
      if (removal) {
        accepted.push({ stack, address, by: `removal: ${removal.reason}` });
        continue;
      }
      problems.push({
        stack,
        kind: locked.kind,
        address,
        message: missingMessage(stack, locked.kind, address, added),
      });
    }
    for (const address of added) additions.push({ stack, kind: locked.kind, address });
  }
  return { problems, additions, accepted };
}

function missingMessage(stack: string, kind: string, address: string, added: readonly string[]): string {
  const type = address.slice(0, address.indexOf("."));
  const candidates = added.filter((a) => a.startsWith(`${type}.`));
  const lines = [
    `address lock: the stateful resource ${address} is gone from stack kind "${kind}" (representative ${stack}).`,
    `  Terraform would destroy it in every ${kind} stack: prevent_destroy only protects resources still in the`,
    "  configuration, not one whose block was renamed, moved or removed.",
  ];
  if (candidates.length > 0) {
    lines.push(
      `  New stateful address${candidates.length === 1 ? "" : "es"} of the same type: ${candidates.join(", ")}`,
    );
  }
  lines.push(
    "  To proceed, either:",
    `  - keep the resource: if it was renamed or moved in the construct tree, call .moveFromId("${address}") on the new`,
    "    resource (cdktf emits a `moved` block, Terraform moves the state), or restore the construct id;",
    '  - or remove it on purpose: add to "removals" in safety/address-lock.json',
    `    { "stack": "${stack}", "address": "${address}", "reason": "<why the data may go>" }`,
    "    and decide in the same reviewed change whether Terraform destroys it or only forgets it (a `removed`",
    "    block with lifecycle { destroy = false }, Terraform >= 1.7, keeps the data).",
    "  Then run `npm run update-lock`. safety/README.md explains safe refactoring.",
  );
  return lines.join("\n");
}

/** Problems in the lock file itself: removal entries need a known stack and a reason. */
export function lockFileProblems(lock: AddressLock): LockProblem[] {
  const problems: LockProblem[] = [];
  for (const removal of lock.removals) {
    const locked = lock.stacks[removal.stack];
    if ((removal.reason ?? "").trim().length < MIN_REMOVAL_REASON_LENGTH) {
      problems.push({
        stack: removal.stack,
        kind: locked?.kind ?? "?",
        address: removal.address,
        message:
          `address lock: the removal of ${removal.address} (${removal.stack}) needs a reason of at least ` +
          `${MIN_REMOVAL_REASON_LENGTH} characters saying why its data may go (got ${JSON.stringify(removal.reason ?? "")}).`,
      });
    }
    if (!locked) {
      problems.push({
        stack: removal.stack,
        kind: "?",
        address: removal.address,
        message: `address lock: the removal of ${removal.address} names stack ${removal.stack}, which the lock does not list.`,
      });
    }
  }
  return problems;
}

export function formatLockProblems(problems: readonly LockProblem[]): string {
  return problems.map((p) => p.message).join("\n\n");
}

/**
 * The lock rewritten from the current configuration: representatives keep their ids, their
 * addresses become the current ones, new representatives are added. Refuses (returns problems)
 * while a locked address is gone without a moved block or a removal entry.
 */
export function updateLock(
  lock: AddressLock,
  configs: ReadonlyMap<string, SynthesizedConfig>,
  newRepresentatives: Readonly<Record<string, string>> = {},
): { readonly lock: AddressLock; readonly problems: readonly LockProblem[] } {
  const check = checkAddressLock(lock, configs);
  if (check.problems.length > 0) return { lock, problems: check.problems };
  const stacks: Record<string, LockedStack> = {};
  const entries: [string, string][] = [
    ...Object.entries(lock.stacks).map(([id, s]) => [id, s.kind] as [string, string]),
    ...Object.entries(newRepresentatives).filter(([id]) => !(id in lock.stacks)),
  ];
  for (const [id, kind] of entries.sort(([a], [b]) => a.localeCompare(b))) {
    const config = configs.get(id);
    if (!config) {
      return {
        lock,
        problems: [{ stack: id, kind, message: `address lock: no synthesized configuration for ${id}` }],
      };
    }
    stacks[id] = { kind, addresses: statefulAddresses(config) };
  }
  return { lock: { version: 1, stacks, removals: lock.removals }, problems: [] };
}

export function readAddressLock(path = ADDRESS_LOCK_FILE): AddressLock {
  const raw = JSON.parse(readFileSync(path, "utf8")) as Partial<AddressLock> & { $comment?: string };
  if (raw.version !== 1 || typeof raw.stacks !== "object" || raw.stacks === null) {
    throw new Error(`${path}: not an address lock (version 1 with "stacks")`);
  }
  return { version: 1, stacks: raw.stacks, removals: raw.removals ?? [] };
}

export function renderAddressLock(lock: AddressLock): string {
  return `${JSON.stringify(
    {
      $comment:
        "Stateful Terraform addresses per stack kind, from one representative stack each. Checked by npm test " +
        "(__tests__/safety); rewritten by npm run update-lock. Removals need a reason. See safety/README.md.",
      version: lock.version,
      stacks: lock.stacks,
      removals: lock.removals,
    },
    null,
    2,
  )}\n`;
}

/** Writes the lock, formatted the way `biome check` (part of `npm test`) expects it. */
export function writeAddressLock(lock: AddressLock, path = ADDRESS_LOCK_FILE): void {
  writeFileSync(path, renderAddressLock(lock));
  const biome = join(PROJECT_ROOT, "node_modules", ".bin", "biome");
  if (existsSync(biome)) spawnSync(biome, ["format", "--write", path], { stdio: "ignore" });
}

/**
 * The shape of an address: its type and logical id with the stack's own names (org code,
 * environment token) replaced by placeholders and the cdktf hash dropped. Stacks of one kind
 * built by the same code have the same shapes; the coverage test relies on it.
 */
export function addressShape(address: string, tokens: readonly string[]): string {
  const dot = address.indexOf(".");
  const type = address.slice(0, dot);
  let id = address.slice(dot + 1).replace(/_[0-9A-F]{8}$/, "");
  tokens.forEach((token, i) => {
    if (token === "") return;
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    id = id.replace(new RegExp(`(^|[-_])${escaped}(?=$|[-_])`, "g"), `$1{${i}}`);
  });
  return `${type}.${id}`;
}

/** The parts of a stack id that are names (org code, environment), not the kind. */
export function stackTokens(stackId: string, kind: string): string[] {
  const kindParts = new Set(kind.split("-"));
  return stackId.split("-").filter((part) => !kindParts.has(part));
}

/**
 * Proves the per-kind lock speaks for every stack: each stack's stateful address shapes must be
 * among those of a representative of its kind (synthesized from the same code). A stack with a
 * stateful resource its representatives lack (a kind without one, or a data-dependent variant)
 * is reported, with the fix: make it a representative too.
 */
export function checkLockCoverage(
  lock: AddressLock,
  configs: ReadonlyMap<string, SynthesizedConfig>,
  kindOf: (stackId: string) => string,
): LockProblem[] {
  const shapesByRepresentative = new Map<string, { kind: string; shapes: Set<string> }>();
  for (const [id, locked] of Object.entries(lock.stacks)) {
    const config = configs.get(id);
    if (!config) continue;
    const tokens = stackTokens(id, locked.kind);
    shapesByRepresentative.set(id, {
      kind: locked.kind,
      shapes: new Set(statefulAddresses(config).map((a) => addressShape(a, tokens))),
    });
  }
  const problems: LockProblem[] = [];
  const reported = new Map<string, string[]>();
  for (const [stack, config] of configs) {
    const kind = kindOf(stack);
    const shapes = statefulAddresses(config).map((a) => addressShape(a, stackTokens(stack, kind)));
    if (shapes.length === 0) continue;
    const representatives = [...shapesByRepresentative.entries()].filter(([, r]) => r.kind === kind);
    if (representatives.some(([, r]) => shapes.every((s) => r.shapes.has(s)))) continue;
    const closest = representatives[0];
    const uncovered = closest ? shapes.filter((s) => !closest[1].shapes.has(s)) : shapes;
    // One report per kind and variant; the others of the same variant are only counted.
    const variant = `${kind}|${representatives.length === 0 ? "" : uncovered.join(",")}`;
    const seen = reported.get(variant);
    if (seen) {
      seen.push(stack);
      continue;
    }
    reported.set(variant, [stack]);
    problems.push({
      stack,
      kind,
      message:
        representatives.length === 0
          ? `address lock: stack kind "${kind}" has stateful resources (e.g. in ${stack}) but no representative ` +
            "in safety/address-lock.json, so nothing guards their addresses. Run `npm run update-lock` to add one."
          : `address lock: ${stack} has stateful resources its kind's representative${representatives.length > 1 ? "s" : ""} ` +
            `(${representatives.map(([id]) => id).join(", ")}) lack: ${uncovered.join(", ")}.\n` +
            `  The lock cannot guard them. Add ${stack} as a representative: \`npm run update-lock -- --add ${stack}\`.`,
    });
  }
  return problems.map((p) => {
    const stacks = [...reported.values()].find((list) => list[0] === p.stack) ?? [];
    return stacks.length > 1
      ? {
          ...p,
          message: `${p.message}\n  (${stacks.length} stacks alike: ${stacks.slice(0, 5).join(", ")}${stacks.length > 5 ? ", …" : ""})`,
        }
      : p;
  });
}
