/**
 * A small Azure Pipelines template expander and condition evaluator, for tests: exactly what the
 * templates in pipeline/templates use, nothing more.
 *
 * Expansion (compile time, as Azure DevOps does it before a run): typed template `parameters`
 * with defaults and `values`; `${{ expr }}` in values and keys (a value that is one expression
 * takes the expression's type); `${{ each x in expr }}` over sequences and mappings (pairs with
 * `key` and `value`) in sequences and mappings; `${{ if }}` / `${{ else }}`; `- template:`
 * references in sequences (steps, jobs, stages; paths relative to the referencing file); and the
 * root's `extends`. Anything else (an unknown function, a missing parameter, a value outside
 * `values`) throws, so a template this expander cannot read fails the tests instead of passing
 * silently.
 *
 * Conditions (run time): `evaluateCondition` evaluates a stage's or job's `condition` against
 * given dependency results and outputs and variables, with the functions the templates use.
 * Referencing a dependency that is not in `dependsOn` throws (Azure DevOps cannot see it).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parse } from "yaml";

// biome-ignore lint/suspicious/noExplicitAny: YAML values of any shape
export type Node = any;

// ---- Expressions: one grammar for ${{ }} and runtime conditions

type Expr =
  | { readonly kind: "literal"; readonly value: Node }
  | { readonly kind: "name"; readonly name: string }
  | { readonly kind: "member"; readonly object: Expr; readonly key: Expr }
  | { readonly kind: "call"; readonly name: string; readonly args: readonly Expr[] };

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const re = /\s*(?:('(?:[^']|'')*')|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_-]*)|([(),.[\]]))/y;
  let at = 0;
  while (at < text.length) {
    if (/^\s*$/.test(text.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(text);
    if (m === null) throw new Error(`cannot read expression at "${text.slice(at)}" in: ${text}`);
    tokens.push((m[1] ?? m[2] ?? m[3] ?? m[4])!);
    at = re.lastIndex;
  }
  return tokens;
}

export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  let i = 0;
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`expected "${t}" at token ${i} in: ${text}`);
    i++;
  };
  const primary = (): Expr => {
    const t = tokens[i++];
    if (t === undefined) throw new Error(`unexpected end of: ${text}`);
    let e: Expr;
    if (t.startsWith("'")) e = { kind: "literal", value: t.slice(1, -1).replaceAll("''", "'") };
    else if (/^-?\d/.test(t)) e = { kind: "literal", value: Number(t) };
    else if (t === "true" || t === "false") e = { kind: "literal", value: t === "true" };
    else if (t === "null") e = { kind: "literal", value: null };
    else if (tokens[i] === "(") {
      i++;
      const args: Expr[] = [];
      while (tokens[i] !== ")") {
        args.push(primary());
        if (tokens[i] === ",") i++;
        else if (tokens[i] !== ")") throw new Error(`expected "," or ")" at token ${i} in: ${text}`);
      }
      i++;
      e = { kind: "call", name: t.toLowerCase(), args };
    } else e = { kind: "name", name: t };
    for (;;) {
      if (tokens[i] === ".") {
        i++;
        e = { kind: "member", object: e, key: { kind: "literal", value: tokens[i++] } };
      } else if (tokens[i] === "[") {
        i++;
        const key = primary();
        expect("]");
        e = { kind: "member", object: e, key };
      } else return e;
    }
  };
  const e = primary();
  if (i !== tokens.length) throw new Error(`unexpected "${tokens[i]}" in: ${text}`);
  return e;
}

function comparable(a: Node, b: Node): [Node, Node] {
  if (typeof a === "number" || typeof b === "number") return [Number(a), Number(b)];
  if (typeof a === "boolean" || typeof b === "boolean") return [truthy(a), truthy(b)];
  return [String(a ?? "").toLowerCase(), String(b ?? "").toLowerCase()];
}

function equal(a: Node, b: Node): boolean {
  const [x, y] = comparable(a, b);
  return x === y;
}

function truthy(v: Node): boolean {
  if (typeof v === "string") return v !== "" && v.toLowerCase() !== "false";
  if (typeof v === "number") return v !== 0;
  return v !== null && v !== undefined && v !== false;
}

/** How Azure DevOps writes a value into a string: booleans as True/False. */
export function display(v: Node): string {
  if (typeof v === "boolean") return v ? "True" : "False";
  if (v === null || v === undefined) return "";
  if (typeof v === "object") throw new Error(`cannot insert ${JSON.stringify(v)} into a string`);
  return String(v);
}

