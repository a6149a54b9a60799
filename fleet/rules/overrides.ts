/** Rules for overrides in fleet.yaml: they name orgs and environments that exist. */
import { decommissionedEnvironments } from "../decommission";
import { FILES } from "../files";
import type { FleetSettings, RegistryOrg } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { PathSegment, SourceFile } from "../source";
import { isObject } from "../values";

/**
 * Settings for an org not in the registry, or for an environment the fleet (or the org) does
 * not run; a key that is an environment's name token (`prod`) gets the right key as its fix.
 */
export function checkOverrideTargets(
  settings: FleetSettings,
  registryOrgs: Record<string, RegistryOrg> | undefined,
  definedEnvs: ReadonlySet<string> | undefined,
  settingsSource: SourceFile | undefined,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  if (settingsSource === undefined) return problems;
  const tokens = isObject(settings.nameTokens) ? settings.nameTokens : {};
  /** An override keyed by an environment's name token (`prod`) instead of its name. */
  const byToken = (key: string) =>
    definedEnvs ? [...definedEnvs].find((name) => tokens[name] === key && name !== key) : undefined;
  const unknownEnvironment = (key: string, path: PathSegment[], org: string | undefined, known: string[]) => {
    const name = byToken(key);
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(path),
        org,
        environment: key,
        field: path.join("."),
        value: key,
        message:
          name !== undefined
            ? `settings are keyed by the environment's name in ${FILES.environments}; "${key}" is only the name token of ${name}`
            : org === undefined
              ? "settings for an environment the fleet does not define"
              : `settings for an environment the org does not list in ${FILES.orgs}`,
        fix:
          name !== undefined
            ? `the key must be \`${name}\` (the registry's name; \`${key}\` is only the name token)`
            : org === undefined
              ? `use one of ${known.join(", ")}, or remove the entry`
              : `add ${key} to the org's environments in ${FILES.orgs}, or remove these settings`,
      }),
    );
  };
  if (definedEnvs && isObject(settings.environments)) {
    for (const envName of Object.keys(settings.environments)) {
      if (!definedEnvs.has(envName))
        unknownEnvironment(envName, ["environments", envName], undefined, [...definedEnvs]);
    }
  }
  if (!registryOrgs || Object.keys(registryOrgs).length === 0 || !isObject(settings.orgs)) return problems;
  for (const [code, override] of Object.entries(settings.orgs)) {
    const reg = registryOrgs[code];
    // An org that left the registry keeps its settings while its decommission entry exists.
    if (!reg && settings.decommission?.[code] !== undefined) continue;
    if (!reg) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["orgs", code]),
          org: code,
          field: `orgs.${code}`,
          value: code,
          message: `settings for an org that is not in ${FILES.orgs}`,
          fix: "check the org code's spelling, or remove the entry",
        }),
      );
      continue;
    }
    const listed = Array.isArray(reg.environments) ? reg.environments : undefined;
    if (!listed || !isObject(override) || !isObject(override.environments)) continue;
    const leaving = decommissionedEnvironments(settings, code);
    for (const envName of Object.keys(override.environments)) {
      if (!listed.includes(envName) && !leaving.includes(envName)) {
        unknownEnvironment(envName, ["orgs", code, "environments", envName], code, listed);
      }
    }
  }
  return problems;
}
