import {
  completeTask,
  escapeData,
  escapeProperty,
  loggingCommand,
  logIssue,
  setVariable,
  uploadSummary,
} from "../../cli/shared/ado-logging";
import { sourcesMatching } from "../../testing/source-files";

describe("Azure DevOps logging commands", () => {
  test("escape the message as the agent's task library does, so a multi-line text stays one command", () => {
    expect(escapeData("100% done\r\nnext")).toBe("100%AZP25 done%0D%0Anext");
    expect(logIssue("error", "plan failed\nsee the log")).toBe(
      "##vso[task.logissue type=error]plan failed%0Asee the log\n",
    );
  });

  test("a variable's value with a line break stays on the command's line", () => {
    // Unescaped, the second line would reach the log as text and the variable would be cut short.
    const line = setVariable("summary", "first\nsecond", true);
    expect(line).toBe("##vso[task.setvariable variable=summary;isOutput=true]first%0Asecond\n");
    expect(line.trimEnd().split("\n")).toHaveLength(1);
  });

  test("property values cannot close the property list", () => {
    expect(escapeProperty("a;b]c%")).toBe("a%3Bb%5Dc%AZP25");
    expect(
      loggingCommand("task.setvariable", { variable: "x;isSecret=false]", isOutput: undefined }, "v"),
    ).toBe("##vso[task.setvariable variable=x%3BisSecret=false%5D]v");
  });

  test("upload a summary and complete a task in the documented forms", () => {
    expect(uploadSummary("/agent/_work/1/s/summary.md")).toBe(
      "##vso[task.uploadsummary]/agent/_work/1/s/summary.md\n",
    );
    expect(completeTask("SucceededWithIssues", "risky changes")).toBe(
      "##vso[task.complete result=SucceededWithIssues;]risky changes\n",
    );
  });

  test("no other source file escapes logging commands itself", () => {
    const own = sourcesMatching(["cli", "bin", "stacks", "safety", "docs-gen", "testing", "tools"], (text) =>
      text.includes("AZP25"),
    );
    expect(own).toEqual(["cli/shared/ado-logging.ts"]);
  });
});