type Functions = Record<string, (args: Node[]) => Node>;

const COMMON: Functions = {
  eq: ([a, b]) => equal(a, b),
  ne: ([a, b]) => !equal(a, b),
  gt: ([a, b]) => comparable(a, b)[0] > comparable(a, b)[1],
  lt: ([a, b]) => comparable(a, b)[0] < comparable(a, b)[1],
  and: (args) => args.every(truthy),
  or: (args) => args.some(truthy),
  not: ([a]) => !truthy(a),
  in: ([a, ...rest]) => rest.some((b) => equal(a, b)),
  notin: ([a, ...rest]) => !rest.some((b) => equal(a, b)),
  join: ([separator, list]) =>
    Array.isArray(list) ? list.map(display).join(String(separator)) : display(list),
  length: ([v]) =>
    Array.isArray(v) ? v.length : typeof v === "string" ? v.length : Object.keys(v ?? {}).length,
};

function evaluate(e: Expr, names: (name: string) => Node, functions: Functions): Node {
  switch (e.kind) {
    case "literal":
      return e.value;
    case "name":
      return names(e.name);
    case "member": {
      const object = evaluate(e.object, names, functions);
      const key = evaluate(e.key, names, functions);
      if (object === null || object === undefined) return null;
      if (typeof object.get === "function") return object.get(String(key));
      return object[String(key)] ?? null;
    }
    case "call": {
      const f = functions[e.name];
      if (f === undefined) throw new Error(`unknown function ${e.name}()`);
      return f(e.args.map((a) => evaluate(a, names, functions)));
    }
  }
}

// ---- Template expansion

const WHOLE = /^\$\{\{\s*([\s\S]*?)\s*\}\}$/;
const INLINE = /\$\{\{\s*([\s\S]*?)\s*\}\}/g;
const DIRECTIVE = /^\$\{\{\s*(each|if|elseif|else)\b\s*([\s\S]*?)\s*\}\}$/;

type Vars = Readonly<Record<string, Node>>;

function templateValue(expression: string, vars: Vars): Node {
  return evaluate(
    parseExpression(expression),
    (name) => {
      if (!(name in vars)) throw new Error(`unknown name "${name}" in \${{ ${expression} }}`);
      return vars[name];
    },
    COMMON,
  );
}

function interpolate(text: string, vars: Vars): Node {
  const whole = WHOLE.exec(text);
  if (whole !== null && !whole[1]!.includes("}}")) return templateValue(whole[1]!, vars);
  return text.replace(INLINE, (_, expression: string) => display(templateValue(expression, vars)));
}

