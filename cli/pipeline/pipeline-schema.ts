/**
 * Validates pipeline YAML against Microsoft's schema (`schemas/azure-pipelines.schema.json`,
 * see schemas/README.md) with Microsoft's own validator, `azure-pipelines-language-service`
 * (the engine of the Azure Pipelines VS Code extension). Unlike a plain JSON Schema validator
 * it understands `${{ }}` template expressions, case-insensitive task names and YAML scalars
 * where the schema says string, and it reports line numbers. Unknown keys (`stagse:`,
 * `matrix` on a deployment job) come back as warnings, so callers treat every diagnostic as
 * a failure.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { getLanguageService, type JSONSchema, parse, TextDocument } from "azure-pipelines-language-service";

export const PIPELINE_SCHEMA_FILE = join("schemas", "azure-pipelines.schema.json");

export type Severity = "error" | "warning" | "information" | "hint";

export interface PipelineDiagnostic {
  /** 1-based. */
  readonly line: number;
  readonly column: number;
  readonly severity: Severity;
  readonly message: string;
}

const SEVERITY: Record<number, Severity> = { 1: "error", 2: "warning", 3: "information", 4: "hint" };

const schemas = new Map<string, JSONSchema>();

function loadSchema(path: string): JSONSchema {
  let schema = schemas.get(path);
  if (schema === undefined) {
    schema = JSON.parse(readFileSync(path, "utf8")) as JSONSchema;
    schemas.set(path, schema);
  }
  return schema;
}

/** Every diagnostic the validator reports for `text`, in line order. */
export async function validatePipelineYaml(
  text: string,
  schemaPath: string,
  fileName = "azure-pipelines.yml",
): Promise<PipelineDiagnostic[]> {
  const schema = loadSchema(schemaPath);
  const service = getLanguageService(async () => schema, [], null as never);
  service.configure({
    validate: true,
    schemas: [{ uri: "file:///azure-pipelines.schema.json", fileMatch: ["*"], schema }],
  });
  const document = TextDocument.create(`file:///${fileName}`, "yaml", 1, text);
  // The library prints debugging lines (getSchemaForResource ...) to stdout; keep them out.
  const log = console.log;
  console.log = () => {};
  let diagnostics: Awaited<ReturnType<typeof service.doValidation>>;
  try {
    diagnostics = await service.doValidation(document, parse(text));
  } finally {
    console.log = log;
  }
  return diagnostics
    .map((d) => ({
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: SEVERITY[d.severity ?? 1] ?? "error",
      message: typeof d.message === "string" ? d.message : d.message.value,
    }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}

export function formatDiagnostic(file: string, d: PipelineDiagnostic): string {
  return `${file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
