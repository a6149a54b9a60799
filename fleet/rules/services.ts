/** Rules for `services`: supporting services go to clusters the fleet has. */
import { FILES } from "../files";
import type { FleetSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { SourceFile } from "../source";

/** Services must name clusters the fleet has; external clusters need distinct names. */
export function checkServiceTargets(
  settings: FleetSettings,
  clusterKeys: readonly string[],
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const known = new Set(clusterKeys);
  for (const key of Object.keys(settings.services?.clusters ?? {})) {
    if (!known.has(key)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["services", "clusters", key]),
          field: `services.clusters.${key}`,
          value: key,
          message: "services for a cluster the fleet does not have",
          fix: "use a cluster stack id such as apps-ttd-tt02, platform-tt02 or studio-dev, or list the cluster under services.external",
        }),
      );
    }
  }
  const names = new Set<string>();
  (settings.services?.external ?? []).forEach((c, i) => {
    if (names.has(c.name)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["services", "external", i, "name"]),
          field: `services.external[${i}].name`,
          value: c.name,
          message: "two external clusters have the same name, so both would be the same stack",
          fix: "give each external cluster its own name",
        }),
      );
    }
    names.add(c.name);
  });
  return problems;
}
