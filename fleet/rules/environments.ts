/**
 * Rules for the environments of environments.json (Altinn's file) together with the fleet's
 * settings for them: names used once, not also retired, DNS hostnames, distinct name tokens.
 * Problems in environments.json name the environment, never its array index.
 */
import { checkName, NAMING_RULES } from "../../constructs/naming";
import { FILES } from "../files";
import { type FleetProblem, problem } from "../problems";
import type { PathSegment, SourceFile } from "../source";
import { arrayAt } from "../values";

export function duplicateEnvironmentProblem(name: string, line: number | undefined): FleetProblem {
  return problem({
    file: FILES.environments,
    line,
    environment: name,
    field: "name",
    value: name,
    message: "the environment is defined twice",
    fix: "remove one of the two entries",
  });
}

export function retiredAndDefinedProblem(name: string, settingsSource: SourceFile | undefined): FleetProblem {
  return problem({
    file: FILES.settings,
    line: settingsSource?.lineOf(["retiredEnvironments", name]),
    environment: name,
    field: `retiredEnvironments.${name}`,
    value: name,
    message: `the environment is both defined in ${FILES.environments} and declared retired`,
    fix: "remove it from one of the two",
  });
}

/** A hostname that is no DNS zone name; a trailing dot gets its own message and fix. */
export function hostnameProblem(
  name: string,
  hostname: string,
  line: number | undefined,
): FleetProblem | undefined {
  const why = checkName(NAMING_RULES.dnsZone, hostname);
  if (!why) return undefined;
  const trailingDot = hostname.endsWith(".");
  return problem({
    file: FILES.environments,
    line,
    environment: name,
    field: "hostname",
    value: hostname,
    message: trailingDot
      ? "a hostname here is written without the trailing dot of a fully qualified name"
      : `not a valid DNS name: ${why}`,
    fix: trailingDot
      ? `write ${JSON.stringify(hostname.replace(/\.+$/, ""))}`
      : `use a lowercase DNS name such as ${name}.altinn.cloud`,
  });
}

/** Two environments whose names map to one name token would share every resource. */
export function tokenClashProblem(
  name: string,
  token: string,
  other: string,
  settingsSource: SourceFile | undefined,
): FleetProblem {
  return problem({
    file: FILES.settings,
    line: settingsSource?.lineOf(["nameTokens", name]),
    environment: name,
    field: `nameTokens.${name}`,
    value: token,
    message: `environments ${other} and ${name} would share the name token "${token}" and so the same resources`,
    fix: "give each environment its own token",
  });
}

/** How a path into environments.json is named for the user: by the entry's environment. */
export function environmentEntryName(
  value: unknown,
): (path: readonly PathSegment[]) => { field: string; environment?: string } | undefined {
  const entries = arrayAt(value, "environments");
  return (path) => {
    if (path[0] !== "environments" || typeof path[1] !== "number") return undefined;
    const name = (entries?.[path[1]] as { name?: unknown } | undefined)?.name;
    const rest = path.slice(2).join(".");
    return typeof name === "string" && name !== ""
      ? { environment: name, field: rest || "(entry)" }
      : { field: `environments[${path[1]}]${rest ? `.${rest}` : ""}` };
  };
}
