/**
 * Rules over one cluster's resolved settings, reported where the value came from: the layer of
 * fleet.yaml (class, environment, org, org in environment) that set it, and so its line.
 */
import { FILES } from "../files";
import type { ClusterSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import { type Layer, originOf, originOfAny } from "../resolve";
import type { SourceFile } from "../source";
import { checkClusterSettings } from "../validate-settings";

/** The problems of one cluster's settings, each at the line of the layer that set the value. */
export function clusterSettingsProblems(
  layers: readonly Layer[],
  resolved: ClusterSettings,
  settingsSource: SourceFile,
  org: string | undefined,
  environment: string,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  for (const issue of checkClusterSettings(resolved)) {
    const origin = issue.related
      ? originOfAny(layers, [issue.field, ...issue.related])
      : originOf(layers, issue.field);
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(origin),
        org: origin[0] === "orgs" ? org : undefined,
        environment: origin[0] === "environmentClasses" ? undefined : environment,
        field: origin.join("."),
        value: issue.value,
        message: issue.message,
        fix: issue.fix,
      }),
    );
  }
  return problems;
}
