/**
 * Loads and validates a fleet directory (environments/ or FLEET_DIR): Altinn's registry files,
 * the project's settings and the address plan. Every problem in every file is collected before
 * anything is built; a fleet is returned only when there are no errors.
 */
import { join, resolve } from "node:path";
import { isAccessRestrictedRegion, REGION_ACCESS_REQUEST_URL } from "../constructs/common/regions";
import {
  appsNames,
  type CheckedName,
  checkedAppsNames,
  checkedOrgNames,
  checkedSharedNames,
  checkName,
  GATEWAY_CERTIFICATE_NAME,
  NAMING_RULES,
  orgNames,
  platformNames,
  stackIds,
  studioNames,
} from "../constructs/naming";
import { BUILTIN_ROLES } from "../constructs/permissions/builtin-roles";
import {
  APPS_SUBNETS,
  checkAddressPlan,
  loadAddressPlan,
  SERVICE_SUBNETS,
  subnetLayout,
} from "./address-plan";
import { DECOMMISSION_FIELD, decommissionedEnvironments, resolveDecommission } from "./decommission";
import { fleetZones, zoneDelegations } from "./dns-zones";
import type {
  AppsEnvironment,
  ClusterSettings,
  EnvironmentClassName,
  Fleet,
  FleetEnvironment,
  FleetOrg,
  FleetSettings,
  PlatformEnvironment,
  RegistryEnvironment,
  RegistryOrg,
  StudioEnvironment,
} from "./model";
import { type FleetProblem, notice, problem } from "./problems";
import { type Layer, mergeLayers, originOf, originOfAny } from "./resolve";
import { checkRollout } from "./rollout-rules";
import { checkSchema, isClean, type SchemaCheck } from "./schema-check";
import orgsSchema from "./schemas/altinn-orgs.schema.v1.json";
import { environmentsSchema, fleetSettingsSchema } from "./schemas/fleet-settings";
import { type PathSegment, readFleetFile, type SourceFile } from "./source";
import { checkClusterSettings } from "./validate-settings";

