/**
 * Rules for the PostgreSQL servers of fleet.yaml (Platform and Studio per class, and the
 * configuration-sync server of every Apps environment): the database construct's own checks
 * (constructs/database/settings.ts), reported at their lines.
 */
import { postgresServerProblems } from "../../constructs/database/settings";
import type { SettingsView } from "../assemble";
import { FILES } from "../files";
import type { PostgresSetting } from "../model";
import { type FleetProblem, problem } from "../problems";
import { ENVIRONMENT_CLASSES } from "../schemas/fleet-settings";
import type { PathSegment } from "../source";

export function postgresSettingsProblems(view: SettingsView): FleetProblem[] {
  const { settings, source } = view;
  if (source === undefined) return [];
  const servers: [PathSegment[], PostgresSetting | undefined][] = ENVIRONMENT_CLASSES.flatMap((c) => [
    [["platform", "classes", c, "postgres"], settings.platform?.classes?.[c]?.postgres],
    [["studio", "classes", c, "postgres"], settings.studio?.classes?.[c]?.postgres],
    [["operators", "configSync", c], settings.operators?.configSync?.[c]],
  ]);
  return servers.flatMap(([at, server]) =>
    server === undefined || !view.ok(...at)
      ? []
      : postgresServerProblems(server).map((p) => {
          const path = [...at, ...p.path];
          return problem({
            file: FILES.settings,
            line: source.lineOf(path),
            field: path.join("."),
            value: p.value,
            message: p.message,
            fix: p.fix,
          });
        }),
  );
}
