/**
 * Rules over fleet.yaml `rollout` that its schema cannot express: every canary names an org of
 * the registry (a misspelt canary would silently leave the scope without one).
 */
import type { RegistryOrg, RolloutSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { SourceFile } from "../source";

export function checkRollout(
  rollout: RolloutSettings | undefined,
  registryOrgs: Readonly<Record<string, RegistryOrg>> | undefined,
  settingsFile: string,
  orgsFile: string,
  source: SourceFile,
): FleetProblem[] {
  if (rollout === undefined || registryOrgs === undefined || Object.keys(registryOrgs).length === 0)
    return [];
  const problems: FleetProblem[] = [];
  (rollout.canaries ?? []).forEach((code, i) => {
    if (registryOrgs[code] !== undefined) return;
    const sameLetters = Object.keys(registryOrgs).find((o) => o.toLowerCase() === code.toLowerCase());
    problems.push(
      problem({
        file: settingsFile,
        line: source.lineOf(["rollout", "canaries", i]),
        org: code,
        field: `rollout.canaries[${i}]`,
        value: code,
        message: `the canary is not an org of ${orgsFile}, so the scopes would roll out without it`,
        fix:
          sameLetters !== undefined
            ? `write it as the registry does: ${sameLetters}`
            : `name an org code of ${orgsFile} (e.g. ttd), or remove the entry`,
      }),
    );
  });
  return problems;
}
