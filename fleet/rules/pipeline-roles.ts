/** Rules for the pipeline identities' roles (`pipelineRoles`, `state.principals.<scope>.roles`). */
import { BUILTIN_ROLES } from "../../constructs/permissions/builtin-roles";
import { FILES } from "../files";
import type { FleetSettings } from "../model";
import { type FleetProblem, problem } from "../problems";
import type { SourceFile } from "../source";

/**
 * The pipeline identities' role sets: every scope names a defined set, every role is a built-in
 * role the project knows (constructs/permissions) or a declared custom role, and a `scope` is a
 * state scope.
 */
export function checkPipelineRoles(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const { sets, customRoles } = settings.pipelineRoles;
  for (const [scope, principal] of Object.entries(settings.state.principals)) {
    if (sets[principal.roles] === undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["state", "principals", scope]),
          environment: scope,
          field: `state.principals.${scope}.roles`,
          value: principal.roles,
          message: "names no role set",
          fix: `use one of ${Object.keys(sets).join(", ")}, or add pipelineRoles.sets.${principal.roles}`,
        }),
      );
    }
  }
  for (const name of Object.keys(customRoles)) {
    if (BUILTIN_ROLES[name] !== undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["pipelineRoles", "customRoles", name]),
          field: `pipelineRoles.customRoles.${name}`,
          message: "a custom role may not take the name of a built-in role",
          fix: "rename the custom role",
        }),
      );
    }
  }
  const known = [...Object.keys(BUILTIN_ROLES), ...Object.keys(customRoles)];
  for (const [setName, set] of Object.entries(sets)) {
    for (const identity of ["plan", "apply"] as const) {
      set[identity].forEach((entry, i) => {
        const path = ["pipelineRoles", "sets", setName, identity, i];
        const at = { file: FILES.settings, line: settingsSource.lineOf(path) };
        const { role, scope } = typeof entry === "string" ? { role: entry, scope: undefined } : entry;
        if (!known.includes(role)) {
          problems.push(
            problem({
              ...at,
              field: `pipelineRoles.sets.${setName}.${identity}[${i}]`,
              value: role,
              message:
                "not a built-in role this project knows (constructs/permissions/builtin-roles.ts) nor a custom role",
              fix: `use one of ${known.join(", ")}, or declare it under pipelineRoles.customRoles`,
            }),
          );
        }
        if (scope !== undefined && !scopes.includes(scope)) {
          problems.push(
            problem({
              ...at,
              field: `pipelineRoles.sets.${setName}.${identity}[${i}].scope`,
              value: scope,
              message: "not a state scope",
              fix: `use one of ${scopes.join(", ")}`,
            }),
          );
        }
      });
    }
  }
  return problems;
}
