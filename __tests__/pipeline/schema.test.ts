/**
 * azure-pipelines.yml and every template in pipeline/templates/ against Microsoft's official
 * schema, with Microsoft's validator (azure-pipelines-language-service): no diagnostics at all,
 * and broken copies are reported with the line that is wrong.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { main } from "../../cli/pipeline/command";
import { PIPELINE_FILE, PIPELINE_TEMPLATES_DIR } from "../../cli/pipeline/pipeline";
import {
  PIPELINE_SCHEMA_FILE,
  type PipelineDiagnostic,
  validatePipelineYaml,
} from "../../cli/pipeline/pipeline-schema";
import { REPO_ROOT } from "../../testing/run-cli";
import { captureIO, tempDir } from "../cli/fixtures";

const schemaPath = join(REPO_ROOT, PIPELINE_SCHEMA_FILE);
const committed = readFileSync(join(REPO_ROOT, PIPELINE_FILE), "utf8");
const lines = committed.split("\n");
const templates = readdirSync(join(REPO_ROOT, PIPELINE_TEMPLATES_DIR), { recursive: true, encoding: "utf8" })
  .filter((f) => f.endsWith(".yml"))
  .map((f) => join(PIPELINE_TEMPLATES_DIR, f))
  .sort();
const applyTemplate = readFileSync(join(REPO_ROOT, PIPELINE_TEMPLATES_DIR, "stages", "apply.yml"), "utf8");

/** The 1-based number of the first line matching `pattern` (after line `after`). */
function lineOf(pattern: RegExp, text = committed, after = 0): number {
  const i = text.split("\n").findIndex((l, n) => n >= after && pattern.test(l));
  if (i < 0) throw new Error(`no line matches ${pattern}`);
  return i + 1;
}

function replaceLine(n: number, fn: (line: string) => string): string {
  return lines.map((l, i) => (i === n - 1 ? fn(l) : l)).join("\n");
}

function at(diagnostics: readonly PipelineDiagnostic[], line: number): PipelineDiagnostic[] {
  return diagnostics.filter((d) => d.line === line);
}

describe("the vendored schema", () => {
  it("is Microsoft's service-schema.json of sprint 261.1, byte for byte", () => {
    const bytes = readFileSync(schemaPath);
    expect(bytes.length).toBe(1640523);
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(
      "f00a9630f6550204148634d9a13f634b5750a225559886effe09a751482f0459",
    );
    const schema = JSON.parse(bytes.toString("utf8"));
    expect(schema.$comment).toBe("v1.261.1");
    expect(schema.$id).toBe(
      "https://github.com/Microsoft/azure-pipelines-vscode/blob/main/service-schema.json",
    );
  });
});

