/**
 * Loads and validates a fleet directory (environments/ or FLEET_DIR): Altinn's registry files,
 * the project's settings and the address plan. The flow (fleet/README.md): read each file with
 * positions (source.ts), check its schema (schema-check.ts), assemble the model (assemble.ts)
 * while the rules (rules/) check each part, then the checks that need the whole fleet. Every
 * problem in every file is collected before anything is built; a fleet is returned only when
 * there are no errors.
 */
import { join, resolve } from "node:path";
import { checkAddressPlan, loadAddressPlan } from "./address-plan";
import {
  addressSettingsLines,
  appsEnvironmentOf,
  assembleEnvironments,
  assembleOrgs,
  assemblePlatforms,
  assembleStudios,
  placeFleet,
  type SettingsView,
} from "./assemble";
import { DECOMMISSION_FIELD, resolveDecommission } from "./decommission";
import { FILE_ORDER, FILES } from "./files";
import type { Fleet, FleetSettings, RegistryOrg } from "./model";
import type { FleetProblem } from "./problems";
import { postgresSettingsProblems } from "./rules/databases";
import { externalDelegationNotices } from "./rules/dns";
import { environmentEntryName } from "./rules/environments";
import { globalNameClashes } from "./rules/names";
import { checkOverrideTargets } from "./rules/overrides";
import { checkPipelineRoles } from "./rules/pipeline-roles";
import { emptyRegistryProblem } from "./rules/registry";
import { checkRollout } from "./rules/rollout";
import { checkServiceTargets, serviceOptionsProblems } from "./rules/services";
import { checkStateNetwork, checkStatePrincipals, checkSubscriptions } from "./rules/state";
import { checkSchema, isClean } from "./schema-check";
import orgsSchema from "./schemas/altinn-orgs.schema.v1.json";
import { environmentsSchema, fleetSettingsSchema } from "./schemas/fleet-settings";
import { stateScopesOf } from "./scopes";
import { readFleetFile } from "./source";
import { arrayAt, isObject, objectAt } from "./values";

export { FILES } from "./files";
export { BOOTSTRAP_SUBSCRIPTION, SHARED_SCOPE, STATE_SCOPE, subscriptionOf } from "./scopes";

export interface LoadResult {
  /** Present only when there are no errors. */
  readonly fleet?: Fleet;
  /**
   * The clusters that need an address block, and the address plan settings: present whenever
   * the registry and settings could be read, even if other problems exist, so that
   * `npm run allocate` can fill in missing blocks.
   */
  readonly addressing?: {
    readonly clusterKeys: readonly string[];
    readonly settings: FleetSettings["addressPlan"];
  };
  /** Errors and notices, in file order. */
  readonly problems: readonly FleetProblem[];
}

/** The fleet directory commands read: `FLEET_DIR` if set, else `environments/` here. */
export function fleetDirFromEnv(cwd = process.cwd()): string {
  const dir = process.env.FLEET_DIR;
  return dir && dir.length > 0 ? resolve(cwd, dir) : join(cwd, "environments");
}

