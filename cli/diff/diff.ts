/**
 * What changed in each stack's Terraform configuration between two syntheses, at the level a
 * reviewer reads: resources added, removed, changed (with the attributes that changed) and
 * moved (a removed and an added address joined by a `moved {from, to}` block), and the risks
 * that must be seen before any plan runs:
 *
 * - a stateful resource destroyed (removed without a `moved` block, or a `removed` block that
 *   destroys), which is also how a rename without `moved` shows up;
 * - an attribute change that replaces or rebuilds a resource, or that Azure refuses while the
 *   resource is in use (a moved address block), from the table in `risk-rules.ts`;
 * - `lifecycle.prevent_destroy` dropped from a resource that had it;
 * - the state backend changed (Terraform would plan against another, possibly empty, state);
 * - a whole stack removed (nothing plans it any more: its resources are left unmanaged);
 * - a stack decommissioned (fleet.yaml `decommission`: planned for destruction).
 *
 * Both sides are normalized Terraform JSON (`normalize.ts`).
 */
import { isStatefulType } from "../../constructs/common/stateful";
import { modeOf } from "../affected/affected";
import { isJsonObject, type Json, prop } from "../shared/json";
import { canonicalJson } from "../shared/sorted-json";
import type { StackOutputs } from "../shared/synth-output";
import { type RuleEffect, rulesFor, verdict } from "./risk-rules";

export type BlockKind =
  | "resource"
  | "data"
  | "output"
  | "provider"
  | "terraform"
  | "variable"
  | "local"
  | "other";

export interface AttributeChange {
  /** Dotted path inside the block; list elements by index (`default_node_pool.zones.0`). */
  readonly path: string;
  /** `undefined` = absent on that side. */
  readonly before?: Json;
  readonly after?: Json;
}

export type BlockChangeKind = "added" | "removed" | "changed" | "moved" | "forgotten";

export interface BlockChange {
  readonly kind: BlockChangeKind;
  readonly blockKind: BlockKind;
  /** Terraform address in head (`type.name`, `data.type.name`, `output.x`, `terraform.backend`); base's for removed. */
  readonly address: string;
  /** The base address of a moved resource. */
  readonly from?: string;
  /** The resource type, for resources and data sources. */
  readonly type?: string;
  readonly attributes: readonly AttributeChange[];
}

export type RiskKind =
  | "stateful-destroyed"
  | "replacement"
  | "rebuild"
  | "disruptive-update"
  | "refused-update"
  | "prevent-destroy-dropped"
  | "backend-changed"
  | "stack-removed"
  | "stack-decommissioned";

export interface Risk {
  readonly stack: string;
  readonly kind: RiskKind;
  readonly address?: string;
  readonly message: string;
}

export type StackStatus = "added" | "removed" | "changed";

export interface StackDiff {
  readonly stack: string;
  readonly status: StackStatus;
  /** Resource and data source changes first (by address), then the other blocks. */
  readonly changes: readonly BlockChange[];
  readonly risks: readonly Risk[];
}

export interface FleetDiff {
  readonly stacks: readonly StackDiff[];
  readonly risks: readonly Risk[];
}

interface Block {
  readonly address: string;
  readonly kind: BlockKind;
  readonly type?: string;
  readonly body: Json;
}