export const FILES = {
  orgs: "altinn-orgs.json",
  environments: "environments.json",
  settings: "fleet.yaml",
  addressPlan: "address-plan.yaml",
} as const;

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

  const orgsRead = readFleetFile(dir, FILES.orgs, "json");
  const envRead = readFleetFile(dir, FILES.environments, "json");
  const settingsRead = readFleetFile(dir, FILES.settings, "yaml");
  problems.push(...orgsRead.problems, ...envRead.problems, ...settingsRead.problems);

  // Every file's schema is checked, and then every other check runs too: a check skips only the
  // values a schema error concerns (`isClean`), so one mistake is reported once, not as a
  // cascade, and a mistake elsewhere is not hidden behind it.
  const orgsCheck =
    orgsRead.source &&
    checkSchema(orgsRead.source, orgsSchema, {
      orgSegment: 1,
      // Which environments exist is the fleet's decision (environments.json and retired
      // environments in fleet.yaml), and what an org code may hold says more than "not known
      // here": both are checked below with their own messages.
      ignore: (e, path) =>
        (e.keyword === "enum" && path[2] === "environments") ||
        (e.keyword === "additionalProperties" && path.length === 1 && path[0] === "orgs"),
    });
  const envCheck =
    envRead.source &&
    checkSchema(envRead.source, environmentsSchema, { name: environmentEntryName(envRead.source.value) });
  const settingsCheck = settingsRead.source && checkSchema(settingsRead.source, fleetSettingsSchema);
  for (const c of [orgsCheck, envCheck, settingsCheck]) if (c) problems.push(...c.problems);

  const settingsSource = settingsRead.source;
  const settings = (settingsSource?.value ?? {}) as FleetSettings;
  const sOk = (...path: (string | number)[]) => isClean(settingsCheck, path);
  /** False once any cluster could not be resolved: checks that need every cluster then stay quiet. */
  let complete = settingsSource !== undefined;

  // environments.json: every entry's name counts as defined (so orgs listing it are not also
  // wrong), but only well-formed entries get clusters.
  const registryEnvs = envRead.source && arrayAt(envRead.source.value, "environments");
  const envResult = registryEnvs
    ? resolveEnvironments(registryEnvs, envCheck!, settings, sOk, envRead.source!, settingsSource, problems)
    : undefined;
  if (!envResult?.complete) complete = false;
  const environments = envResult?.environments ?? [];
  const envByName = new Map(environments.map((e) => [e.name, e]));
  const definedEnvs = envResult?.names;
  const retired = sOk("retiredEnvironments") ? (settings.retiredEnvironments ?? {}) : undefined;

  // altinn-orgs.json.
  const orgsSource = orgsRead.source;
  const registryOrgs = (orgsSource && objectAt(orgsSource.value, "orgs")) as
    | Record<string, RegistryOrg>
    | undefined;
  if (registryOrgs && Object.keys(registryOrgs).length === 0) {
    complete = false;
    problems.push(
      problem({
        file: FILES.orgs,
        line: orgsSource!.lineOf(["orgs"]),
        field: "orgs",
        value: {},
        message: "the registry lists no organisations, so the fleet would have no Apps clusters",
        fix: `restore ${FILES.orgs} (from version control, or sync it from Altinn's CDN)`,
      }),
    );
  } else if (!registryOrgs) {
    complete = false;
  }

  checkOverrideTargets(settings, registryOrgs, definedEnvs, settingsSource, problems);
  if (settingsSource && sOk("rollout", "canaries"))
    problems.push(
      ...checkRollout(settings.rollout, registryOrgs, FILES.settings, FILES.orgs, settingsSource),
    );

  const orgs: FleetOrg[] = [];
  const apps: AppsEnvironment[] = [];
  const lowerCodes = new Map<string, string>();
  const codePattern = new RegExp(Object.keys(orgsSchema.properties.orgs.patternProperties)[0]!);
  for (const [code, reg] of Object.entries(registryOrgs ?? {}) as [string, RegistryOrg][]) {
    const orgLine = orgsSource!.lineOf(["orgs", code]);
    const codeProblem = (message: string, fix: string) =>
      problem({
        file: FILES.orgs,
        line: orgLine,
        org: code,
        field: `orgs.${code}`,
        value: code,
        message,
        fix,
      });
    if (!codePattern.test(code)) {
      complete = false;
      problems.push(
        codeProblem(
          `an org code may hold only letters and digits (A-Z, a-z, 0-9); "${code}" has ${describeBadChars(code)}, which the Azure names derived from it (storage account, Key Vault, container registry) do not allow`,
          `use the org's code as Altinn's registry spells it, letters and digits only (e.g. ${code.replace(/[^a-zA-Z0-9]/g, "") || "ttd"})`,
        ),
      );
      continue;
    }
    const clash = lowerCodes.get(code.toLowerCase());
    if (clash !== undefined) {
      problems.push(
        codeProblem(
          `org code "${code}" differs from "${clash}" only in letter case; Azure names are case-insensitive, so both would get the same resources`,
          "remove the duplicate entry or give the org its real, distinct code",
        ),
      );
      continue;
    }
    lowerCodes.set(code.toLowerCase(), code);

    const orgEnvs: FleetEnvironment[] = [];
    const listed = isClean(orgsCheck, ["orgs", code, "environments"]) ? reg.environments : undefined;
    if (listed === undefined) complete = false;
    (listed ?? []).forEach((envName, i) => {
      const env = envByName.get(envName);
      if (env) {
        orgEnvs.push(env);
      } else if (retired?.[envName] !== undefined) {
        problems.push(
          notice({
            file: FILES.orgs,
            line: orgsSource!.lineOf(["orgs", code, "environments", i]),
            org: code,
            environment: envName,
            field: `orgs.${code}.environments[${i}]`,
            value: envName,
            message: `environment is retired (${retired[envName]}); no stacks are built for it`,
            fix: "nothing to do here; the entry disappears when the registry drops it",
          }),
        );
      } else if (definedEnvs !== undefined && retired !== undefined && !definedEnvs.has(envName)) {
        problems.push(
          problem({
            file: FILES.orgs,
            line: orgsSource!.lineOf(["orgs", code, "environments", i]),
            org: code,
            environment: envName,
            field: `orgs.${code}.environments[${i}]`,
            value: envName,
            message: "the org lists an environment the fleet does not define",
            fix: `use one of ${[...definedEnvs].join(", ")}, or add it to ${FILES.environments} (or to retiredEnvironments in ${FILES.settings})`,
          }),
        );
      }
      // Otherwise the environment's own entry is broken, reported where it is.
    });
    if (!isClean(orgsCheck, ["orgs", code])) {
      // The schema error is reported; names and settings of a malformed entry would only repeat it.
      complete = false;
      continue;
    }
    if (orgEnvs.length === 0) continue;

    const override = sOk("orgs", code) ? settings.orgs?.[code] : undefined;
    const orgnr = reg.orgnr !== "" ? reg.orgnr : override?.orgnr;
    if (reg.orgnr !== "" && override?.orgnr !== undefined && override.orgnr !== reg.orgnr) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource?.lineOf(["orgs", code, "orgnr"]),
          org: code,
          field: `orgs.${code}.orgnr`,
          value: override.orgnr,
          message: `contradicts the registry, which says ${reg.orgnr}`,
          fix: `remove orgs.${code}.orgnr from ${FILES.settings}; the registry's number is used`,
        }),
      );
    }
    if (orgnr === undefined && sOk("orgs", code)) {
      // The org's names and settings are still checked; only its FinOps tags lack the number.
      problems.push(
        problem({
          file: FILES.orgs,
          line: orgLine,
          org: code,
          field: `orgs.${code}.orgnr`,
          value: reg.orgnr,
          message: "the org has no organisation number; FinOps tags need one",
          fix: `add orgs.${code}.orgnr (9 digits) to ${FILES.settings}`,
        }),
      );
    }

    const names = orgNames(code);
    pushNameProblems(problems, checkedOrgNames(names), FILES.orgs, orgLine, code, undefined);
    const org: FleetOrg = {
      code,
      displayName: reg.name.en,
      orgnr: orgnr ?? "",
      names,
      environments: orgEnvs,
    };
    orgs.push(org);

    for (const env of orgEnvs) {
      const a = appsOf(org, env, FILES.orgs, orgLine);
      if (a) apps.push(a);
    }
  }

  /** The org's Apps environment with its layered settings and names (undefined: settings unusable). */
  function appsOf(
    org: FleetOrg,
    env: FleetEnvironment,
    file: string,
    line: number | undefined,
  ): AppsEnvironment | undefined {
    const code = org.code;
    const override = sOk("orgs", code) ? settings.orgs?.[code] : undefined;
    const layers: Layer[] = [
      { path: ["environmentClasses", env.type], value: settings.environmentClasses?.[env.type] },
      { path: ["environments", env.name], value: settings.environments?.[env.name] },
      { path: ["orgs", code, "all"], value: override?.all },
      { path: ["orgs", code, "environments", env.name], value: override?.environments?.[env.name] },
    ];
    if (!layers.every((l) => sOk(...l.path)) || !sOk("location")) {
      complete = false;
      return undefined;
    }
    const resolved = mergeLayers(layers) as ClusterSettings;
    pushSettingsIssues(problems, layers, resolved, settingsSource!, code, env.name);
    const appsNamesFor = appsNames(code, env.token, env.hostname, settings.location);
    pushNameProblems(problems, checkedAppsNames(appsNamesFor), file, line, code, env.name);
    return {
      org,
      environment: env,
      settings: resolved,
      names: appsNamesFor,
      clusterKey: stackIds.apps(code, env.token),
      addressSpace: "",
      subnets: [],
      clusterAdminGroupObjectIds: settings.clusterAdminGroupObjectIds?.[env.type] ?? [],
    };
  }

  // Orgs (or org environments) that left the registry and are destroyed deliberately.
  const decommissioned =
    settingsSource && registryOrgs && retired && sOk(DECOMMISSION_FIELD)
      ? resolveDecommission({
          settings,
          settingsSource,
          files: FILES,
          registryOrgs,
          environments: envByName,
          retired,
          orgs,
          allocations: loadAddressPlan(join(dir, FILES.addressPlan)).allocations,
          appsOf: (org, env) =>
            appsOf(org, env, FILES.settings, settingsSource.lineOf([DECOMMISSION_FIELD, org.code])),
        })
      : undefined;
  if (decommissioned) problems.push(...decommissioned.problems);

  const platforms =
    sOk("platform") && sOk("location")
      ? resolvePlatforms(environments, settings, settingsSource!, problems, sOk)
      : undefined;
  const studios =
    sOk("studio") && sOk("location") && sOk("environmentClasses")
      ? resolveStudios(settings, settingsSource!, problems)
      : undefined;
  if (!platforms || !studios || platforms.length < environments.length) complete = false;

  checkGlobalNameClashes(apps, orgs, platforms ?? [], studios ?? [], problems);

  // The state scopes follow from the environments' names and tokens, and the Studio environments.
  const studioNamesListed = arrayAt(settings.studio, "environments")
    ?.map((e) => (e as { name?: unknown }).name)
    .filter((n): n is string => typeof n === "string");
  const stateScopes =
    definedEnvs && sOk("nameTokens") && studioNamesListed
      ? [
          ...new Set([
            STATE_SCOPE,
            ...[...definedEnvs].map((name) => settings.nameTokens?.[name] ?? name),
            ...studioNamesListed,
            SHARED_SCOPE,
          ]),
        ]
      : undefined;
  if (stateScopes) {
    if (sOk("state")) checkStatePrincipals(settings, stateScopes, settingsSource!, problems);
    if (sOk("state") && sOk("pipelineRoles"))
      checkPipelineRoles(settings, stateScopes, settingsSource!, problems);
    if (sOk("subscriptions")) checkSubscriptions(settings, stateScopes, settingsSource!, problems);
  }
  if (sOk("state")) checkStateNetwork(settings, settingsSource!, problems);

  // The address plan: every cluster needs its block.
  const clusterKeys = [
    ...apps.map((a) => a.clusterKey),
    // A decommissioned cluster keeps its block until its entry is removed (then --prune releases it).
    ...(decommissioned?.decommission.apps ?? []).map((d) => d.apps.clusterKey),
    ...(platforms ?? []).map((p) => p.clusterKey),
    ...(studios ?? []).map((s) => s.clusterKey),
  ];
  const plan = sOk("addressPlan")
    ? checkAddressPlan(join(dir, FILES.addressPlan), settings.addressPlan, clusterKeys, FILES.addressPlan, {
        settingsFile: FILES.settings,
        settingsField: "addressPlan",
        settingsLines: addressSettingsLines(settings, settingsSource!),
      })
    : undefined;
  if (plan) {
    // Blocks no cluster uses are only known when every cluster could be resolved.
    problems.push(
      ...plan.problems.filter(
        (p) => complete || !(p.severity === "notice" && p.field.startsWith("allocations.")),
      ),
    );
  }

  if (complete && sOk("services") && isObject(settings.services))
    checkServiceTargets(settings, clusterKeys, settingsSource!, problems);
  // Which zones need delegating is only known when every cluster could be resolved.
  if (complete) reportExternalDelegations(apps, platforms ?? [], studios ?? [], problems);

  const deduped = dedupe(problems);
  const addressing = plan && complete ? { clusterKeys, settings: settings.addressPlan } : undefined;
  if (deduped.some((p) => p.severity === "error") || !plan || !platforms || !studios || !stateScopes) {
    return { problems: sortProblems(deduped), addressing };
  }

  const placeApps = (a: AppsEnvironment): AppsEnvironment => {
    const block = plan.allocations.get(a.clusterKey)!;
    return {
      ...a,
      addressSpace: block,
      subnets: subnetLayout(block, APPS_SUBNETS),
    };
  };
  const placed = apps.map(placeApps);
  const services = settings.services?.clusters ?? {};
  const withServices = <T extends { clusterKey: string }>(e: T): T =>
    services[e.clusterKey] ? { ...e, services: services[e.clusterKey] } : e;
  const place = <T extends { clusterKey: string }>(e: T): T => {
    const block = plan.allocations.get(e.clusterKey)!;
    return withServices({ ...e, addressSpace: block, subnets: subnetLayout(block, SERVICE_SUBNETS) });
  };
  const fleet: Fleet = {
    dir,
    settings,
    environments,
    orgs,
    apps: placed.map(withServices),
    platforms: platforms.map(place),
    studios: studios.map(place),
    externalClusters: settings.services?.external ?? [],
    stateScopes,
    clusterKeys,
    addressPlan: settings.addressPlan,
    allocations: plan.allocations,
    ...(decommissioned
      ? {
          decommission: {
            ...decommissioned.decommission,
            apps: decommissioned.decommission.apps.map((d) => ({
              ...d,
              apps: withServices(placeApps(d.apps)),
            })),
          },
        }
      : {}),
  };
  return { fleet, problems: sortProblems(deduped), addressing };
}

