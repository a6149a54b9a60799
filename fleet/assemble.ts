/**
 * Assembly: builds the fleet model (fleet/model.ts) from files whose shape the schemas have
 * checked. Values a schema error concerns are left out (`SettingsView.ok`); every part is built
 * as far as it can be, and the rules of fleet/rules/ run on each part as it is built, so every
 * problem is found in one pass. `complete` says whether every part could be built: checks that
 * need the whole fleet (unused address blocks, DNS delegations, service targets) wait for it.
 */
import {
  appsNames,
  checkedAppsNames,
  checkedOrgNames,
  checkedSharedNames,
  orgNames,
  platformNames,
  stackIds,
  studioNames,
} from "../constructs/naming";
import { APPS_SUBNETS, SERVICE_SUBNETS, type SubnetSpec, subnetLayout } from "./address-plan";
import { FILES } from "./files";
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
import type { FleetProblem } from "./problems";
import { type Layer, mergeLayers } from "./resolve";
import { clusterSettingsProblems } from "./rules/cluster-settings";
import {
  duplicateEnvironmentProblem,
  hostnameProblem,
  retiredAndDefinedProblem,
  tokenClashProblem,
} from "./rules/environments";
import { derivedNameProblems } from "./rules/names";
import { checkPlatformPrerequisites } from "./rules/platform";
import { orgCodeProblem, orgEnvironmentProblems, orgnrProblems } from "./rules/registry";
import { studioEnvironmentProblems } from "./rules/studio";
import { isClean, type SchemaCheck } from "./schema-check";
import type { PathSegment, SourceFile } from "./source";
import { isObject } from "./values";

/** fleet.yaml as parsed, and which of its values the schema found sound. */
export interface SettingsView {
  /** The parsed file (`{}` when it could not be read); only values `ok` vouches for are typed right. */
  readonly settings: FleetSettings;
  readonly source: SourceFile | undefined;
  /** True when no schema error concerns `path`, anything under it or above it. */
  readonly ok: (...path: PathSegment[]) => boolean;
}

/** A part of the fleet, the problems found while building it, and whether all of it could be built. */
export interface Assembled<T> {
  readonly value: T;
  readonly problems: FleetProblem[];
  readonly complete: boolean;
}

/**
 * The environments of environments.json. `names` holds every entry's name (an org listing a
 * malformed environment is not wrong too), or undefined when an entry has no readable name;
 * `value` only the entries that are usable.
 */
