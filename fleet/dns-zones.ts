/**
 * Every public DNS zone the fleet creates, and who delegates each one. A zone resolves only when
 * its parent zone holds NS records with the zone's name servers. When the parent is another
 * fleet zone, the stack that owns the parent creates those records in its own zone (reading the
 * child zone's name servers), so no stack writes into a zone it does not own; otherwise the
 * parent is managed outside the fleet, and synth says which NS records its owner must add.
 */
import { stackIds } from "../constructs/naming";
import type { AppsEnvironment, PlatformEnvironment, StudioEnvironment } from "./model";

export interface FleetZone {
  /** Zone name, e.g. `ttd.apps.at22.altinn.cloud`. */
  readonly name: string;
  readonly resourceGroupName: string;
  /** The stack that owns the zone. */
  readonly stackId: string;
}

export interface ZoneDelegation {
  readonly child: FleetZone;
  readonly parent: FleetZone;
  /** The NS record's name in the parent zone, e.g. `dev` for `dev.altinn.studio`. */
  readonly recordName: string;
}

export interface ZoneDelegations {
  /** Children whose parent is a fleet zone: the parent's stack creates the NS record. */
  readonly inFleet: readonly ZoneDelegation[];
  /** Parent domains outside the fleet, each with the fleet zones directly below them. */
  readonly external: ReadonlyMap<string, readonly FleetZone[]>;
}

/** The zones of every Apps, Platform and Studio environment. */
export function fleetZones(envs: {
  readonly apps: readonly AppsEnvironment[];
  readonly platforms: readonly PlatformEnvironment[];
  readonly studios: readonly StudioEnvironment[];
}): FleetZone[] {
  return [
    ...envs.apps.map((a) => ({
      name: a.names.dnsZone,
      resourceGroupName: a.names.resourceGroup,
      stackId: stackIds.apps(a.org.code, a.environment.token),
    })),
    ...envs.platforms.map((p) => ({
      name: p.names.dnsZone,
      resourceGroupName: p.names.resourceGroup,
      stackId: stackIds.platform(p.environment.token),
    })),
    ...envs.studios.map((s) => ({
      name: s.names.dnsZone,
      resourceGroupName: s.names.resourceGroup,
      stackId: stackIds.studio(s.environment.token),
    })),
  ];
}

const cache = new WeakMap<object, ReadonlyMap<string, readonly ZoneDelegation[]>>();

/**
 * The in-fleet delegations by the stack that owns the parent zone, computed once per fleet (a
 * stack looks up its own, and the stack plan its dependencies on the children's stacks).
 */
export function delegationsByParentStack(fleet: {
  readonly apps: readonly AppsEnvironment[];
  readonly platforms: readonly PlatformEnvironment[];
  readonly studios: readonly StudioEnvironment[];
}): ReadonlyMap<string, readonly ZoneDelegation[]> {
  let out = cache.get(fleet);
  if (!out) {
    const map = new Map<string, ZoneDelegation[]>();
    for (const d of zoneDelegations(fleetZones(fleet)).inFleet) {
      map.set(d.parent.stackId, [...(map.get(d.parent.stackId) ?? []), d]);
    }
    out = map;
    cache.set(fleet, out);
  }
  return out;
}

/** For each zone, its closest ancestor among the fleet's zones, or the parent domain outside. */
export function zoneDelegations(zones: readonly FleetZone[]): ZoneDelegations {
  const byName = new Map(zones.map((z) => [z.name.toLowerCase(), z]));
  const inFleet: ZoneDelegation[] = [];
  const external = new Map<string, FleetZone[]>();
  for (const child of zones) {
    const labels = child.name.toLowerCase().split(".");
    let parent: FleetZone | undefined;
    let depth = 1;
    for (; depth < labels.length; depth++) {
      parent = byName.get(labels.slice(depth).join("."));
      if (parent) break;
    }
    if (parent) {
      inFleet.push({ child, parent, recordName: labels.slice(0, depth).join(".") });
    } else {
      const domain = labels.slice(1).join(".");
      external.set(domain, [...(external.get(domain) ?? []), child]);
    }
  }
  return { inFleet, external };
}
