/** Runs a JSON Schema over a parsed file and turns ajv's errors into fleet problems with lines. */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { type FleetProblem, problem } from "./problems";
import type { PathSegment, SourceFile } from "./source";

const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();

export interface SchemaCheckOptions {
  /** Drop errors for which this returns true (handled by a more specific rule elsewhere). */
  readonly ignore?: (error: ErrorObject, path: readonly PathSegment[]) => boolean;
  /** Which path segment is the org code, if the file is keyed by org (e.g. 1 for /orgs/<org>). */
  readonly orgSegment?: number;
}

export function checkSchema(
  source: SourceFile,
  schema: Record<string, unknown>,
  options: SchemaCheckOptions = {},
): FleetProblem[] {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  if (validate(source.value)) return [];
  const out: FleetProblem[] = [];
  for (const error of validate.errors ?? []) {
    const path = pointerToPath(error.instancePath);
    if (options.ignore?.(error, path)) continue;
    // oneOf/anyOf report their branches too; the branch errors say it better.
    if (error.keyword === "oneOf" || error.keyword === "anyOf") continue;
    // `oneOf: [{const: ""}, {pattern}]` means "empty or well-formed": the const branch is noise.
    if (error.keyword === "const" && /\/(oneOf|anyOf)\//.test(error.schemaPath)) continue;
    const fieldPath =
      error.keyword === "additionalProperties"
        ? [...path, String((error.params as { additionalProperty: string }).additionalProperty)]
        : error.keyword === "required"
          ? [...path, String((error.params as { missingProperty: string }).missingProperty)]
          : path;
    const org =
      options.orgSegment !== undefined && path.length > options.orgSegment
        ? String(path[options.orgSegment])
        : undefined;
    out.push(
      problem({
        file: source.file,
        line: source.lineOf(fieldPath),
        org,
        field: fieldPath.join(".") || "(root)",
        value: error.keyword === "required" ? undefined : valueAt(source.value, fieldPath),
        message: describe(error),
        fix: fixFor(error),
      }),
    );
  }
  return dedupe(out);
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "a required field is missing";
    case "additionalProperties":
      return "this field is not known here (a typo, or a setting at the wrong level)";
    case "enum":
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return `${error.message ?? "is invalid"}`;
  }
}

function fixFor(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return `add "${(error.params as { missingProperty: string }).missingProperty}"`;
    case "additionalProperties":
      return "remove it, or check its spelling and position against the documented layout";
    case "enum":
      return "use one of the allowed values";
    case "type":
      return `write a value of type ${(error.params as { type: string }).type}`;
    case "pattern":
    case "format":
      return "write the value in the expected format";
    default:
      return "correct the value";
  }
}

function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function valueAt(value: unknown, path: readonly PathSegment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function dedupe(problems: FleetProblem[]): FleetProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