export function assembleEnvironments(
  entries: readonly unknown[],
  envCheck: SchemaCheck,
  envSource: SourceFile,
  view: SettingsView,
): Assembled<FleetEnvironment[]> & { names: Set<string> | undefined } {
  const { settings } = view;
  const problems: FleetProblem[] = [];
  const out: FleetEnvironment[] = [];
  const seen = new Set<string>();
  const tokens = new Map<string, string>();
  const tokensKnown = view.ok("nameTokens");
  const retired = view.ok("retiredEnvironments") ? settings.retiredEnvironments : undefined;
  let complete = tokensKnown;
  let allNamed = true;
  entries.forEach((entry, i) => {
    const e = (isObject(entry) ? entry : {}) as Partial<RegistryEnvironment>;
    if (typeof e.name !== "string" || e.name === "") {
      complete = false;
      allNamed = false;
      return;
    }
    if (seen.has(e.name)) {
      problems.push(duplicateEnvironmentProblem(e.name, envSource.lineOf(["environments", i, "name"])));
      return;
    }
    seen.add(e.name);
    if (retired?.[e.name] !== undefined) problems.push(retiredAndDefinedProblem(e.name, view.source));
    let usable = isClean(envCheck, ["environments", i]);
    if (isClean(envCheck, ["environments", i, "hostname"])) {
      const p = hostnameProblem(
        e.name,
        e.hostname as string,
        envSource.lineOf(["environments", i, "hostname"]),
      );
      if (p) {
        usable = false;
        problems.push(p);
      }
    }
    if (!tokensKnown) return;
    const token = settings.nameTokens[e.name] ?? e.name;
    const other = tokens.get(token);
    if (other !== undefined) problems.push(tokenClashProblem(e.name, token, other, view.source));
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
  return { value: out, names: allNamed ? seen : undefined, problems, complete };
}

/** What the orgs of the registry are assembled from. */
export interface OrgsInput {
  readonly registryOrgs: Readonly<Record<string, RegistryOrg>>;
  readonly orgsCheck: SchemaCheck | undefined;
  readonly orgsSource: SourceFile;
  readonly environments: readonly FleetEnvironment[];
  /** Every environment name environments.json defines; undefined when that file is unreadable. */
  readonly definedEnvs: ReadonlySet<string> | undefined;
  readonly view: SettingsView;
}

/** The orgs of the registry and their Apps environments (one per org and environment). */
export function assembleOrgs(input: OrgsInput): Assembled<{ orgs: FleetOrg[]; apps: AppsEnvironment[] }> {
  const { registryOrgs, orgsCheck, orgsSource, view } = input;
  const { settings } = view;
  const problems: FleetProblem[] = [];
  let complete = true;
  const envByName = new Map(input.environments.map((e) => [e.name, e]));
  const retired = view.ok("retiredEnvironments") ? (settings.retiredEnvironments ?? {}) : undefined;
  const orgs: FleetOrg[] = [];
  const apps: AppsEnvironment[] = [];
  const lowerCodes = new Map<string, string>();
  for (const [code, reg] of Object.entries(registryOrgs)) {
    const orgLine = orgsSource.lineOf(["orgs", code]);
    const codeProblem = orgCodeProblem(code, lowerCodes.get(code.toLowerCase()), orgLine);
    if (codeProblem) {
      problems.push(codeProblem);
      // A code the pattern refuses leaves its names unknown; a case clash only repeats an org.
      if (!lowerCodes.has(code.toLowerCase())) complete = false;
      continue;
    }
    lowerCodes.set(code.toLowerCase(), code);

    const listed = isClean(orgsCheck, ["orgs", code, "environments"]) ? reg.environments : undefined;
    if (listed === undefined) complete = false;
    problems.push(
      ...orgEnvironmentProblems(code, listed ?? [], envByName, input.definedEnvs, retired, orgsSource),
    );
    const orgEnvs = (listed ?? []).flatMap((name) => envByName.get(name) ?? []);
    if (!isClean(orgsCheck, ["orgs", code])) {
      // The schema error is reported; names and settings of a malformed entry would only repeat it.
      complete = false;
      continue;
    }
    if (orgEnvs.length === 0) continue;

    const override = view.ok("orgs", code) ? settings.orgs?.[code] : undefined;
    if (view.ok("orgs", code)) {
      // The org's names and settings are still checked; only its FinOps tags lack the number.
      problems.push(...orgnrProblems(code, reg.orgnr, override?.orgnr, orgLine, view.source));
    }
    const names = orgNames(code);
    problems.push(...derivedNameProblems(checkedOrgNames(names), FILES.orgs, orgLine, code, undefined));
    const org: FleetOrg = {
      code,
      displayName: reg.name.en,
      orgnr: (reg.orgnr !== "" ? reg.orgnr : override?.orgnr) ?? "",
      names,
      environments: orgEnvs,
    };
    orgs.push(org);

    for (const env of orgEnvs) {
      const a = appsEnvironmentOf(org, env, view, FILES.orgs, orgLine);
      problems.push(...a.problems);
      if (a.value) apps.push(a.value);
      else complete = false;
    }
  }
  return { value: { orgs, apps }, problems, complete };
}

/**
 * An org's Apps environment: its layered settings (class, environment, org, org in environment),
 * their rules and its derived names. Undefined when a layer's schema error leaves the settings
 * unknown. `file` and `line` locate the org for name problems (the registry entry, or its
 * `decommission` entry in fleet.yaml once it left the registry).
 */
export function appsEnvironmentOf(
  org: FleetOrg,
  env: FleetEnvironment,
  view: SettingsView,
  file: string,
  line: number | undefined,
): Assembled<AppsEnvironment | undefined> {
  const { settings } = view;
  const code = org.code;
  const override = view.ok("orgs", code) ? settings.orgs?.[code] : undefined;
  const layers: Layer[] = [
    { path: ["environmentClasses", env.type], value: settings.environmentClasses?.[env.type] },
    { path: ["environments", env.name], value: settings.environments?.[env.name] },
    { path: ["orgs", code, "all"], value: override?.all },
    { path: ["orgs", code, "environments", env.name], value: override?.environments?.[env.name] },
  ];
  if (!layers.every((l) => view.ok(...l.path)) || !view.ok("location")) {
    return { value: undefined, problems: [], complete: false };
  }
  const resolved = mergeLayers(layers) as ClusterSettings;
  const problems = [...clusterSettingsProblems(layers, resolved, view.source!, code, env.name)];
  const appsNamesFor = appsNames(code, env.token, env.hostname, settings.location);
  problems.push(...derivedNameProblems(checkedAppsNames(appsNamesFor), file, line, code, env.name));
  return {
    value: {
      org,
      environment: env,
      settings: resolved,
      names: appsNamesFor,
      clusterKey: stackIds.apps(code, env.token),
      addressSpace: "",
      subnets: [],
      clusterAdminGroupObjectIds: settings.clusterAdminGroupObjectIds?.[env.type] ?? [],
    },
    problems,
    complete: true,
  };
}

/** One Platform environment per environment of environments.json. */
export function assemblePlatforms(
  environments: readonly FleetEnvironment[],
  view: SettingsView,
): Assembled<PlatformEnvironment[]> {
  const { settings } = view;
  const source = view.source!;
  const problems = checkPlatformPrerequisites(environments, settings, source);
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
    if (!layers.every((l) => view.ok(...l.path))) continue;
    const resolved = mergeLayers(layers) as ClusterSettings;
    problems.push(...clusterSettingsProblems(layers, resolved, source, undefined, environment.name));
    const names = platformNames(environment.token, environment.hostname, settings.location);
    problems.push(
      ...derivedNameProblems(
        checkedSharedNames(names),
        FILES.settings,
        source.lineOf(["platform"]),
        undefined,
        environment.name,
      ),
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
  return { value: out, problems, complete: out.length === environments.length };
}

/** The Studio environments of fleet.yaml. */
export function assembleStudios(view: SettingsView): Assembled<StudioEnvironment[]> {
  const { settings } = view;
  const source = view.source!;
  const problems: FleetProblem[] = [];
  const seen = new Set<string>();
  const out: StudioEnvironment[] = [];
  settings.studio.environments.forEach((e, i) => {
    const entryProblems = studioEnvironmentProblems(e, i, seen, source);
    problems.push(...entryProblems);
    if (seen.has(e.name)) return;
    seen.add(e.name);
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
    problems.push(...clusterSettingsProblems(layers, resolved, source, undefined, e.name));
    const names = studioNames(e.name, e.hostname, settings.location);
    problems.push(
      ...derivedNameProblems(
        checkedSharedNames(names),
        FILES.settings,
        source.lineOf(["studio", "environments", i]),
        undefined,
        e.name,
      ),
    );
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
  return { value: out, problems, complete: true };
}

/** The fleet, once every part is built and every cluster has its address block. */
export function placeFleet(parts: Omit<Fleet, "externalClusters" | "addressPlan">): Fleet {
  const { settings, allocations } = parts;
  const services = settings.services?.clusters ?? {};
  const withServices = <T extends { clusterKey: string }>(e: T): T =>
    services[e.clusterKey] ? { ...e, services: services[e.clusterKey] } : e;
  const place = <T extends { clusterKey: string }>(e: T, layout: readonly SubnetSpec[]): T => {
    const block = allocations.get(e.clusterKey)!;
    return withServices({ ...e, addressSpace: block, subnets: subnetLayout(block, layout) });
  };
  return {
    dir: parts.dir,
    settings,
    environments: parts.environments,
    orgs: parts.orgs,
    apps: parts.apps.map((a) => place(a, APPS_SUBNETS)),
    platforms: parts.platforms.map((p) => place(p, SERVICE_SUBNETS)),
    studios: parts.studios.map((s) => place(s, SERVICE_SUBNETS)),
    externalClusters: settings.services?.external ?? [],
    stateScopes: parts.stateScopes,
    clusterKeys: parts.clusterKeys,
    addressPlan: settings.addressPlan,
    allocations,
    ...(parts.decommission
      ? {
          decommission: {
            ...parts.decommission,
            apps: parts.decommission.apps.map((d) => ({ ...d, apps: place(d.apps, APPS_SUBNETS) })),
          },
        }
      : {}),
  };
}

/** The lines of the address plan settings in fleet.yaml, for problems the address plan finds in them. */
export function addressSettingsLines(settings: FleetSettings, source: SourceFile): Map<string, number> {
  const lines = new Map<string, number>();
  const put = (field: string, path: PathSegment[]) => {
    const line = source.lineOf(["addressPlan", ...path]);
    if (line !== undefined) lines.set(field, line);
  };
  for (const field of ["pool", "blockPrefixLength", "podCidr", "serviceCidr", "dnsServiceIp"])
    put(field, [field]);
  for (let i = 0; i < settings.addressPlan.reserved.length; i++)
    put(`reserved[${i}].cidr`, ["reserved", i, "cidr"]);
  return lines;
}