/** The addressable blocks of a stack's Terraform JSON, by address. */
export function blocksOf(stack: Json | undefined): Map<string, Block> {
  const blocks = new Map<string, Block>();
  if (!isJsonObject(stack)) return blocks;
  const add = (b: Block) => blocks.set(b.address, b);
  for (const [key, value] of Object.entries(stack)) {
    switch (key) {
      case "resource":
      case "data":
        for (const [type, byName] of entries(value)) {
          for (const [name, body] of entries(byName)) {
            const address = key === "data" ? `data.${type}.${name}` : `${type}.${name}`;
            add({ address, kind: key, type, body });
          }
        }
        break;
      case "output":
        for (const [name, body] of entries(value)) add({ address: `output.${name}`, kind: "output", body });
        break;
      case "variable":
        for (const [name, body] of entries(value)) add({ address: `var.${name}`, kind: "variable", body });
        break;
      case "locals":
        for (const [name, body] of entries(value)) add({ address: `local.${name}`, kind: "local", body });
        break;
      case "terraform":
        for (const [name, body] of entries(value))
          add({ address: `terraform.${name}`, kind: "terraform", body });
        break;
      case "provider":
        for (const [name, configs] of entries(value)) {
          const list = Array.isArray(configs) ? configs : [configs];
          list.forEach((body, i) => {
            const alias = prop(body, "alias");
            let address = typeof alias === "string" ? `provider.${name}.${alias}` : `provider.${name}`;
            if (blocks.has(address)) address = `${address}[${i}]`;
            add({ address, kind: "provider", body });
          });
        }
        break;
      // Refactoring instructions, read by diffStack itself.
      case "moved":
      case "removed":
      case "import":
        break;
      default:
        add({ address: key, kind: "other", body: value });
    }
  }
  return blocks;
}

function entries(value: Json | undefined): [string, Json][] {
  return isJsonObject(value) ? Object.entries(value) : [];
}

/** Every leaf that differs between two values, as dotted paths. */
export function diffAttributes(
  before: Json | undefined,
  after: Json | undefined,
  path = "",
): AttributeChange[] {
  const out: AttributeChange[] = [];
  const walk = (b: Json | undefined, a: Json | undefined, p: string) => {
    if (isJsonObject(b) && isJsonObject(a)) {
      for (const key of [...new Set([...Object.keys(b), ...Object.keys(a)])].sort()) {
        walk(b[key], a[key], p === "" ? key : `${p}.${key}`);
      }
      return;
    }
    if (Array.isArray(b) && Array.isArray(a)) {
      for (let i = 0; i < Math.max(b.length, a.length); i++)
        walk(b[i], a[i], p === "" ? String(i) : `${p}.${i}`);
      return;
    }
    if (b === undefined && a === undefined) return;
    if (b !== undefined && a !== undefined && canonicalJson(b) === canonicalJson(a)) return;
    out.push({
      path: p,
      ...(b !== undefined ? { before: b } : {}),
      ...(a !== undefined ? { after: a } : {}),
    });
  };
  walk(before, after, path);
  return out;
}

/** The value at a dotted path without indices; lists of blocks are followed through their first element. */
export function valueAt(value: Json | undefined, path: string): Json | undefined {
  let v = value;
  for (const key of path.split(".")) {
    if (Array.isArray(v)) v = v[0];
    v = prop(v, key);
    if (v === undefined) return undefined;
  }
  return v;
}

function preventsDestroy(body: Json | undefined): boolean {
  return valueAt(body, "lifecycle.prevent_destroy") === true;
}

/** `moved {from, to}` pairs of a stack, from → to. */
function movesOf(stack: Json | undefined): Map<string, string> {
  const moves = new Map<string, string>();
  const list = prop(stack, "moved");
  for (const m of Array.isArray(list) ? list : []) {
    const from = prop(m, "from");
    const to = prop(m, "to");
    if (typeof from === "string" && typeof to === "string") moves.set(from, to);
  }
  return moves;
}

/** Addresses a `removed` block takes out of state without destroying (`lifecycle.destroy = false`). */
function forgottenOf(stack: Json | undefined): Set<string> {
  const out = new Set<string>();
  const list = prop(stack, "removed");
  for (const r of Array.isArray(list) ? list : []) {
    const from = prop(r, "from");
    if (typeof from === "string" && valueAt(r, "lifecycle.destroy") === false) out.add(from);
  }
  return out;
}

const RISK_OF_EFFECT: Record<RuleEffect, RiskKind> = {
  replace: "replacement",
  rotate: "rebuild",
  "in-place": "disruptive-update",
  refused: "refused-update",
};

