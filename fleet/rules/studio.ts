/** Rules for the Studio environments (`studio.environments` in fleet.yaml). */
import { checkName, NAMING_RULES } from "../../constructs/naming";
import { FILES } from "../files";
import type { StudioEnvironmentSetting } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { SourceFile } from "../source";

/** Entry `i`: defined once (`seen` holds the names before it), with a DNS hostname. */
export function studioEnvironmentProblems(
  e: StudioEnvironmentSetting,
  i: number,
  seen: ReadonlySet<string>,
  settingsSource: SourceFile,
): FleetProblem[] {
  if (seen.has(e.name)) {
    return [
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(["studio", "environments", i]),
        environment: e.name,
        field: `studio.environments[${i}].name`,
        value: e.name,
        message: "the Studio environment is defined twice",
        fix: "remove one of the two entries",
      }),
    ];
  }
  const why = checkName(NAMING_RULES.dnsZone, e.hostname);
  if (!why) return [];
  return [
    problem({
      file: FILES.settings,
      line: settingsSource.lineOf(["studio", "environments", i, "hostname"]),
      environment: e.name,
      field: `studio.environments[${i}].hostname`,
      value: e.hostname,
      message: `not a valid DNS name: ${why}`,
      fix: "use a lowercase DNS name such as dev.altinn.studio",
    }),
  ];
}