function directive(node: Node): { kind: string; argument: string; body: Node } | undefined {
  if (node === null || typeof node !== "object" || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const m = DIRECTIVE.exec(keys[0]!);
  return m === null ? undefined : { kind: m[1]!, argument: m[2]!, body: node[keys[0]!] };
}

function eachItems(argument: string, vars: Vars): { name: string; items: Node[] } {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s+in\s+([\s\S]+)$/.exec(argument);
  if (m === null) throw new Error(`cannot read \${{ each ${argument} }}`);
  const collection = templateValue(m[2]!, vars);
  const items = Array.isArray(collection)
    ? collection
    : Object.entries(collection ?? {}).map(([key, value]) => ({ key, value }));
  return { name: m[1]!, items };
}

class Expander {
  constructor(readonly root: string) {}

  value(node: Node, vars: Vars, dir: string): Node {
    if (typeof node === "string") return interpolate(node, vars);
    if (Array.isArray(node)) return this.sequence(node, vars, dir);
    if (node !== null && typeof node === "object") return this.mapping(node, vars, dir);
    return node;
  }

  sequence(items: readonly Node[], vars: Vars, dir: string): Node[] {
    const out: Node[] = [];
    let previous: boolean | undefined;
    for (const item of items) {
      const d = directive(item);
      if (d !== undefined) {
        const body = Array.isArray(d.body) ? d.body : [d.body];
        if (d.kind === "each") {
          const { name, items: elements } = eachItems(d.argument, vars);
          for (const element of elements) out.push(...this.sequence(body, { ...vars, [name]: element }, dir));
          previous = undefined;
          continue;
        }
        const taken = this.branch(d.kind, d.argument, vars, previous);
        if (taken) out.push(...this.sequence(body, vars, dir));
        previous = d.kind === "else" ? undefined : d.kind === "if" ? taken : previous || taken;
        continue;
      }
      previous = undefined;
      if (item !== null && typeof item === "object" && !Array.isArray(item) && "template" in item) {
        out.push(...this.reference(item, vars, dir));
        continue;
      }
      out.push(this.value(item, vars, dir));
    }
    return out;
  }

  /** Whether an if / elseif / else branch is taken; `previous` says whether an earlier branch was. */
  branch(kind: string, argument: string, vars: Vars, previous: boolean | undefined): boolean {
    if (kind === "if") return truthy(templateValue(argument, vars));
    if (previous === undefined) throw new Error(`\${{ ${kind} }} without a preceding \${{ if }}`);
    if (previous) return false;
    return kind === "else" || truthy(templateValue(argument, vars));
  }

  mapping(node: Record<string, Node>, vars: Vars, dir: string): Record<string, Node> {
    const out: Record<string, Node> = {};
    let previous: boolean | undefined;
    for (const [key, value] of Object.entries(node)) {
      const d = directive({ [key]: value });
      if (d !== undefined) {
        if (d.kind === "each") {
          const { name, items } = eachItems(d.argument, vars);
          for (const element of items)
            Object.assign(out, this.mapping(value, { ...vars, [name]: element }, dir));
          previous = undefined;
          continue;
        }
        const taken = this.branch(d.kind, d.argument, vars, previous);
        if (taken) Object.assign(out, this.mapping(value, vars, dir));
        previous = d.kind === "else" ? undefined : d.kind === "if" ? taken : previous || taken;
        continue;
      }
      previous = undefined;
      out[display(interpolate(key, vars))] = this.value(value, vars, dir);
    }
    return out;
  }

  reference(item: Record<string, Node>, vars: Vars, dir: string): Node[] {
    const path = resolve(dir, display(interpolate(item.template, vars)));
    const parameters = this.value(item.parameters ?? {}, vars, dir);
    const expanded = this.file(path, parameters);
    const list = expanded.steps ?? expanded.jobs ?? expanded.stages;
    if (!Array.isArray(list)) throw new Error(`${path} holds no steps, jobs or stages`);
    return list;
  }

  file(path: string, given: Record<string, Node>): Record<string, Node> {
    const doc = parse(readFileSync(path, "utf8")) as Record<string, Node>;
    const { parameters: declared = [], ...body } = doc;
    const bound: Record<string, Node> = {};
    const names = new Set<string>();
    for (const p of declared as { name: string; type?: string; default?: Node; values?: Node[] }[]) {
      names.add(p.name);
      let v = p.name in given ? given[p.name] : p.default;
      if (v === undefined) throw new Error(`${path}: parameter ${p.name} is required`);
      if (p.type === "number" && typeof v === "string") v = Number(v);
      if (p.type === "boolean" && typeof v === "string") v = v.toLowerCase() === "true";
      if (p.type === "number" && typeof v !== "number") throw new Error(`${path}: ${p.name} is not a number`);
      if (p.type === "string" && typeof v !== "string") throw new Error(`${path}: ${p.name} is not a string`);
      if (p.values !== undefined && !p.values.some((x) => equal(x, v)))
        throw new Error(`${path}: ${p.name} = ${display(v)} is not one of ${p.values.join(", ")}`);
      bound[p.name] = v;
    }
    for (const name of Object.keys(given))
      if (!names.has(name)) throw new Error(`${path}: unexpected parameter ${name}`);
    const out = this.mapping(body, { parameters: bound }, dirname(path));
    if (out.extends !== undefined) {
      const { extends: ext, ...rest } = out;
      const template = resolve(this.root, String(ext.template));
      return { ...rest, ...this.file(template, ext.parameters ?? {}) };
    }
    return out;
  }
}

/**
 * The pipeline as Azure DevOps compiles it: the root file with its `extends` and every template
 * reference expanded. `runParameters` are the run's parameter values (defaults otherwise).
 */
export function expandPipeline(
  rootFile: string,
  runParameters: Record<string, Node> = {},
): Record<string, Node> {
  const expander = new Expander(dirname(rootFile));
  const expanded = expander.file(rootFile, runParameters);
  // Runtime parameters stay declared on the compiled pipeline, as the root declares them.
  const declared = (parse(readFileSync(rootFile, "utf8")) as Record<string, Node>).parameters;
  return declared === undefined ? expanded : { parameters: declared, ...expanded };
}

// ---- Runtime conditions

export interface DependencyState {
  readonly result: "Succeeded" | "SucceededWithIssues" | "Skipped" | "Failed" | "Canceled";
  /** Output variables by `job.step.name` (stages) or `step.name` (jobs). */
  readonly outputs?: Readonly<Record<string, string>>;
}

export interface ConditionContext {
  /** Every stage or job the evaluated one depends on. */
  readonly dependencies: Readonly<Record<string, DependencyState>>;
  readonly variables?: Readonly<Record<string, string>>;
  readonly canceled?: boolean;
}

const OK = ["Succeeded", "SucceededWithIssues"];

/** Evaluates a `condition:` as Azure DevOps would, given its dependencies' results and outputs. */
export function evaluateCondition(condition: string, context: ConditionContext): boolean {
  const dependencies = {
    get: (name: string) => {
      const d = context.dependencies[name];
      if (d === undefined) throw new Error(`the condition reads "${name}", which is not a dependency`);
      return { result: d.result, outputs: d.outputs ?? {} };
    },
  };
  const variables = context.variables ?? {};
  const all = Object.values(context.dependencies);
  const functions: Functions = {
    ...COMMON,
    canceled: () => context.canceled === true,
    always: () => true,
    succeeded: () => !context.canceled && all.every((d) => OK.includes(d.result)),
    failed: () => all.some((d) => d.result === "Failed"),
    succeededorfailed: () => !context.canceled && all.every((d) => d.result !== "Canceled"),
  };
  return truthy(
    evaluate(
      parseExpression(condition),
      (name) => {
        if (name === "dependencies") return dependencies;
        if (name === "variables") return { get: (k: string) => variables[k] ?? null };
        throw new Error(`unknown name "${name}" in condition: ${condition}`);
      },
      functions,
    ),
  );
}

/**
 * The dependency context of a stage or job: every entry of its `dependsOn` Succeeded with no
 * outputs, then `overrides` (entries for names it does not depend on are ignored).
 */
export function dependencyContext(
  dependsOn: string | readonly string[] | undefined,
  overrides: Readonly<Record<string, DependencyState>> = {},
): Record<string, DependencyState> {
  const names = dependsOn === undefined ? [] : typeof dependsOn === "string" ? [dependsOn] : dependsOn;
  return Object.fromEntries(
    names.map((n): [string, DependencyState] => [n, overrides[n] ?? { result: "Succeeded" }]),
  );
}

export type StageResult = DependencyState["result"];

export interface Scenario {
  /** The result of a stage or job whose condition held (default Succeeded). */
  readonly results?: Readonly<Record<string, StageResult>>;
  /** Output variables of a stage or job whose condition held. */
  readonly outputs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly variables?: Readonly<Record<string, string>>;
}

/**
 * Runs the conditions of a list of stages (or of one stage's jobs) in order, as Azure DevOps
 * would: a stage whose condition fails is Skipped; one whose condition holds ends as the scenario
 * says. Returns every stage's result. The list must be in dependency order (the pipeline's is).
 */
export function simulate(units: readonly Node[], scenario: Scenario): Map<string, StageResult> {
  const results = new Map<string, StageResult>();
  for (const u of units) {
    const id: string = u.stage ?? u.job ?? u.deployment;
    const dependsOn: string[] = u.dependsOn === undefined ? [] : [u.dependsOn].flat();
    const dependencies = Object.fromEntries(
      dependsOn.map((d): [string, DependencyState] => {
        const result = results.get(d);
        if (result === undefined)
          throw new Error(`${id} depends on ${d}, which comes later or does not exist`);
        return [d, { result, outputs: result === "Skipped" ? {} : (scenario.outputs?.[d] ?? {}) }];
      }),
    );
    const condition: string = u.condition ?? "succeeded()";
    const runs = evaluateCondition(condition, { dependencies, variables: scenario.variables ?? {} });
    results.set(id, runs ? (scenario.results?.[id] ?? "Succeeded") : "Skipped");
  }
  return results;
}
