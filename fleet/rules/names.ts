/** Rules for the Azure names derived from org codes and environments. */
import { type CheckedName, checkName, NAMING_RULES } from "../../constructs/naming";
import { FILES } from "../files";
import type { AppsEnvironment, FleetOrg, PlatformEnvironment, StudioEnvironment } from "../model";
import { type FleetProblem, problem } from "../problems";

/**
 * Derived names that break Azure's naming rules. Capital letters in the org code are one root
 * cause for every lowercase-only name: reported once, naming the others.
 */
export function derivedNameProblems(
  names: readonly CheckedName[],
  file: string,
  line: number | undefined,
  org: string | undefined,
  environment: string | undefined,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const failing = names
    .map((n) => ({ n, why: checkName(NAMING_RULES[n.rule], n.name) }))
    .filter((f): f is { n: CheckedName; why: string } => f.why !== undefined);
  // Capital letters in the org code break every lowercase-only name derived from it: one root
  // cause, reported once (on the first such name), naming the others.
  const capitals = org !== undefined && org !== org.toLowerCase();
  const byCase = capitals ? failing.filter((f) => f.n.name.includes(org)) : [];
  for (const f of failing) {
    if (byCase.includes(f) && f !== byCase[0]) continue;
    const others = f === byCase[0] ? byCase.slice(1).map((o) => o.n.field) : [];
    problems.push(
      problem({
        file,
        line,
        org,
        environment,
        field: `derived name ${f.n.field}`,
        value: f.n.name,
        message:
          others.length > 0
            ? `${f.why}; the capital letters of the org code break the derived ${others.join(", ")} names too`
            : f.why,
        fix:
          others.length > 0 || (capitals && f === byCase[0])
            ? `Azure wants these names in lower case: use the org code as Altinn's registry spells it, in lower case (${org!.toLowerCase()})`
            : f.n.rule === "aksNodeResourceGroup"
              ? "shorten the org code or the environment name token (nameTokens in fleet.yaml)"
              : "the name is derived from the org code and environment: use a lowercase alphanumeric org code short enough for every derived name",
      }),
    );
  }
  return problems;
}

/** Globally unique Azure names must not collide inside the fleet either. */
export function globalNameClashes(
  apps: readonly AppsEnvironment[],
  orgs: readonly FleetOrg[],
  platforms: readonly PlatformEnvironment[],
  studios: readonly StudioEnvironment[],
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const seen = new Map<string, string>();
  const claim = (
    kind: string,
    name: string,
    owner: string,
    org: string | undefined,
    environment?: string,
  ) => {
    const key = `${kind}:${name.toLowerCase()}`;
    const other = seen.get(key);
    if (other !== undefined) {
      problems.push(
        problem({
          file: FILES.orgs,
          org,
          environment,
          field: `derived name ${kind}`,
          value: name,
          message: `${owner} and ${other} derive the same globally unique ${kind} name`,
          fix: "rename one of the org codes or environment tokens",
        }),
      );
    } else {
      seen.set(key, owner);
    }
  };
  for (const o of orgs) claim("containerRegistry", o.names.registry, `org ${o.code}`, o.code);
  for (const a of apps) {
    const owner = `${a.org.code}/${a.environment.name}`;
    claim("storageAccount", a.names.storageAccount, owner, a.org.code, a.environment.name);
    claim("keyVault", a.names.keyVault, owner, a.org.code, a.environment.name);
    claim("dnsZone", a.names.dnsZone, owner, a.org.code, a.environment.name);
    claim("postgresqlServer", a.names.configSyncServer, owner, a.org.code, a.environment.name);
  }
  for (const shared of [...platforms, ...studios]) {
    const owner = `${"apiManagement" in shared.names ? "platform" : "studio"} ${shared.environment.name}`;
    const env = shared.environment.name;
    claim("storageAccount", shared.names.storageAccount, owner, undefined, env);
    claim("keyVault", shared.names.keyVault, owner, undefined, env);
    claim("dnsZone", shared.names.dnsZone, owner, undefined, env);
    claim("postgresqlServer", shared.names.postgresServer, owner, undefined, env);
  }
  return problems;
}