export function loadFleet(dir: string): LoadResult {
  const problems: FleetProblem[] = [];

  // 1. Read: parse every file with positions, so every later problem names its line.
  const orgsRead = readFleetFile(dir, FILES.orgs, "json");
  const envRead = readFleetFile(dir, FILES.environments, "json");
  const settingsRead = readFleetFile(dir, FILES.settings, "yaml");
  problems.push(...orgsRead.problems, ...envRead.problems, ...settingsRead.problems);

  // 2. Schemas. Every file's schema is checked, and then every other check runs too: a check
  // skips only the values a schema error concerns (`isClean`), so one mistake is reported once,
  // not as a cascade, and a mistake elsewhere is not hidden behind it.
  const orgsCheck =
    orgsRead.source &&
    checkSchema(orgsRead.source, orgsSchema, {
      orgSegment: 1,
      // Which environments exist is the fleet's decision (environments.json and retired
      // environments in fleet.yaml), and what an org code may hold says more than "not known
      // here": both are checked by rules/registry.ts with their own messages.
      ignore: (e, path) =>
        (e.keyword === "enum" && path[2] === "environments") ||
        (e.keyword === "additionalProperties" && path.length === 1 && path[0] === "orgs"),
    });
  const envCheck =
    envRead.source &&
    checkSchema(envRead.source, environmentsSchema, { name: environmentEntryName(envRead.source.value) });
  const settingsCheck = settingsRead.source && checkSchema(settingsRead.source, fleetSettingsSchema);
  for (const c of [orgsCheck, envCheck, settingsCheck]) if (c) problems.push(...c.problems);

  // 3. Assembly, with the rules of each part.
  const view: SettingsView = {
    settings: (settingsRead.source?.value ?? {}) as FleetSettings,
    source: settingsRead.source,
    ok: (...path) => isClean(settingsCheck, path),
  };
  const { settings, ok } = view;
  /** False once any part could not be built: checks that need every cluster then stay quiet. */
  let complete = view.source !== undefined;

  // environments.json: every entry's name counts as defined (so orgs listing it are not also
  // wrong), but only well-formed entries get clusters.
  const registryEnvs = envRead.source && arrayAt(envRead.source.value, "environments");
  const envs = registryEnvs
    ? assembleEnvironments(registryEnvs, envCheck!, envRead.source!, view)
    : undefined;
  if (envs) problems.push(...envs.problems);
  if (!envs?.complete) complete = false;
  const environments = envs?.value ?? [];
  const definedEnvs = envs?.names;

  const registryOrgs = (orgsRead.source && objectAt(orgsRead.source.value, "orgs")) as
    | Record<string, RegistryOrg>
    | undefined;
  if (registryOrgs && Object.keys(registryOrgs).length === 0) {
    complete = false;
    problems.push(emptyRegistryProblem(orgsRead.source!));
  } else if (!registryOrgs) {
    complete = false;
  }
  if (view.source) problems.push(...checkOverrideTargets(settings, registryOrgs, definedEnvs, view.source));
  if (view.source && ok("rollout", "canaries"))
    problems.push(...checkRollout(settings.rollout, registryOrgs, FILES.settings, FILES.orgs, view.source));

  const assembled = registryOrgs
    ? assembleOrgs({ registryOrgs, orgsCheck, orgsSource: orgsRead.source!, environments, definedEnvs, view })
    : undefined;
  if (assembled) problems.push(...assembled.problems);
  if (!assembled?.complete) complete = false;
  const { orgs, apps } = assembled?.value ?? { orgs: [], apps: [] };

  // The committed address plan, read once: decommission entries and the plan check both use it.
  const addressPlanPath = join(dir, FILES.addressPlan);
  const addressPlanFile = loadAddressPlan(addressPlanPath, FILES.addressPlan);

  // Orgs (or org environments) that left the registry and are destroyed deliberately.
  const retired = ok("retiredEnvironments") ? (settings.retiredEnvironments ?? {}) : undefined;
  const settingsSource = view.source;
  const decommissioned =
    settingsSource && registryOrgs && retired && ok(DECOMMISSION_FIELD)
      ? resolveDecommission({
          settings,
          settingsSource,
          files: FILES,
          registryOrgs,
          environments: new Map(environments.map((e) => [e.name, e])),
          retired,
          orgs,
          allocations: addressPlanFile.allocations,
          appsOf: (org, env) => {
            const a = appsEnvironmentOf(
              org,
              env,
              view,
              FILES.settings,
              settingsSource.lineOf([DECOMMISSION_FIELD, org.code]),
            );
            problems.push(...a.problems);
            if (!a.value) complete = false;
            return a.value;
          },
        })
      : undefined;
  if (decommissioned) problems.push(...decommissioned.problems);

  const platforms = ok("platform") && ok("location") ? assemblePlatforms(environments, view) : undefined;
  const studios =
    ok("studio") && ok("location") && ok("environmentClasses") ? assembleStudios(view) : undefined;
  for (const part of [platforms, studios]) {
    if (part) problems.push(...part.problems);
    if (!part?.complete) complete = false;
  }

  // 4. The checks that look across parts.
  problems.push(...globalNameClashes(apps, orgs, platforms?.value ?? [], studios?.value ?? []));

  // The state scopes follow from the environments' names and tokens, and the Studio environments.
  const studioNames = arrayAt(settings.studio, "environments")
    ?.map((e) => (e as { name?: unknown }).name)
    .filter((n): n is string => typeof n === "string");
  const stateScopes =
    definedEnvs && ok("nameTokens") && studioNames
      ? stateScopesOf(definedEnvs, settings.nameTokens ?? {}, studioNames)
      : undefined;
  if (stateScopes) {
    if (ok("state")) problems.push(...checkStatePrincipals(settings, stateScopes, view.source!));
    if (ok("state") && ok("pipelineRoles"))
      problems.push(...checkPipelineRoles(settings, stateScopes, view.source!));
    if (ok("subscriptions")) problems.push(...checkSubscriptions(settings, stateScopes, view.source!));
  }
  if (ok("state")) problems.push(...checkStateNetwork(settings, view.source!));
  problems.push(...postgresSettingsProblems(view));

  // The address plan: every cluster needs its block.
  const clusterKeys = [
    ...apps.map((a) => a.clusterKey),
    // A decommissioned cluster keeps its block until its entry is removed (then --prune releases it).
    ...(decommissioned?.decommission.apps ?? []).map((d) => d.apps.clusterKey),
    ...(platforms?.value ?? []).map((p) => p.clusterKey),
    ...(studios?.value ?? []).map((s) => s.clusterKey),
  ];
  const plan = ok("addressPlan")
    ? checkAddressPlan(
        addressPlanPath,
        settings.addressPlan,
        clusterKeys,
        FILES.addressPlan,
        {
          settingsFile: FILES.settings,
          settingsField: "addressPlan",
          settingsLines: addressSettingsLines(settings, view.source!),
        },
        addressPlanFile,
      )
    : undefined;
  if (plan) {
    // Blocks no cluster uses are only known when every cluster could be resolved.
    problems.push(
      ...plan.problems.filter(
        (p) => complete || !(p.severity === "notice" && p.field.startsWith("allocations.")),
      ),
    );
  }

  if (complete && ok("services") && isObject(settings.services)) {
    problems.push(...checkServiceTargets(settings, clusterKeys, view.source!));
    const zones = new Map(
      [...apps, ...(platforms?.value ?? []), ...(studios?.value ?? [])].map((c) => [
        c.clusterKey,
        c.names.dnsZone,
      ]),
    );
    problems.push(...serviceOptionsProblems(settings, zones, view.source!));
  }
  // Which zones need delegating is only known when every cluster could be resolved.
  if (complete)
    problems.push(...externalDelegationNotices(apps, platforms?.value ?? [], studios?.value ?? []));

  const sorted = sortProblems(dedupe(problems));
  const addressing = plan && complete ? { clusterKeys, settings: settings.addressPlan } : undefined;
  if (sorted.some((p) => p.severity === "error") || !plan || !platforms || !studios || !stateScopes) {
    return { problems: sorted, addressing };
  }
  const fleet = placeFleet({
    dir,
    settings,
    environments,
    orgs,
    apps,
    platforms: platforms.value,
    studios: studios.value,
    stateScopes,
    clusterKeys,
    allocations: plan.allocations,
    ...(decommissioned ? { decommission: decommissioned.decommission } : {}),
  });
  return { fleet, problems: sorted, addressing };
}

function dedupe(problems: readonly FleetProblem[]): FleetProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.severity}|${p.file}|${p.line}|${p.org}|${p.environment}|${p.field}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortProblems(problems: readonly FleetProblem[]): FleetProblem[] {
  return [...problems].sort(
    (a, b) => FILE_ORDER.indexOf(a.file) - FILE_ORDER.indexOf(b.file) || (a.line ?? 0) - (b.line ?? 0),
  );
}
