/**
 * Azure DevOps logging commands, formatted and escaped in one place. The agent reads
 * `##vso[area.action property=value;...]message` lines from a step's stdout
 * (https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands). Escaping follows
 * the agent's task library (microsoft/azure-pipelines-task-lib: node/taskcommand.ts): in the
 * message `%` becomes `%AZP25`, CR `%0D` and LF `%0A`, so a multi-line text stays one command;
 * property values also escape `]` (`%5D`) and `;` (`%3B`), which would end the property list.
 *
 * Every function returns one command line ending in a newline, ready for stdout, except
 * `loggingCommand`, which returns the bare command (for callers that collect lines).
 */

export type IssueType = "error" | "warning";

/** The result `task.complete` sets on the step. */
export type TaskResult = "Succeeded" | "SucceededWithIssues" | "Failed";

/** Escapes a command's message (the text after `]`). */
export function escapeData(text: string): string {
  return text.replaceAll("%", "%AZP25").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}

/** Escapes a property value (between `=` and `;` or `]`). */
export function escapeProperty(text: string): string {
  return escapeData(text).replaceAll("]", "%5D").replaceAll(";", "%3B");
}

/**
 * One logging command without the newline: `##vso[<command> k=v;k=v]<message>`. Properties whose
 * value is undefined are left out.
 */
export function loggingCommand(
  command: string,
  properties: Readonly<Record<string, string | undefined>>,
  message = "",
): string {
  const props = Object.entries(properties)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(v)}`)
    .join(";");
  return `##vso[${command}${props === "" ? "" : ` ${props}`}]${escapeData(message)}`;
}

/** `task.setvariable`: a variable for later steps; `output` makes it `isOutput=true` (other jobs and stages). */
export function setVariable(name: string, value: string, output = false): string {
  return `${loggingCommand("task.setvariable", { variable: name, isOutput: output ? "true" : undefined }, value)}\n`;
}

/** `task.logissue`: an error or warning on the run's summary and the step. */
export function logIssue(type: IssueType, text: string): string {
  return `${loggingCommand("task.logissue", { type }, text)}\n`;
}

/** `task.uploadsummary`: a Markdown file shown on the run's summary tab. */
export function uploadSummary(file: string): string {
  return `${loggingCommand("task.uploadsummary", {}, file)}\n`;
}

/**
 * `task.complete`: the step's result, with a message. Written with the property list closed by `;`
 * as in Learn's example (`##vso[task.complete result=Succeeded;]DONE`).
 */
export function completeTask(result: TaskResult, message: string): string {
  return `##vso[task.complete result=${result};]${escapeData(message)}\n`;
}
