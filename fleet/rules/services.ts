/**
 * Rules for `services`: supporting services go to clusters the fleet has, and each cluster's
 * selection passes the services' own rules (constructs/services/selection.ts), checked here at
 * load instead of when the stack is built.
 */
import { TRAEFIK_INGRESS_CLASS } from "../../constructs/in-cluster/settings";
import { selectionProblems } from "../../constructs/services/selection";
import { SERVICE_NAMES } from "../../constructs/services/service-names";
import { FILES } from "../files";
import type { FleetSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { PathSegment, SourceFile } from "../source";

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

/**
 * Each selection against the services' own rules. A cluster of the fleet (`dnsZones`: cluster
 * key → its DNS zone) publishes through Traefik, which its zone points at; an external cluster
 * brings no controller.
 */
export function serviceOptionsProblems(
  settings: FleetSettings,
  dnsZones: ReadonlyMap<string, string>,
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const report = (
    at: readonly PathSegment[],
    selection: Readonly<Record<string, unknown>>,
    zone?: string,
  ) => {
    const controller =
      zone === undefined
        ? undefined
        : { name: "Traefik", ingressClassName: TRAEFIK_INGRESS_CLASS, dnsZone: zone };
    // Unknown service names are the schema's to report (once).
    const known = Object.fromEntries(
      Object.entries(selection).filter(([name]) => (SERVICE_NAMES as readonly string[]).includes(name)),
    );
    for (const p of selectionProblems(known, controller)) {
      const path = [...at, ...p.path];
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(path),
          field: path.join("."),
          value: typeof p.value === "object" ? undefined : p.value,
          message: p.message,
          fix: p.fix,
        }),
      );
    }
  };
  for (const [key, selection] of Object.entries(settings.services?.clusters ?? {})) {
    const zone = dnsZones.get(key);
    if (zone !== undefined) report(["services", "clusters", key], selection, zone);
  }
  (settings.services?.external ?? []).forEach((cluster, i) => {
    report(["services", "external", i, "services"], cluster.services);
  });
  return problems;
}