/** The state scope of stacks that serve every environment (org registries). */
export const SHARED_SCOPE = "shared";

/**
 * The state scope of the `state-scopes` stack: the other scopes' state containers and their
 * access, applied by the pipeline before every other scope (README "Who applies what, when").
 */
export const STATE_SCOPE = "state";

/** The `subscriptions` key of the subscription that holds the state account. */
export const BOOTSTRAP_SUBSCRIPTION = "bootstrap";

/**
 * The subscription a state scope's stacks deploy into. The `state` scope manages the state
 * account, so it uses the state account's subscription (`subscriptions.bootstrap`).
 */
export function subscriptionOf(settings: Pick<FleetSettings, "subscriptions">, scope: string): string {
  const key = scope === STATE_SCOPE ? BOOTSTRAP_SUBSCRIPTION : scope;
  const id = settings.subscriptions[key];
  if (id === undefined) throw new Error(`no subscription for state scope ${scope} (subscriptions.${key})`);
  return id;
}

function resolvePlatforms(
  environments: readonly FleetEnvironment[],
  settings: FleetSettings,
  settingsSource: SourceFile,
  problems: FleetProblem[],
  sOk: (...path: (string | number)[]) => boolean,
): PlatformEnvironment[] {
  checkPlatformPrerequisites(environments, settings, settingsSource, problems);
  const imported = new Set(settings.platform.gatewayCertificate.imported);
  const out: PlatformEnvironment[] = [];
  for (const environment of environments) {
    const layers: Layer[] = [
      {
        path: ["environmentClasses", environment.type],
        value: settings.environmentClasses?.[environment.type],
      },
      { path: ["environments", environment.name], value: settings.environments?.[environment.name] },
      { path: ["platform", "cluster"], value: settings.platform.cluster },
    ];
    if (!layers.every((l) => sOk(...l.path))) continue;
    const resolved = mergeLayers(layers) as ClusterSettings;
    pushSettingsIssues(problems, layers, resolved, settingsSource, undefined, environment.name);
    const names = platformNames(environment.token, environment.hostname, settings.location);
    pushNameProblems(
      problems,
      checkedSharedNames(names),
      FILES.settings,
      settingsSource.lineOf(["platform"]),
      undefined,
      environment.name,
    );
    out.push({
      environment,
      settings: resolved,
      names,
      platform: settings.platform.classes[environment.type],
      gatewayCertificateImported: imported.has(environment.name),
      clusterKey: stackIds.platform(environment.token),
      addressSpace: "",
      subnets: [],
      clusterAdminGroupObjectIds: settings.clusterAdminGroupObjectIds?.[environment.type] ?? [],
    });
  }
  return out;
}

