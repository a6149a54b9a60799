/**
 * Rules for Altinn's registry (altinn-orgs.json) as the fleet reads it: org codes, the
 * environments an org lists, and organisation numbers. Its shape is checked by Altinn's own
 * schema (fleet/schemas/altinn-orgs.schema.v1.json) before these run.
 */
import { FILES } from "../files";
import type { FleetEnvironment, FleetSettings } from "../model";
import { type FleetProblem, notice, problem } from "../problems";
import orgsSchema from "../schemas/altinn-orgs.schema.v1.json";
import type { SourceFile } from "../source";

/** What an org code may hold, as Altinn's schema says (its `patternProperties`). */
export const ORG_CODE_PATTERN = new RegExp(Object.keys(orgsSchema.properties.orgs.patternProperties)[0]!);

export function emptyRegistryProblem(source: SourceFile): FleetProblem {
  return problem({
    file: FILES.orgs,
    line: source.lineOf(["orgs"]),
    field: "orgs",
    value: {},
    message: "the registry lists no organisations, so the fleet would have no Apps clusters",
    fix: `restore ${FILES.orgs} (from version control, or sync it from Altinn's CDN)`,
  });
}

/**
 * An org code the fleet cannot use: characters other than letters and digits, or a code that
 * differs from an earlier one (`clash`) only in letter case.
 */
export function orgCodeProblem(code: string, clash: string | undefined, line: number | undefined) {
  const at = { file: FILES.orgs, line, org: code, field: `orgs.${code}`, value: code };
  if (!ORG_CODE_PATTERN.test(code)) {
    return problem({
      ...at,
      message: `an org code may hold only letters and digits (A-Z, a-z, 0-9); "${code}" has ${describeBadChars(code)}, which the Azure names derived from it (storage account, Key Vault, container registry) do not allow`,
      fix: `use the org's code as Altinn's registry spells it, letters and digits only (e.g. ${code.replace(/[^a-zA-Z0-9]/g, "") || "ttd"})`,
    });
  }
  if (clash !== undefined) {
    return problem({
      ...at,
      message: `org code "${code}" differs from "${clash}" only in letter case; Azure names are case-insensitive, so both would get the same resources`,
      fix: "remove the duplicate entry or give the org its real, distinct code",
    });
  }
  return undefined;
}

/**
 * The environments an org lists: a retired one is a notice, one the fleet does not define an
 * error. `defined` or `retired` undefined (their own files are broken) leaves unknown ones unjudged.
 */
export function orgEnvironmentProblems(
  code: string,
  listed: readonly string[],
  known: ReadonlyMap<string, FleetEnvironment>,
  defined: ReadonlySet<string> | undefined,
  retired: FleetSettings["retiredEnvironments"] | undefined,
  source: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  listed.forEach((envName, i) => {
    if (known.has(envName)) return;
    const at = {
      file: FILES.orgs,
      line: source.lineOf(["orgs", code, "environments", i]),
      org: code,
      environment: envName,
      field: `orgs.${code}.environments[${i}]`,
      value: envName,
    };
    if (retired?.[envName] !== undefined) {
      problems.push(
        notice({
          ...at,
          message: `environment is retired (${retired[envName]}); no stacks are built for it`,
          fix: "nothing to do here; the entry disappears when the registry drops it",
        }),
      );
    } else if (defined !== undefined && retired !== undefined && !defined.has(envName)) {
      problems.push(
        problem({
          ...at,
          message: "the org lists an environment the fleet does not define",
          fix: `use one of ${[...defined].join(", ")}, or add it to ${FILES.environments} (or to retiredEnvironments in ${FILES.settings})`,
        }),
      );
    }
    // Otherwise the environment's own entry is broken, reported where it is.
  });
  return problems;
}

/**
 * The organisation number FinOps tags need: the registry's, or fleet.yaml's where the registry
 * has none; fleet.yaml may not contradict the registry.
 */
export function orgnrProblems(
  code: string,
  registryOrgnr: string,
  overrideOrgnr: string | undefined,
  orgLine: number | undefined,
  settingsSource: SourceFile | undefined,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  if (registryOrgnr !== "" && overrideOrgnr !== undefined && overrideOrgnr !== registryOrgnr) {
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource?.lineOf(["orgs", code, "orgnr"]),
        org: code,
        field: `orgs.${code}.orgnr`,
        value: overrideOrgnr,
        message: `contradicts the registry, which says ${registryOrgnr}`,
        fix: `remove orgs.${code}.orgnr from ${FILES.settings}; the registry's number is used`,
      }),
    );
  }
  if (registryOrgnr === "" && overrideOrgnr === undefined) {
    problems.push(
      problem({
        file: FILES.orgs,
        line: orgLine,
        org: code,
        field: `orgs.${code}.orgnr`,
        value: registryOrgnr,
        message: "the org has no organisation number; FinOps tags need one",
        fix: `add orgs.${code}.orgnr (9 digits) to ${FILES.settings}`,
      }),
    );
  }
  return problems;
}

/** The characters of an org code that are not letters or digits, named for the message. */
function describeBadChars(code: string): string {
  const bad = [...new Set(code.replace(/[a-zA-Z0-9]/g, ""))];
  const names: Record<string, string> = { _: "an underscore", ".": "a dot", "-": "a hyphen", " ": "a space" };
  return bad.map((c) => names[c] ?? `"${c}"`).join(" and ");
}