/** The diff of one stack; `base` or `head` is undefined for an added or removed stack. */
export function diffStack(stack: string, base: Json | undefined, head: Json | undefined): StackDiff {
  const status: StackStatus = base === undefined ? "added" : head === undefined ? "removed" : "changed";
  const before = blocksOf(base);
  const after = blocksOf(head);
  const changes: BlockChange[] = [];
  const risks: Risk[] = [];
  const risk = (kind: RiskKind, message: string, address?: string) =>
    risks.push({ stack, kind, message, ...(address !== undefined ? { address } : {}) });

  const added = new Set([...after.keys()].filter((a) => !before.has(a)));
  const moves = movesOf(head);
  const forgotten = forgottenOf(head);

  const checkAttributes = (address: string, type: string, old: Json, now: Json) => {
    for (const rule of rulesFor(type)) {
      const b = valueAt(old, rule.attribute);
      const a = valueAt(now, rule.attribute);
      if (b === undefined && a === undefined) continue;
      if (b !== undefined && a !== undefined && canonicalJson(b) === canonicalJson(a)) continue;
      const v = verdict(rule, b, a, now);
      risk(
        RISK_OF_EFFECT[v.effect],
        `${rule.attribute} ${formatValue(b)} → ${formatValue(a)}: ${v.note}`,
        address,
      );
    }
    if (preventsDestroy(old) && !preventsDestroy(now)) {
      const what = isStatefulType(type) ? `stateful ${type}` : type;
      risk(
        "prevent-destroy-dropped",
        `lifecycle.prevent_destroy removed from ${what}: nothing stops a later destroy`,
        address,
      );
    }
  };

  for (const [address, old] of before) {
    const now = after.get(address);
    if (now !== undefined) {
      if (canonicalJson(old.body) === canonicalJson(now.body)) continue;
      changes.push(change("changed", now, diffAttributes(old.body, now.body)));
      if (old.kind === "resource") checkAttributes(address, now.type!, old.body, now.body);
      if (address === "terraform.backend" && status === "changed") {
        risk(
          "backend-changed",
          "the state backend changed: Terraform would plan against another (possibly empty) state; migrate it with terraform init -migrate-state first",
          address,
        );
      }
      continue;
    }
    if (old.kind !== "resource") {
      changes.push(change("removed", old, []));
      continue;
    }
    const target = moveTarget(address, moves, added);
    if (target !== undefined) {
      added.delete(target);
      const moved = after.get(target)!;
      changes.push({ ...change("moved", moved, diffAttributes(old.body, moved.body)), from: address });
      checkAttributes(target, moved.type!, old.body, moved.body);
      continue;
    }
    if (forgotten.has(address)) {
      changes.push(change("forgotten", old, []));
      continue;
    }
    changes.push(change("removed", old, []));
    if (status === "changed" && isStatefulType(old.type!)) {
      const renamedTo = [...added].filter((a) => after.get(a)!.type === old.type);
      const hints = [
        preventsDestroy(old.body)
          ? "its prevent_destroy went with its block, so nothing stops the destroy"
          : "",
        renamedTo.length > 0
          ? `if it was renamed to ${renamedTo.join(" or ")}, add a moved block (cdktf: moveFromId / moveTo)`
          : "",
      ].filter((h) => h !== "");
      risk(
        "stateful-destroyed",
        `destroys stateful ${old.type}${hints.length > 0 ? `: ${hints.join("; ")}` : ""}`,
        address,
      );
    }
  }
  for (const address of added) changes.push(change("added", after.get(address)!, []));

  if (status === "removed") {
    const resources = [...before.values()].filter((b) => b.kind === "resource");
    const stateful = resources.filter((b) => isStatefulType(b.type!)).map((b) => b.address);
    if (resources.length > 0) {
      risk(
        "stack-removed",
        `stack removed with ${resources.length} resource(s)${stateful.length > 0 ? `, stateful: ${stateful.join(", ")}` : ""}; ` +
          "the pipeline no longer plans it, so they stay in Azure unmanaged: destroy them with a decommission entry in fleet.yaml " +
          '(README "Decommission an organisation") or migrate them deliberately',
      );
    }
  }

  changes.sort(byBlockOrder);
  return { stack, status, changes, risks };
}