/**
 * Zones whose parent domain no stack owns resolve only after the parent's owner adds NS records
 * with the zone's name servers (each stack's `dns_name_servers` output): said on every run.
 */
function reportExternalDelegations(
  apps: readonly AppsEnvironment[],
  platforms: readonly PlatformEnvironment[],
  studios: readonly StudioEnvironment[],
  problems: FleetProblem[],
): void {
  const { external } = zoneDelegations(fleetZones({ apps, platforms, studios }));
  if (external.size === 0) return;
  const parents = [...external.entries()].map(([domain, zones]) =>
    zones.length === 1 ? `${domain} (${zones[0]!.name})` : `${domain} (${zones.length} zones)`,
  );
  problems.push(
    notice({
      file: FILES.environments,
      field: "hostname",
      message:
        `${[...external.values()].flat().length} zones the fleet creates sit under domains no stack owns, so they ` +
        `resolve only once those domains delegate them: ${parents.join(", ")}`,
      fix:
        "the owner of each domain adds an NS record per zone with the zone's name servers (output " +
        '`dns_name_servers` of the zone\'s stack) after its first apply; README "DNS: who answers which name"',
    }),
  );
}

/**
 * What the Platform needs from outside the fleet before an apply can succeed, reported on every
 * run: the gateway certificate of each environment (a second phase, README "Platform gateway
 * certificate") and access to an access-restricted Cosmos DB failover region.
 */
