/** A saved plan, summarized from `terraform show -json <planfile>`, for people and for the pipeline. */
import { isStatefulType } from "../../constructs/common/stateful";
import { isJsonObject, type Json, prop } from "../shared/json";

export interface PlanSummary {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly replace: number;
  /** Resources whose address changes through a `moved` block. */
  readonly move: number;
  readonly import: number;
  /** Resources removed from state without being destroyed (`removed` blocks). */
  readonly forget: number;
  readonly outputChanges: number;
  /** Resources that changed outside Terraform since the last apply (refresh found drift). */
  readonly drift: number;
  readonly destroyed: readonly string[];
  readonly replaced: readonly string[];
  /** Destroyed or replaced resources of a stateful type. */
  readonly statefulDestroyed: readonly string[];
}

function actionsOf(change: Json | undefined): string[] {
  const actions = prop(change, "actions");
  return Array.isArray(actions) ? actions.filter((a): a is string => typeof a === "string") : [];
}

export function summarizePlan(plan: Json): PlanSummary {
  let create = 0;
  let update = 0;
  let del = 0;
  let replace = 0;
  let move = 0;
  let imports = 0;
  let forget = 0;
  const destroyed: string[] = [];
  const replaced: string[] = [];
  const statefulDestroyed: string[] = [];
  const changes = prop(plan, "resource_changes");
  for (const rc of Array.isArray(changes) ? changes : []) {
    const address = String(prop(rc, "address") ?? "?");
    const type = String(prop(rc, "type") ?? "");
    const change = prop(rc, "change");
    const actions = actionsOf(change);
    if (prop(rc, "mode") === "data") continue;
    if (typeof prop(rc, "previous_address") === "string") move++;
    if (prop(change, "importing") !== undefined && prop(change, "importing") !== null) imports++;
    if (actions.includes("delete") && actions.includes("create")) {
      replace++;
      replaced.push(address);
      if (isStatefulType(type)) statefulDestroyed.push(address);
    } else if (actions.includes("create")) {
      create++;
    } else if (actions.includes("update")) {
      update++;
    } else if (actions.includes("delete")) {
      del++;
      destroyed.push(address);
      if (isStatefulType(type)) statefulDestroyed.push(address);
    } else if (actions.includes("forget")) {
      forget++;
    }
  }
  const outputs = prop(plan, "output_changes");
  const outputChanges = isJsonObject(outputs)
    ? Object.values(outputs).filter((o) => {
        const a = actionsOf(o);
        return a.length > 0 && !(a.length === 1 && a[0] === "no-op");
      }).length
    : 0;
  const drift = prop(plan, "resource_drift");
  return {
    create,
    update,
    delete: del,
    replace,
    move,
    import: imports,
    forget,
    outputChanges,
    drift: Array.isArray(drift) ? drift.length : 0,
    destroyed,
    replaced,
    statefulDestroyed,
  };
}

export function hasDestroy(s: PlanSummary): boolean {
  return s.delete + s.replace > 0;
}

/** `+2 ~1 -0 ±0`: create, update, delete, replace. */
export function countsLine(s: PlanSummary): string {
  return `+${s.create} ~${s.update} -${s.delete} ±${s.replace}`;
}

export function planSummaryMarkdown(stack: string, s: PlanSummary | undefined, status: string): string {
  const out: string[] = [`### \`${stack}\`: ${status}`, ""];
  if (s === undefined) return `${out.join("\n")}\n`;
  out.push(
    "| create | update | delete | replace | move | import | outputs | drift |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|",
    `| ${s.create} | ${s.update} | ${s.delete} | ${s.replace} | ${s.move} | ${s.import} | ${s.outputChanges} | ${s.drift} |`,
    "",
  );
  if (s.statefulDestroyed.length > 0) {
    out.push(
      `**⚠️ Stateful resources destroyed or replaced:** ${s.statefulDestroyed.map((a) => `\`${a}\``).join(", ")}`,
      "",
    );
  }
  if (s.destroyed.length > 0) {
    out.push("**Destroyed:**", "", ...s.destroyed.map((a) => `- 🔥 \`${a}\``), "");
  }
  if (s.replaced.length > 0) {
    out.push("**Replaced (destroyed, then created):**", "", ...s.replaced.map((a) => `- ♻️ \`${a}\``), "");
  }
  return `${out.join("\n")}\n`;
}