function change(kind: BlockChangeKind, block: Block, attributes: AttributeChange[]): BlockChange {
  return {
    kind,
    blockKind: block.kind,
    address: block.address,
    ...(block.type !== undefined ? { type: block.type } : {}),
    attributes,
  };
}

/** Follows `moved` blocks (possibly chained) from a removed address to an added one. */
function moveTarget(
  from: string,
  moves: ReadonlyMap<string, string>,
  added: ReadonlySet<string>,
): string | undefined {
  let at = from;
  for (let hops = 0; hops <= moves.size; hops++) {
    const next = moves.get(at);
    if (next === undefined) return undefined;
    if (added.has(next)) return next;
    at = next;
  }
  return undefined;
}

const KIND_ORDER: Record<BlockKind, number> = {
  resource: 0,
  data: 1,
  output: 2,
  provider: 3,
  terraform: 4,
  variable: 5,
  local: 6,
  other: 7,
};

function byBlockOrder(a: BlockChange, b: BlockChange): number {
  return KIND_ORDER[a.blockKind] - KIND_ORDER[b.blockKind] || a.address.localeCompare(b.address);
}

/**
 * Diffs every stack that differs between two syntheses, in dependency order of head. A stack
 * newly in destroy mode (fleet.yaml `decommission`) is a risk of its own, even when its
 * configuration is unchanged; a destroy-mode stack that then disappears (its entry removed after
 * the destruction was applied) is no `stack-removed` risk.
 */
export function diffOutputs(base: StackOutputs, head: StackOutputs, stacks: readonly string[]): FleetDiff {
  const out: StackDiff[] = [];
  for (const id of stacks) {
    const b = base.has(id) ? base.stack(id) : undefined;
    const h = head.has(id) ? head.stack(id) : undefined;
    if (b === undefined && h === undefined) continue;
    const baseMode = base.has(id) ? modeOf(base, id) : undefined;
    const headMode = h !== undefined ? modeOf(head, id) : undefined;
    const sameJson = b !== undefined && h !== undefined && base.canonical(id) === head.canonical(id);
    if (sameJson && baseMode === headMode) continue;
    const d = diffStack(id, b, h);
    let risks = d.risks;
    if (h === undefined && baseMode === "destroy") risks = risks.filter((r) => r.kind !== "stack-removed");
    if (headMode === "destroy" && baseMode !== "destroy") {
      const meta = head.manifest.metadata?.get(id);
      const stateful = [...blocksOf(h).values()]
        .filter((x) => x.kind === "resource" && isStatefulType(x.type!))
        .map((x) => x.address);
      risks = [
        {
          stack: id,
          kind: "stack-decommissioned",
          message:
            `decommissioned (fleet.yaml decommission): the pipeline plans terraform plan -destroy for it. ` +
            (stateful.length === 0
              ? "It holds no stateful resources."
              : meta?.destroyStateful === true
                ? `destroyStatefulResources is set: its stateful resources are destroyed with it (${stateful.join(", ")})`
                : `Its stateful resources keep prevent_destroy, so the destroy plan fails until destroyStatefulResources is set: ${stateful.join(", ")}`),
        },
        ...risks,
      ];
    }
    out.push({ ...d, risks });
  }
  return { stacks: out, risks: out.flatMap((s) => s.risks) };
}

/** A value for one line of output: JSON, cut to `max` characters; `(absent)` for a missing one. */
export function formatValue(value: Json | undefined, max = 60): string {
  if (value === undefined) return "(absent)";
  const text = JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Counts per change kind, for headers. */
export function countChanges(diff: StackDiff): Record<BlockChangeKind, number> {
  const counts: Record<BlockChangeKind, number> = {
    added: 0,
    removed: 0,
    changed: 0,
    moved: 0,
    forgotten: 0,
  };
  for (const c of diff.changes) if (c.blockKind === "resource") counts[c.kind]++;
  return counts;
}