function checkPlatformPrerequisites(
  environments: readonly FleetEnvironment[],
  settings: FleetSettings,
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
  const certificate = settings.platform.gatewayCertificate;
  const names = new Set(environments.map((e) => e.name));
  certificate.imported.forEach((name, i) => {
    if (names.has(name)) return;
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "gatewayCertificate", "imported", i]),
        environment: name,
        field: `platform.gatewayCertificate.imported[${i}]`,
        value: name,
        message: "names an environment the fleet does not define",
        fix: `use an environment name from ${FILES.environments}: ${[...names].join(", ")}`,
      }),
    );
  });
  const waiting = environments.filter((e) => !certificate.imported.includes(e.name));
  if (waiting.length > 0) {
    problems.push(
      notice({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "gatewayCertificate", "imported"]),
        field: "platform.gatewayCertificate.imported",
        value: certificate.imported,
        message:
          `API Management of ${waiting.map((e) => e.name).join(", ")} gets no custom domain yet: ` +
          `platform.{hostname} resolves to its gateway, which answers only on <name>.azure-api.net until ` +
          `the certificate "${GATEWAY_CERTIFICATE_NAME}" is imported into the Platform Key Vault`,
        fix: 'import it (README "Platform gateway certificate"), then add the environment to the list',
      }),
    );
  }
  const failover = settings.platform.cosmosFailoverLocation;
  if (isAccessRestrictedRegion(failover)) {
    problems.push(
      notice({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "cosmosFailoverLocation"]),
        field: "platform.cosmosFailoverLocation",
        value: failover,
        message:
          "is an access-restricted Azure region: Cosmos DB accounts fail to create there until Microsoft " +
          "grants the Platform subscriptions access",
        fix: `request access for every Platform subscription before the first apply (${REGION_ACCESS_REQUEST_URL}), or choose a region without restrictions`,
      }),
    );
  }
}