describe("azure-pipelines.yml against the schema", () => {
  it("has no diagnostics: no errors, no unknown properties", async () => {
    const diagnostics = await validatePipelineYaml(committed, schemaPath);
    expect(diagnostics.map((d) => `${d.line}:${d.column} ${d.severity}: ${d.message}`)).toEqual([]);
  });

  it("extends a template, and every template has no diagnostics either", async () => {
    expect(committed).toMatch(/^extends:\n {2}template: pipeline\/templates\/fleet\.yml$/m);
    expect(templates).toEqual(
      expect.arrayContaining([
        "pipeline/templates/fleet.yml",
        "pipeline/templates/stages/plan.yml",
        "pipeline/templates/stages/apply.yml",
        "pipeline/templates/stages/second-pass.yml",
        "pipeline/templates/jobs/gate.yml",
        "pipeline/templates/steps/azure-cli.yml",
      ]),
    );
    for (const f of templates) {
      const diagnostics = await validatePipelineYaml(readFileSync(join(REPO_ROOT, f), "utf8"), schemaPath, f);
      expect(diagnostics.map((d) => `${f}:${d.line}:${d.column} ${d.severity}: ${d.message}`)).toEqual([]);
    }
  });

  it("reports a misspelled top-level key with its line", async () => {
    const n = lineOf(/^extends:$/);
    const d = await validatePipelineYaml(
      replaceLine(n, () => "extend:"),
      schemaPath,
    );
    expect(at(d, n).map((x) => x.message)).toContain("Unexpected property extend");
  });

  it("reports a matrix on a deployment job (deployment jobs cannot fan out) with its line", async () => {
    const n = lineOf(/^\s+strategy:$/, applyTemplate, lineOf(/deployment: approve/, applyTemplate));
    const broken = applyTemplate
      .split("\n")
      .map((l, i) =>
        i === n - 1
          ? `${l}\n${l.replace("strategy:", "  matrix: $[ dependencies.legs.outputs['m.slot0'] ]")}`
          : l,
      )
      .join("\n");
    const d = await validatePipelineYaml(broken, schemaPath);
    expect(at(d, n + 1).map((x) => x.message)).toEqual(["Unexpected property matrix"]);
  });

  it("takes no template expression in a job's name (so the slot and gate templates get theirs from the caller)", async () => {
    const d = await validatePipelineYaml(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an Azure Pipelines template expression
      "parameters:\n  - name: i\n    type: number\njobs:\n  - job: gate_${{ parameters.i }}\n    steps:\n      - bash: echo\n",
      schemaPath,
    );
    expect(at(d, 5).map((x) => x.message)).toEqual([
      'String does not match the pattern of "^[-_A-Za-z0-9]*$".',
    ]);
  });

  it("reports an invalid lockBehavior value with its line", async () => {
    const n = lineOf(/^lockBehavior: sequential$/);
    const d = await validatePipelineYaml(
      replaceLine(n, () => "lockBehavior: parallel"),
      schemaPath,
    );
    expect(at(d, n).map((x) => x.message)).toEqual(['String does not match the pattern of "^sequential$".']);
  });

  it("reports broken YAML as an error with its line", async () => {
    const n = lineOf(/^ {2}template: pipeline/);
    const d = await validatePipelineYaml(
      replaceLine(n, (l) => `${l}: [`),
      schemaPath,
    );
    expect(d.filter((x) => x.severity === "error")).toEqual([
      expect.objectContaining({
        line: n,
        severity: "error",
        message: expect.stringContaining("mapping pair"),
      }),
    ]);
  });

  const azureCli = readFileSync(join(REPO_ROOT, PIPELINE_TEMPLATES_DIR, "steps", "azure-cli.yml"), "utf8");
  const editLine = (text: string, n: number, fn: (l: string) => string) =>
    text
      .split("\n")
      .map((l, i) => (i === n - 1 ? fn(l) : l))
      .join("\n");

  it("reports a task that is not in the schema (a marketplace task) with its line", async () => {
    const n = lineOf(/task: AzureCLI@2/, azureCli);
    const d = await validatePipelineYaml(
      editLine(azureCli, n, (l) => l.replace("AzureCLI@2", "TerraformTaskV4@4")),
      schemaPath,
    );
    expect(at(d, n).length).toBeGreaterThan(0);
  });

  it("reports an unknown task input with its line, and knows AzureCLI@2's keepAzSessionActive", async () => {
    const n = lineOf(/addSpnToEnvironment: true/, azureCli);
    const d = await validatePipelineYaml(
      editLine(azureCli, n, (l) => l.replace("addSpnToEnvironment", "addSpnToEnviroment")),
      schemaPath,
    );
    expect(at(d, n).map((x) => x.message)).toContain("Unexpected property addSpnToEnviroment");
    const k = lineOf(/keepAzSessionActive: true/, azureCli);
    const misspelt = await validatePipelineYaml(
      editLine(azureCli, k, (l) => l.replace("keepAzSessionActive", "keepAzureSessionActive")),
      schemaPath,
    );
    expect(at(misspelt, k).map((x) => x.message)).toContain("Unexpected property keepAzureSessionActive");
  });

  it("npm run pipeline -- validate prints file:line:column and exits 1 for a broken copy", async () => {
    const n = lineOf(/^extends:$/);
    const file = join(tempDir("pipeline-schema-"), "broken.yml");
    writeFileSync(
      file,
      replaceLine(n, () => "extend:"),
    );
    const io = captureIO(REPO_ROOT);
    expect(await main(["validate", file], io)).toBe(1);
    expect(io.stderr()).toContain(`${file}:${n}:1: warning: Unexpected property extend`);
  });

  it("npm run pipeline -- validate exits 0 for the committed file", async () => {
    const io = captureIO(REPO_ROOT);
    expect(await main(["validate"], io)).toBe(0);
    expect(io.stdout()).toContain("0 problem(s)");
  });
});
