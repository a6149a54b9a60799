/** `npm run diff` output: plain text for a terminal or log, markdown for a pipeline summary. */
import {
  type AttributeChange,
  type BlockChange,
  type BlockChangeKind,
  countChanges,
  type FleetDiff,
  formatValue,
  type Risk,
  type StackDiff,
} from "./diff";

export interface RenderOptions {
  /** What the base is, for the heading (a git ref or a directory). */
  readonly base: string;
  readonly head: string;
  /** Attribute changes shown per block before "… and N more". */
  readonly maxAttributes?: number;
}

const SYMBOL: Record<BlockChangeKind, string> = {
  added: "+",
  removed: "-",
  changed: "~",
  moved: ">",
  forgotten: "x",
};

function headline(diff: StackDiff): string {
  const c = countChanges(diff);
  const parts = [
    c.added > 0 ? `${c.added} to add` : "",
    c.changed > 0 ? `${c.changed} to change` : "",
    c.removed > 0 ? `${c.removed} to remove` : "",
    c.moved > 0 ? `${c.moved} moved` : "",
    c.forgotten > 0 ? `${c.forgotten} forgotten` : "",
  ].filter((p) => p !== "");
  const others = diff.changes.filter((x) => x.blockKind !== "resource").length;
  if (others > 0) parts.push(`${others} other block(s)`);
  return parts.join(", ") || "no resource changes";
}

function changeLabel(c: BlockChange): string {
  if (c.kind === "moved") return `${c.from} → ${c.address} (moved)`;
  if (c.kind === "forgotten") return `${c.address} (removed from state, not destroyed)`;
  return c.address;
}

function attributeLine(a: AttributeChange): string {
  return `${a.path}: ${formatValue(a.before)} → ${formatValue(a.after)}`;
}

function limited<T>(items: readonly T[], max: number): { shown: readonly T[]; more: number } {
  return items.length > max
    ? { shown: items.slice(0, max), more: items.length - max }
    : { shown: items, more: 0 };
}

function riskLine(r: Risk): string {
  return `${r.stack}  ${r.address !== undefined ? `${r.address}: ` : ""}${r.message}`;
}

export function renderText(diff: FleetDiff, options: RenderOptions): string {
  const max = options.maxAttributes ?? 20;
  const lines: string[] = [];
  lines.push(
    `Configuration diff ${options.base} → ${options.head}: ${diff.stacks.length} stack(s) differ, ${diff.risks.length} risk(s)`,
  );
  if (diff.risks.length > 0) {
    lines.push("", "RISKS (review before any plan runs):");
    for (const r of diff.risks) lines.push(`  ! ${riskLine(r)}`);
  }
  for (const s of diff.stacks) {
    lines.push("", `${s.stack} (${s.status}): ${headline(s)}`);
    for (const c of s.changes) {
      lines.push(`  ${SYMBOL[c.kind]} ${changeLabel(c)}`);
      if (s.status !== "changed") continue;
      const { shown, more } = limited(c.attributes, max);
      for (const a of shown) lines.push(`      ${attributeLine(a)}`);
      if (more > 0) lines.push(`      … and ${more} more attribute change(s)`);
    }
  }
  if (diff.stacks.length === 0) lines.push("", "No stack's configuration differs.");
  return `${lines.join("\n")}\n`;
}

/** Inline code that survives backticks in the value. */
function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

export function renderMarkdown(diff: FleetDiff, options: RenderOptions): string {
  const max = options.maxAttributes ?? 20;
  const out: string[] = [];
  out.push(`## Configuration diff ${code(options.base)} → ${code(options.head)}`, "");
  out.push(`**${diff.stacks.length}** stack(s) differ, **${diff.risks.length}** risk(s).`, "");
  if (diff.risks.length > 0) {
    out.push("### ⚠️ Risks: review before any plan runs", "", "| stack | address | risk |", "|---|---|---|");
    for (const r of diff.risks) {
      const message = r.message.replaceAll("|", "\\|");
      out.push(`| ${code(r.stack)} | ${r.address !== undefined ? code(r.address) : ""} | ${message} |`);
    }
    out.push("");
  }
  for (const s of diff.stacks) {
    out.push(`### ${code(s.stack)} (${s.status}): ${headline(s)}`, "");
    for (const c of s.changes) {
      const label =
        c.kind === "moved"
          ? `${code(c.from ?? "")} → ${code(c.address)} (moved)`
          : c.kind === "forgotten"
            ? `${code(c.address)} (removed from state, not destroyed)`
            : code(c.address);
      out.push(`- **${SYMBOL[c.kind]}** ${label}`);
      if (s.status !== "changed") continue;
      const { shown, more } = limited(c.attributes, max);
      for (const a of shown) {
        out.push(`  - ${code(a.path)}: ${code(formatValue(a.before))} → ${code(formatValue(a.after))}`);
      }
      if (more > 0) out.push(`  - … and ${more} more attribute change(s)`);
    }
    out.push("");
  }
  if (diff.stacks.length === 0) out.push("No stack's configuration differs.", "");
  return out.join("\n");
}