function resolveStudios(
  settings: FleetSettings,
  settingsSource: SourceFile,
  problems: FleetProblem[],
): StudioEnvironment[] {
  const seen = new Set<string>();
  const out: StudioEnvironment[] = [];
  settings.studio.environments.forEach((e, i) => {
    const line = settingsSource.lineOf(["studio", "environments", i]);
    if (seen.has(e.name)) {
      problems.push(
        problem({
          file: FILES.settings,
          line,
          environment: e.name,
          field: `studio.environments[${i}].name`,
          value: e.name,
          message: "the Studio environment is defined twice",
          fix: "remove one of the two entries",
        }),
      );
      return;
    }
    seen.add(e.name);
    const hostnameProblem = checkName(NAMING_RULES.dnsZone, e.hostname);
    if (hostnameProblem) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["studio", "environments", i, "hostname"]),
          environment: e.name,
          field: `studio.environments[${i}].hostname`,
          value: e.hostname,
          message: `not a valid DNS name: ${hostnameProblem}`,
          fix: "use a lowercase DNS name such as dev.altinn.studio",
        }),
      );
    }
    const environment: FleetEnvironment = {
      name: e.name,
      token: e.name,
      type: e.type,
      hostname: e.hostname,
      appPrefix: "",
      platformPrefix: "",
    };
    const layers: Layer[] = [
      { path: ["environmentClasses", e.type], value: settings.environmentClasses?.[e.type] },
      { path: ["studio", "cluster"], value: settings.studio.cluster },
    ];
    const resolved = mergeLayers(layers) as ClusterSettings;
    pushSettingsIssues(problems, layers, resolved, settingsSource, undefined, e.name);
    const names = studioNames(e.name, e.hostname, settings.location);
    pushNameProblems(problems, checkedSharedNames(names), FILES.settings, line, undefined, e.name);
    out.push({
      environment,
      settings: resolved,
      names,
      studio: settings.studio.classes[e.type],
      clusterKey: stackIds.studio(e.name),
      addressSpace: "",
      subnets: [],
      clusterAdminGroupObjectIds: settings.clusterAdminGroupObjectIds?.[e.type] ?? [],
    });
  });
  return out;
}

/** Every state scope needs its plan and apply identities; unknown scopes are mistakes. */
function checkStatePrincipals(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
  for (const scope of scopes) {
    if (settings.state.principals[scope] === undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["state", "principals"]),
          environment: scope,
          field: `state.principals.${scope}`,
          message: "no pipeline identities for this state scope, so nobody could plan or apply its stacks",
          fix: `add state.principals.${scope}: { plan: <object id>, apply: <object id>, roles: <set in pipelineRoles.sets> }`,
        }),
      );
    }
  }
  for (const scope of Object.keys(settings.state.principals)) {
    if (!scopes.includes(scope)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["state", "principals", scope]),
          environment: scope,
          field: `state.principals.${scope}`,
          value: scope,
          message: "identities for a state scope no stack uses",
          fix: `use one of ${scopes.join(", ")}, or remove the entry`,
        }),
      );
    }
  }
}

/**
 * Every state scope, and `bootstrap`, needs its subscription (`state` uses bootstrap's: it
 * manages the state account); unknown keys are mistakes.
 */
function checkSubscriptions(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
  const expected = [BOOTSTRAP_SUBSCRIPTION, ...scopes.filter((s) => s !== STATE_SCOPE)];
  for (const key of expected) {
    if (settings.subscriptions[key] === undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["subscriptions"]),
          environment: key,
          field: `subscriptions.${key}`,
          message:
            key === BOOTSTRAP_SUBSCRIPTION
              ? "no subscription for the state account (bootstrap-state and state-scopes deploy into it)"
              : "no subscription for this state scope, so its stacks would not know where to deploy",
          fix: `add subscriptions.${key}: <subscription id (GUID)>`,
        }),
      );
    }
  }
  for (const key of Object.keys(settings.subscriptions)) {
    if (!expected.includes(key)) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource.lineOf(["subscriptions", key]),
          environment: key,
          field: `subscriptions.${key}`,
          value: key,
          message:
            key === STATE_SCOPE
              ? "the state scope manages the state account, so it always uses subscriptions.bootstrap"
              : "a subscription for a state scope no stack uses",
          fix: `use one of ${expected.join(", ")}, or remove the entry`,
        }),
      );
    }
  }
}

