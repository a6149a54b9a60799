/**
 * What each stack is built from, and the hash of it (issue 15: incremental synthesis).
 *
 * A stack's output is a pure function of three things: the slice of the fleet definition it is
 * built from, its id and backend, and the code. This module makes the first one explicit: the
 * stack plan (`stacks/app.ts`) builds every stack from a *view* of the fleet that holds only
 * what that kind of stack reads, and nothing else reaches the stack's constructor. Because the
 * view is all the stack sees, equal views give equal output by construction; the hash of the
 * view is therefore an exact key for reusing earlier output, with no list of "fields a stack
 * reads" to keep in step with the constructs. What a view leaves out cannot influence the
 * stack: `__tests__/stacks/inputs.test.ts` proves that building every stack of the committed
 * fleet and of `examples/all-services` from its view gives the same JSON as building it from
 * the whole fleet, so no view lost anything a stack needed.
 *
 * Views keep what is shared by the whole fleet (location, state, subscriptions, the address
 * pool, Platform and Studio settings, the environments) and, of the per-org lists, only the
 * entries the stack is about: its org, its cluster, and the clusters whose DNS zones it
 * delegates (so the delegations the stack finds in its view are exactly those of the whole
 * fleet, fleet/dns-zones.ts). Per-org overrides and the per-class settings are already resolved
 * into each cluster's entry, so they are left out of the shared part: changing one org's
 * settings changes the views of that org's stacks only. `bootstrap-state` reads which
 * environments run clusters (which subscriptions need EncryptionAtHost), so it sees every
 * environment and one Apps cluster of each.
 */
import { createHash } from "node:crypto";
import type {
  AppsEnvironment,
  Fleet,
  FleetOrg,
  PlatformEnvironment,
  StudioEnvironment,
} from "../fleet/model";

/** Everything a stack is built from besides the code: `build` reads nothing else. */
export interface StackInput {
  /** The view of the fleet the stack is built from. */
  readonly fleet: Fleet;
  /** The entry the stack is about (its org, cluster or external cluster), as passed beside the fleet. */
  readonly subject?: unknown;
}

const memo = new WeakMap<object, string>();

/**
 * A content hash of plain data (objects, arrays, Maps, strings, numbers, booleans, null):
 * equal content gives equal hashes whatever the key order of objects. Sub-objects are hashed
 * once per object (the fleet's shared parts are shared by identity), so hashing every stack's
 * view costs little more than hashing the fleet once. The fleet model is immutable after
 * loading, which is what makes the memo sound.
 */
export function contentHash(value: unknown): string {
  return createHash("sha256").update(encode(value)).digest("hex");
}

function encode(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
    case "boolean":
      return String(value);
    case "undefined":
      return "undefined";
    case "object":
      return `#${objectHash(value as object)}`;
    default:
      throw new Error(`a stack input holds a ${typeof value}; stack inputs are data`);
  }
}

function objectHash(value: object): string {
  const known = memo.get(value);
  if (known !== undefined) return known;
  let text: string;
  if (Array.isArray(value)) {
    text = `[${value.map(encode).join(",")}]`;
  } else if (value instanceof Map) {
    const entries = [...value].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort();
    text = `Map{${entries.join(",")}}`;
  } else if (value instanceof Set) {
    text = `Set{${[...value].map(encode).sort().join(",")}}`;
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw new Error(
        `a stack input holds an instance of ${proto?.constructor?.name}; stack inputs are plain data`,
      );
    }
    const keys = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort();
    text = `{${keys.map((k) => `${JSON.stringify(k)}:${encode((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  const hash = createHash("sha256").update(text).digest("hex");
  memo.set(value, hash);
  return hash;
}

const shared = new WeakMap<Fleet, Fleet>();

/**
 * The part of the fleet every view holds: fleet-wide settings (without the per-org and per-class
 * settings, which are resolved into each cluster's entry, and without the per-cluster service
 * selections, likewise) and the environments. Lists of orgs and clusters are empty; each view
 * adds the entries its stack is about. Where the definition was read from is not part of it.
 */
export function sharedView(fleet: Fleet): Fleet {
  let view = shared.get(fleet);
  if (view === undefined) {
    const {
      orgs: _orgs,
      services: _services,
      environmentClasses: _classes,
      environments: _envs,
      ...settings
    } = fleet.settings;
    view = {
      dir: "",
      settings: { ...settings, orgs: {}, environmentClasses: EMPTY_CLASSES, environments: {} },
      environments: fleet.environments,
      orgs: [],
      apps: [],
      platforms: [],
      studios: [],
      externalClusters: [],
      stateScopes: [],
      clusterKeys: [],
      addressPlan: fleet.addressPlan,
      allocations: new Map(),
    };
    shared.set(fleet, view);
  }
  return view;
}

const EMPTY_CLASSES = {} as Fleet["settings"]["environmentClasses"];

/** The entries of the fleet a view adds to the shared part. */
export interface ViewEntries {
  readonly orgs?: readonly FleetOrg[];
  readonly apps?: readonly AppsEnvironment[];
  readonly platforms?: readonly PlatformEnvironment[];
  readonly studios?: readonly StudioEnvironment[];
  readonly externalClusters?: Fleet["externalClusters"];
  readonly stateScopes?: readonly string[];
}

export function fleetView(fleet: Fleet, entries: ViewEntries): Fleet {
  return { ...sharedView(fleet), ...entries };
}

/**
 * The view of `bootstrap-state`: which environments run clusters decides which subscriptions
 * get the EncryptionAtHost feature, so it holds every Platform and Studio environment, every
 * state scope and one Apps cluster per environment (the first), not every org's.
 */
export function bootstrapView(fleet: Fleet): Fleet {
  const firstPerEnvironment = new Map<string, AppsEnvironment>();
  for (const a of fleet.apps) {
    if (!firstPerEnvironment.has(a.environment.token)) firstPerEnvironment.set(a.environment.token, a);
  }
  return fleetView(fleet, {
    apps: [...firstPerEnvironment.values()],
    platforms: fleet.platforms,
    studios: fleet.studios,
    stateScopes: fleet.stateScopes,
  });
}
