/** Runs a JSON Schema over a parsed file and turns ajv's errors into fleet problems with lines. */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { _, type ErrorObject, type ValidateFunction } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import addFormats from "ajv-formats";
import { PROJECT_ROOT } from "../cli/shared/project-root";
import { type FleetProblem, problem } from "./problems";
import { PATTERN_MEANINGS } from "./schemas/fleet-settings";
import type { PathSegment, SourceFile } from "./source";

// `code.source` keeps each compiled validator's source, so it can be cached as a module: compiling
// the settings schema takes about 150 ms at every start, loading the cached module a few.
const ajv = new Ajv({
  allErrors: true,
  strict: false,
  code: { source: true, formats: _`require("ajv-formats/dist/formats").fullFormats` },
});
addFormats(ajv);
const compiled = new WeakMap<object, ValidateFunction>();
const CACHE_DIR = join(PROJECT_ROOT, "node_modules", ".cache", "fleet-schemas");
const AJV_VERSION = (require("ajv/package.json") as { version: string }).version;

/** The validator of a schema: from the on-disk cache when this exact schema was compiled before. */
function validatorFor(schema: Record<string, unknown>): ValidateFunction {
  const known = compiled.get(schema);
  if (known) return known;
  const key = createHash("sha256")
    .update(AJV_VERSION)
    .update(JSON.stringify(schema))
    .digest("hex")
    .slice(0, 20);
  const file = join(CACHE_DIR, `${key}.cjs`);
  let validate: ValidateFunction;
  if (existsSync(file)) {
    validate = require(file) as ValidateFunction;
  } else {
    validate = ajv.compile(schema);
    try {
      mkdirSync(CACHE_DIR, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, standaloneCode(ajv, validate));
      renameSync(tmp, file);
    } catch {
      // A read-only node_modules only costs the compile time.
    }
  }
  compiled.set(schema, validate);
  return validate;
}

export interface SchemaCheckOptions {
  /** Drop errors for which this returns true (handled by a more specific rule elsewhere). */
  readonly ignore?: (error: ErrorObject, path: readonly PathSegment[]) => boolean;
  /** Which path segment is the org code, if the file is keyed by org (e.g. 1 for /orgs/<org>). */
  readonly orgSegment?: number;
  /**
   * How to name a path for the user, where an array index means nothing to them (an entry of
   * environments.json is named by its environment, not `environments.4`).
   */
  readonly name?: (path: readonly PathSegment[]) => { field: string; environment?: string } | undefined;
}

export interface SchemaCheck {
  readonly problems: FleetProblem[];
  /**
   * The paths the errors are about: checks that read a value at, under or above one of them are
   * skipped for that value (they would only restate the schema error), the rest still run.
   */
  readonly tainted: readonly (readonly PathSegment[])[];
}

/** True when no schema error concerns `path`, anything under it, or any of its ancestors. */
export function isClean(check: SchemaCheck | undefined, path: readonly PathSegment[]): boolean {
  if (check === undefined) return false;
  return !check.tainted.some((t) => {
    const n = Math.min(t.length, path.length);
    for (let i = 0; i < n; i++) if (String(t[i]) !== String(path[i])) return false;
    return true;
  });
}

export function checkSchema(
  source: SourceFile,
  schema: Record<string, unknown>,
  options: SchemaCheckOptions = {},
): SchemaCheck {
  const validate = validatorFor(schema);
  if (validate(source.value)) return { problems: [], tainted: [] };
  const out: FleetProblem[] = [];
  const tainted: PathSegment[][] = [];
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
    // An unknown field is ignored by every other check, so it leaves the rest usable.
    if (error.keyword !== "additionalProperties") tainted.push(fieldPath);
    const org =
      options.orgSegment !== undefined && path.length > options.orgSegment
        ? String(path[options.orgSegment])
        : undefined;
    const named = options.name?.(fieldPath);
    out.push(
      problem({
        file: source.file,
        line: source.lineOf(fieldPath),
        org,
        environment: named?.environment,
        field: named?.field ?? (fieldPath.join(".") || "(root)"),
        value: error.keyword === "required" ? undefined : shown(valueAt(source.value, fieldPath)),
        message: describe(error),
        fix: fixFor(error),
      }),
    );
  }
  return { problems: dedupe(out), tainted };
}

/** A value as the user wrote it, unless it is a whole object or list (its line says where). */
function shown(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const text = JSON.stringify(value);
  return text.length <= 60 ? value : undefined;
}

function describe(error: ErrorObject): string {
  switch (error.keyword) {
    case "required":
      return "a required field is missing";
    case "additionalProperties":
      return "this field is not known here (a typo, or a setting at the wrong level)";
    case "enum":
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "pattern": {
      const meaning = PATTERN_MEANINGS[(error.params as { pattern: string }).pattern];
      return meaning ? `not ${meaning.what}` : `${error.message ?? "is invalid"}`;
    }
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
    case "pattern": {
      const meaning = PATTERN_MEANINGS[(error.params as { pattern: string }).pattern];
      return meaning
        ? `write ${meaning.what}, such as ${meaning.example}`
        : "write the value in the expected format";
    }
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