/**
 * The state account's firewall must admit the pipeline agents. Storage IP rules never match
 * requests from the account's own region, so agents there need a subnet rule.
 */
function checkStateNetwork(
  settings: FleetSettings,
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
  const { allowedIpRanges, allowedSubnetIds = [] } = settings.state;
  if (allowedIpRanges.length === 0 && allowedSubnetIds.length === 0) {
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(["state"]),
        field: "state.allowedSubnetIds",
        message:
          "neither state.allowedSubnetIds nor state.allowedIpRanges is set: no pipeline agent could reach the state",
        fix:
          "list the agents' subnet resource ids in state.allowedSubnetIds (agents in the account's region; the subnet needs the " +
          "Microsoft.Storage service endpoint) or their public egress ranges in state.allowedIpRanges (agents in other regions)",
      }),
    );
  }
}

/**
 * The pipeline identities' role sets: every scope names a defined set, every role is a built-in
 * role the project knows (constructs/permissions) or a declared custom role, and a `scope` is a
 * state scope.
 */
function checkPipelineRoles(
  settings: FleetSettings,
  scopes: readonly string[],
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
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
}

/** Services must name clusters the fleet has; external clusters need distinct names. */
function checkServiceTargets(
  settings: FleetSettings,
  clusterKeys: readonly string[],
  settingsSource: SourceFile,
  problems: FleetProblem[],
): void {
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
}

function pushSettingsIssues(
  problems: FleetProblem[],
  layers: readonly Layer[],
  resolved: ClusterSettings,
  settingsSource: SourceFile,
  org: string | undefined,
  environment: string,
): void {
  for (const issue of checkClusterSettings(resolved)) {
    const origin = issue.related
      ? originOfAny(layers, [issue.field, ...issue.related])
      : originOf(layers, issue.field);
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(origin),
        org: origin[0] === "orgs" ? org : undefined,
        environment: origin[0] === "environmentClasses" ? undefined : environment,
        field: origin.join("."),
        value: issue.value,
        message: issue.message,
        fix: issue.fix,
      }),
    );
  }
}

/** How a path into environments.json is named for the user: by the entry's environment. */
function environmentEntryName(
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

/**
 * The environments of environments.json. `names` holds every entry's name (an org listing a
 * malformed environment is not wrong too); `environments` only the entries that are usable;
 * `complete` says whether every entry was.
 */
function resolveEnvironments(
  registryEnvs: readonly unknown[],
  envCheck: SchemaCheck,
  settings: FleetSettings,
  sOk: (...path: (string | number)[]) => boolean,
  envSource: SourceFile,
  settingsSource: SourceFile | undefined,
  problems: FleetProblem[],
): { environments: FleetEnvironment[]; names: Set<string> | undefined; complete: boolean } {
  const out: FleetEnvironment[] = [];
  const seen = new Set<string>();
  const tokens = new Map<string, string>();
  const tokensKnown = sOk("nameTokens");
  const retired = sOk("retiredEnvironments") ? settings.retiredEnvironments : undefined;
  let complete = tokensKnown;
  let allNamed = true;
  registryEnvs.forEach((entry, i) => {
    const e = (isObject(entry) ? entry : {}) as Partial<RegistryEnvironment>;
    if (typeof e.name !== "string" || e.name === "") {
      complete = false;
      allNamed = false;
      return;
    }
    const line = envSource.lineOf(["environments", i, "name"]);
    if (seen.has(e.name)) {
      problems.push(
        problem({
          file: FILES.environments,
          line,
          environment: e.name,
          field: "name",
          value: e.name,
          message: "the environment is defined twice",
          fix: "remove one of the two entries",
        }),
      );
      return;
    }
    seen.add(e.name);
    if (retired?.[e.name] !== undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource?.lineOf(["retiredEnvironments", e.name]),
          environment: e.name,
          field: `retiredEnvironments.${e.name}`,
          value: e.name,
          message: `the environment is both defined in ${FILES.environments} and declared retired`,
          fix: "remove it from one of the two",
        }),
      );
    }
    let usable = isClean(envCheck, ["environments", i]);
    if (isClean(envCheck, ["environments", i, "hostname"])) {
      const hostname = e.hostname as string;
      const hostnameProblem = checkName(NAMING_RULES.dnsZone, hostname);
      if (hostnameProblem) {
        usable = false;
        const trailingDot = hostname.endsWith(".");
        problems.push(
          problem({
            file: FILES.environments,
            line: envSource.lineOf(["environments", i, "hostname"]),
            environment: e.name,
            field: "hostname",
            value: hostname,
            message: trailingDot
              ? "a hostname here is written without the trailing dot of a fully qualified name"
              : `not a valid DNS name: ${hostnameProblem}`,
            fix: trailingDot
              ? `write ${JSON.stringify(hostname.replace(/\.+$/, ""))}`
              : `use a lowercase DNS name such as ${e.name}.altinn.cloud`,
          }),
        );
      }
    }
    if (!tokensKnown) return;
    const token = settings.nameTokens[e.name] ?? e.name;
    const tokenClash = tokens.get(token);
    if (tokenClash !== undefined) {
      problems.push(
        problem({
          file: FILES.settings,
          line: settingsSource?.lineOf(["nameTokens", e.name]),
          environment: e.name,
          field: `nameTokens.${e.name}`,
          value: token,
          message: `environments ${tokenClash} and ${e.name} would share the name token "${token}" and so the same resources`,
          fix: "give each environment its own token",
        }),
      );
    }
    tokens.set(token, e.name);
    if (!usable) {
      complete = false;
      return;
    }
    out.push({
      name: e.name,
      token,
      type: e.type as EnvironmentClassName,
      hostname: e.hostname as string,
      appPrefix: e.appPrefix as string,
      platformPrefix: e.platformPrefix as string,
    });
  });
  // An entry without a readable name leaves unknown which environments exist.
  return { environments: out, names: allNamed ? seen : undefined, complete };
}

