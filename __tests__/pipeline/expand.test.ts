// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Azure Pipelines templates, whose expressions are ${{ }}
/**
 * The test expander (testing/pipeline-expand.ts) does what Azure DevOps does with the constructs
 * the templates use, and refuses what it does not know instead of passing it through.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateCondition, expandPipeline, simulate } from "../../testing/pipeline-expand";
import { tempDir } from "../cli/fixtures";

function files(spec: Record<string, string>): string {
  const dir = tempDir("expand-");
  for (const [name, text] of Object.entries(spec)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, "root.yml");
}

describe("expandPipeline", () => {
  it("expands extends, template references, parameters, each and if/else like Azure DevOps", () => {
    const root = files({
      "root.yml": [
        "parameters:",
        "  - name: all",
        "    type: boolean",
        "    default: false",
        "extends:",
        "  template: t/main.yml",
        "  parameters:",
        "    all: ${{ parameters.all }}",
        "    items: [{ name: a, n: 0 }, { name: b, n: 1 }]",
        "",
      ].join("\n"),
      "t/main.yml": [
        "parameters:",
        "  - name: all",
        "    type: boolean",
        "  - name: items",
        "    type: object",
        "stages:",
        "  - ${{ each i in parameters.items }}:",
        "      - template: stage.yml",
        "        parameters:",
        "          name: ${{ i.name }}",
        "          n: ${{ i.n }}",
        "          clauses:",
        "            - first",
        "            - ${{ if gt(i.n, 0) }}:",
        "                - later_${{ i.name }}",
        "          all: ${{ parameters.all }}",
        "",
      ].join("\n"),
      "t/stage.yml": [
        "parameters:",
        "  - name: name",
        "    type: string",
        "  - name: n",
        "    type: number",
        "    values: [0, 1]",
        "  - name: clauses",
        "    type: object",
        "  - name: all",
        "    type: boolean",
        "stages:",
        "  - stage: s_${{ parameters.name }}",
        "    condition: and(${{ join(', ', parameters.clauses) }})",
        "    ${{ if eq(parameters.n, 0) }}:",
        "      displayName: zero",
        "    ${{ else }}:",
        "      displayName: not zero (${{ length(parameters.clauses) }})",
        "    jobs:",
        "      - ${{ each pair in parameters }}:",
        "          ${{ if eq(pair.key, 'name') }}:",
        "            job: j_${{ pair.value }}",
        "        steps:",
        "          - bash: echo ${{ parameters.all }}",
        "",
      ].join("\n"),
    });
    const p = expandPipeline(root, { all: true });
    expect(p.stages).toEqual([
      {
        stage: "s_a",
        condition: "and(first)",
        displayName: "zero",
        jobs: [{ job: "j_a", steps: [{ bash: "echo True" }] }],
      },
      {
        stage: "s_b",
        condition: "and(first, later_b)",
        displayName: "not zero (2)",
        jobs: [{ job: "j_b", steps: [{ bash: "echo True" }] }],
      },
    ]);
    expect(expandPipeline(root).stages[0].jobs[0].steps[0].bash).toBe("echo False");
  });

  it("refuses unknown functions, missing or unexpected parameters, and values outside `values`", () => {
    const template = (body: string) =>
      files({
        "root.yml": `extends:\n  template: t.yml\n  parameters:\n${body}`,
        "t.yml":
          "parameters:\n  - name: n\n    type: number\n    values: [1, 2]\nstages:\n  - stage: s${{ upper(parameters.n) }}\n",
      });
    expect(() => expandPipeline(template("    n: 1\n"))).toThrow("unknown function upper()");
    expect(() => expandPipeline(template("    n: 3\n"))).toThrow("n = 3 is not one of 1, 2");
    expect(() => expandPipeline(template("    m: 1\n"))).toThrow("parameter n is required");
    expect(() => expandPipeline(template("    n: 1\n    m: 1\n"))).toThrow("unexpected parameter m");
  });
});

describe("evaluateCondition and simulate", () => {
  it("evaluate conditions as Azure DevOps does: case-insensitive strings, missing outputs as empty", () => {
    const dependencies = { a: { result: "Succeeded" as const, outputs: { "j.s.x": "True" } } };
    expect(evaluateCondition("eq(dependencies.a.outputs['j.s.x'], 'true')", { dependencies })).toBe(true);
    expect(evaluateCondition("ne(dependencies.a.outputs['j.s.missing'], 'true')", { dependencies })).toBe(
      true,
    );
    expect(evaluateCondition("in(dependencies.a.result, 'Failed', 'Skipped')", { dependencies })).toBe(false);
    expect(() => evaluateCondition("eq(dependencies.b.result, 'Succeeded')", { dependencies })).toThrow(
      'reads "b", which is not a dependency',
    );
  });

  it("skips a unit whose condition fails and lets the rest see it as Skipped", () => {
    const r = simulate(
      [
        { stage: "a" },
        { stage: "b", dependsOn: "a", condition: "eq(dependencies.a.result, 'Failed')" },
        { stage: "c", dependsOn: ["a", "b"] },
        { stage: "d", dependsOn: ["b"], condition: "in(dependencies.b.result, 'Succeeded', 'Skipped')" },
      ],
      { results: { d: "SucceededWithIssues" } },
    );
    expect([...r]).toEqual([
      ["a", "Succeeded"],
      ["b", "Skipped"],
      ["c", "Skipped"],
      ["d", "SucceededWithIssues"],
    ]);
  });
});