function checkOverrideTargets(
  settings: FleetSettings,
  registryOrgs: Record<string, RegistryOrg> | undefined,
  definedEnvs: ReadonlySet<string> | undefined,
  settingsSource: SourceFile | undefined,
  problems: FleetProblem[],
): void {
  if (settingsSource === undefined) return;
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
  if (!registryOrgs || Object.keys(registryOrgs).length === 0 || !isObject(settings.orgs)) return;
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
}

function pushNameProblems(
  problems: FleetProblem[],
  names: readonly CheckedName[],
  file: string,
  line: number | undefined,
  org: string | undefined,
  environment: string | undefined,
): void {
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
}

/** Globally unique Azure names must not collide inside the fleet either. */
function checkGlobalNameClashes(
  apps: readonly AppsEnvironment[],
  orgs: readonly FleetOrg[],
  platforms: readonly PlatformEnvironment[],
  studios: readonly StudioEnvironment[],
  problems: FleetProblem[],
) {
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
}

function addressSettingsLines(settings: FleetSettings, source: SourceFile): Map<string, number> {
  const lines = new Map<string, number>();
  const put = (field: string, path: (string | number)[]) => {
    const line = source.lineOf(["addressPlan", ...path]);
    if (line !== undefined) lines.set(field, line);
  };
  for (const field of ["pool", "blockPrefixLength", "podCidr", "serviceCidr", "dnsServiceIp"])
    put(field, [field]);
  for (let i = 0; i < settings.addressPlan.reserved.length; i++)
    put(`reserved[${i}].cidr`, ["reserved", i, "cidr"]);
  return lines;
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
  const order = [FILES.orgs, FILES.environments, FILES.settings, FILES.addressPlan];
  return [...problems].sort(
    (a, b) =>
      order.indexOf(a.file as (typeof order)[number]) - order.indexOf(b.file as (typeof order)[number]) ||
      (a.line ?? 0) - (b.line ?? 0),
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function objectAt(v: unknown, key: string): Record<string, unknown> | undefined {
  const inner = isObject(v) ? v[key] : undefined;
  return isObject(inner) ? inner : undefined;
}

function arrayAt(v: unknown, key: string): unknown[] | undefined {
  const inner = isObject(v) ? v[key] : undefined;
  return Array.isArray(inner) ? inner : undefined;
}

/** The characters of an org code that are not letters or digits, named for the message. */
function describeBadChars(code: string): string {
  const bad = [...new Set(code.replace(/[a-zA-Z0-9]/g, ""))];
  const name = (c: string) =>
    c === "_"
      ? "an underscore"
      : c === "."
        ? "a dot"
        : c === "-"
          ? "a hyphen"
          : c === " "
            ? "a space"
            : `"${c}"`;
  return bad.map(name).join(" and ");
}
