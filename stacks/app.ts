/**
 * Composes the whole fleet into one cdktf App: which stacks exist, their ids, and how they
 * depend on each other. Stacks are planned first and built second, so a selection
 * (`--stacks 'apps-ttd-*'`) builds only the selected stacks and what they depend on.
 */
import { App } from "cdktf";
import picomatch from "picomatch";
import { stackIds } from "../constructs/naming";
import { delegationsByParentStack } from "../fleet/dns-zones";
import { SHARED_SCOPE, STATE_SCOPE } from "../fleet/load";
import type { AppsEnvironment, Fleet, PlatformEnvironment, StudioEnvironment } from "../fleet/model";
import { AppsK8sStack } from "./apps-k8s-stack";
import { AppsStack } from "./apps-stack";
import { BootstrapStack } from "./bootstrap-stack";
import { allowStatefulDestroy, type DestroyMode, destroyMode } from "./decommission";
import type { BackendKind, FleetStack } from "./fleet-stack";
import { bootstrapView, type StackInput, sharedView, type ViewEntries, fleetView as viewOf } from "./inputs";
import type { StackKind } from "./metadata";
import { OrgStack } from "./org-stack";
import { PlatformStack } from "./platform-stack";
import { ServicesStack } from "./services-stack";
import { SharedK8sStack } from "./shared-k8s-stack";
import { StateScopesStack } from "./state-scopes-stack";
import { pushesToOrgRegistries, StudioStack } from "./studio-stack";
import { disableTokenStackTraces } from "./token-traces";

export type { StackKind } from "./metadata";

/** The state scope of the bootstrap stack (its state is local to the operator who applies it). */
export const BOOTSTRAP_SCOPE = "bootstrap";

/** The one stack that holds the remote state of all others. */
export const BOOTSTRAP_STACK_ID = stackIds.bootstrap("state");

/** The stack with every other state scope's container and access, applied first by the pipeline. */
export const STATE_SCOPES_STACK_ID = stackIds.state("scopes");

/** What a stack reads from another stack's state or resources; the reason it depends on it. */
export interface StackRead {
  readonly stack: string;
  readonly what: string;
}

export interface PlannedStack {
  readonly id: string;
  readonly kind: StackKind;
  /** Environment token, or `shared` for stacks that serve every environment. */
  readonly environment: string;
  /** The state scope (state container and pipeline stage) the stack's state lives in. */
  readonly scope: string;
  /** The org the stack belongs to (org and apps stacks). */
  readonly org?: string;
  /** What the stack declares it reads from other stacks. */
  readonly reads: readonly StackRead[];
  /** Ids of the stacks this one reads from (derived from `reads`); they are applied first. */
  readonly dependsOn: readonly string[];
  /**
   * `destroy`: a decommissioned stack (fleet.yaml `decommission`), planned with
   * `terraform plan -destroy`; absent for every other stack.
   */
  readonly mode?: DestroyMode["mode"];
  /** In destroy mode: whether its stateful resources may be destroyed too (`destroyStatefulResources`). */
  readonly destroyStateful?: boolean;
  /**
   * What the stack is built from besides its id, backend and the code (stacks/inputs.ts):
   * `build` reads the fleet only through `input`, so equal inputs give equal output.
   */
  readonly input: StackInput;
  readonly build: (app: App, backend: BackendKind) => FleetStack;
}

/** A planned stack whose dependencies are exactly the stacks it declares it reads. */
function plan(p: Omit<PlannedStack, "dependsOn">): PlannedStack {
  return { ...p, dependsOn: [...new Set(p.reads.map((r) => r.stack))] };
}

/**
 * Every stack of the fleet, in a stable order: the state bootstrap, the state scopes, Platform, org
 * stacks, Studio (whose production stack connects to the org registries), then each org's
 * environments. The bootstrap stack is applied once by hand before
 * anything else, so no stack records a dependency on it.
 */
export function planStacks(fleet: Fleet, options: PlanOptions = {}): PlannedStack[] {
  const planned = planEveryStack(fleet, options);
  // A stack that delegates fleet zones below its own reads their name servers (fleet/dns-zones.ts).
  const delegations = delegationsByParentStack(fleet);
  const withDelegations = planned.map((p) => {
    const children = delegations.get(p.id);
    if (!children) return p;
    const { dependsOn: _derived, ...rest } = p;
    return plan({
      ...rest,
      reads: [
        ...p.reads,
        ...children.map((d) => ({
          stack: d.child.stackId,
          what: `the name servers of the delegated zone ${d.child.name} (NS record ${d.recordName})`,
        })),
      ],
    });
  });
  return dependenciesFirst(withDelegations);
}

/** Stable order in which every stack comes after the stacks it depends on. */
function dependenciesFirst(planned: readonly PlannedStack[]): PlannedStack[] {
  const byId = new Map(planned.map((p) => [p.id, p]));
  const out: PlannedStack[] = [];
  const done = new Set<string>();
  const visit = (p: PlannedStack) => {
    if (done.has(p.id)) return;
    done.add(p.id);
    for (const dep of p.dependsOn) {
      const target = byId.get(dep);
      if (target) visit(target);
    }
    out.push(p);
  };
  for (const p of planned) visit(p);
  return out;
}

export interface PlanOptions {
  /**
   * Build every stack from the whole fleet instead of its view (stacks/inputs.ts). Only for the
   * test that proves the views lose nothing a stack reads; input hashes are then meaningless.
   */
  readonly wholeFleet?: boolean;
}

function planEveryStack(fleet: Fleet, options: PlanOptions): PlannedStack[] {
  const whole = options.wholeFleet ? fleet : bootstrapView(fleet);
  const fleetView = options.wholeFleet ? () => fleet : viewOf;
  const shared = options.wholeFleet ? fleet : sharedView(fleet);
  // A cluster stack's view holds the clusters whose zones it delegates (fleet/dns-zones.ts), so
  // that it finds exactly the fleet's delegations in its view.
  const delegations = delegationsByParentStack(fleet);
  const clusterEntries = new Map<
    string,
    { apps?: AppsEnvironment; platform?: PlatformEnvironment; studio?: StudioEnvironment }
  >();
  for (const a of fleet.apps) clusterEntries.set(stackIds.apps(a.org.code, a.environment.token), { apps: a });
  for (const p of fleet.platforms)
    clusterEntries.set(stackIds.platform(p.environment.token), { platform: p });
  for (const s of fleet.studios) clusterEntries.set(stackIds.studio(s.environment.token), { studio: s });
  const clusterView = (id: string, own: ViewEntries): Fleet => {
    const children = (delegations.get(id) ?? []).map((d) => clusterEntries.get(d.child.stackId) ?? {});
    const plus = <T>(
      mine: readonly T[] | undefined,
      pick: (e: (typeof children)[number]) => T | undefined,
    ) => [...(mine ?? []), ...children.map(pick).filter((e): e is T => e !== undefined)];
    return fleetView(fleet, {
      ...own,
      apps: plus(own.apps, (e) => e.apps),
      platforms: plus(own.platforms, (e) => e.platform),
      studios: plus(own.studios, (e) => e.studio),
    });
  };

  const stateView = fleetView(fleet, { stateScopes: fleet.stateScopes });
  const out: PlannedStack[] = [
    plan({
      id: BOOTSTRAP_STACK_ID,
      kind: "bootstrap",
      environment: BOOTSTRAP_SCOPE,
      scope: BOOTSTRAP_SCOPE,
      reads: [],
      input: { fleet: whole },
      build: (app) => new BootstrapStack(app, { fleet: whole, stackId: BOOTSTRAP_STACK_ID }),
    }),
    plan({
      id: STATE_SCOPES_STACK_ID,
      kind: "state",
      environment: STATE_SCOPE,
      scope: STATE_SCOPE,
      // The pipeline applies its scope first; no stack records a dependency on it, because a
      // stack cannot be planned without its state container either way (stage order decides).
      reads: [],
      input: { fleet: stateView },
      build: (app, backend) =>
        new StateScopesStack(app, { fleet: stateView, stackId: STATE_SCOPES_STACK_ID, backend }),
    }),
  ];
  for (const platform of fleet.platforms) {
    const id = stackIds.platform(platform.environment.token);
    const view = clusterView(id, { platforms: [platform] });
    out.push(
      ...sharedEnvironmentStacks(
        shared,
        "platform",
        platform,
        { fleet: view, subject: platform },
        (app, backend, stackId) => new PlatformStack(app, { fleet: view, platform, stackId, backend }),
      ),
    );
  }
  for (const cluster of fleet.externalClusters) {
    const id = stackIds.services(cluster.name);
    const view = fleetView(fleet, { externalClusters: [cluster] });
    out.push(
      plan({
        id,
        kind: "services",
        environment: SHARED_SCOPE,
        scope: SHARED_SCOPE,
        reads: [],
        input: { fleet: view, subject: cluster },
        build: (app, backend) => new ServicesStack(app, { fleet: view, cluster, stackId: id, backend }),
      }),
    );
  }
  const registries = [
    ...fleet.orgs.map((org) => ({ org, destroy: false, destroyStateful: false })),
    // Orgs that left the registry: their registry is kept, or destroyed (fleet.yaml `decommission`).
    ...(fleet.decommission?.registries ?? []),
  ];
  for (const { org, destroy, destroyStateful } of registries) {
    const orgId = stackIds.org(org.code);
    const view = fleetView(fleet, { orgs: [org] });
    out.push(
      plan({
        id: orgId,
        kind: "org",
        environment: SHARED_SCOPE,
        scope: SHARED_SCOPE,
        org: org.code,
        reads: [],
        ...(destroy ? destroyMode(destroyStateful) : {}),
        input: { fleet: view, subject: org },
        build: (app, backend) =>
          decommissioned(
            new OrgStack(app, { fleet: view, org, stackId: orgId, backend }),
            destroy && destroyStateful,
          ),
      }),
    );
  }
  // After the org stacks: the production Studio connects to every org's registry, which must exist.
  for (const studio of fleet.studios) {
    const id = stackIds.studio(studio.environment.token);
    const pushes = pushesToOrgRegistries(studio);
    const view = clusterView(id, { studios: [studio], ...(pushes ? { orgs: fleet.orgs } : {}) });
    out.push(
      ...sharedEnvironmentStacks(
        shared,
        "studio",
        studio,
        { fleet: view, subject: studio },
        (app, backend, stackId) => new StudioStack(app, { fleet: view, studio, stackId, backend }),
        pushes
          ? fleet.orgs.map((o) => ({
              stack: stackIds.org(o.code),
              what: "the org's container registry (private endpoint for pushing app images)",
            }))
          : [],
      ),
    );
  }
  for (const apps of fleet.apps) out.push(...appsStacks(fleet, apps, clusterView, fleetView));
  // Decommissioned Apps environments (fleet.yaml `decommission`), built as before and planned for destruction.
  for (const { apps, destroyStateful } of fleet.decommission?.apps ?? []) {
    out.push(...appsStacks(fleet, apps, clusterView, fleetView, destroyMode(destroyStateful)));
  }
  return out;
}

/**
 * An org's Apps environment: the cluster stack and its `-k8s` stack. Live, the cluster stack
 * reads its org's registry and the `-k8s` stack reads the cluster. In destroy mode the `-k8s`
 * stack goes first (its releases run in the cluster), so the cluster stack depends on it.
 */
function appsStacks(
  fleet: Fleet,
  apps: AppsEnvironment,
  clusterView: (id: string, own: ViewEntries) => Fleet,
  fleetView: (fleet: Fleet, entries: ViewEntries) => Fleet,
  destroy?: DestroyMode,
): PlannedStack[] {
  const token = apps.environment.token;
  const org = apps.org.code;
  const appsId = stackIds.apps(org, token);
  const k8sId = stackIds.appsK8s(org, token);
  const common = { environment: token, scope: token, org, ...destroy };
  const view = clusterView(appsId, { apps: [apps] });
  const k8sView = fleetView(fleet, { apps: [apps] });
  const mayDestroyStateful = destroy?.destroyStateful === true;
  const cluster = plan({
    ...common,
    id: appsId,
    kind: "apps",
    // Nothing of the Platform (its config-sync server is its own).
    reads: destroy
      ? [{ stack: k8sId, what: "destroyed first: its releases run in this stack's cluster" }]
      : [{ stack: stackIds.org(org), what: "the org's container registry (AcrPull for the kubelet)" }],
    input: { fleet: view, subject: apps },
    build: (app, backend) =>
      decommissioned(new AppsStack(app, { fleet: view, apps, stackId: appsId, backend }), mayDestroyStateful),
  });
  const k8s = plan({
    ...common,
    id: k8sId,
    kind: "apps-k8s",
    reads: destroy
      ? []
      : [{ stack: appsId, what: "the cluster, its identities and ingress IP (data sources)" }],
    input: { fleet: k8sView, subject: apps },
    build: (app, backend) =>
      decommissioned(
        new AppsK8sStack(app, { fleet: k8sView, apps, stackId: k8sId, backend }),
        mayDestroyStateful,
      ),
  });
  return destroy ? [k8s, cluster] : [cluster, k8s];
}

/** A decommissioned stack whose stateful resources may go loses their prevent_destroy. */
function decommissioned(stack: FleetStack, destroyStateful: boolean): FleetStack {
  return destroyStateful ? allowStatefulDestroy(stack) : stack;
}

/**
 * A Platform or Studio environment: its cluster stack (built from `input`) and the `-k8s` stack
 * that depends on it (built from the shared view and the environment's entry).
 */
function sharedEnvironmentStacks(
  sharedFleet: Fleet,
  product: "platform" | "studio",
  shared: PlatformEnvironment | StudioEnvironment,
  input: StackInput,
  buildCluster: (app: App, backend: BackendKind, stackId: string) => FleetStack,
  reads: readonly StackRead[] = [],
): PlannedStack[] {
  const token = shared.environment.token;
  const id = product === "platform" ? stackIds.platform(token) : stackIds.studio(token);
  const k8sId = product === "platform" ? stackIds.platformK8s(token) : stackIds.studioK8s(token);
  return [
    plan({
      id,
      kind: product,
      environment: token,
      scope: token,
      reads,
      input,
      build: (app, backend) => buildCluster(app, backend, id),
    }),
    plan({
      id: k8sId,
      kind: `${product}-k8s`,
      environment: token,
      scope: token,
      reads: [{ stack: id, what: "the cluster, its identities and ingress IP (data sources)" }],
      input: { fleet: sharedFleet, subject: shared },
      build: (app, backend) =>
        new SharedK8sStack(app, {
          fleet: sharedFleet,
          product,
          environmentToken: token,
          names: shared.names,
          settings: shared.settings,
          services: shared.services,
          stackId: k8sId,
          backend,
        }),
    }),
  ];
}

/**
 * The stacks a selection needs: those whose id matches one of the globs, plus everything they
 * depend on (a stack cannot be planned without the state it reads). Order is kept.
 */
export function selectStacks(planned: readonly PlannedStack[], globs: readonly string[]): PlannedStack[] {
  if (globs.length === 0) return [...planned];
  const isMatch = picomatch([...globs]);
  const byId = new Map(planned.map((p) => [p.id, p]));
  const wanted = new Set<string>();
  const visit = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const dep of byId.get(id)?.dependsOn ?? []) visit(dep);
  };
  for (const p of planned) if (isMatch(p.id)) visit(p.id);
  return planned.filter((p) => wanted.has(p.id));
}

export interface BuildOptions {
  /** Where cdktf writes; default cdktf's own (CDKTF_OUTDIR or cdktf.out). */
  readonly outdir?: string;
  readonly backend?: BackendKind;
  /** Stack id globs; empty or absent builds the whole fleet. */
  readonly select?: readonly string[];
  /** Passed to the App; tests set `stubVersion`-like behaviour through Testing instead. */
  readonly app?: App;
}

export interface BuiltFleet {
  readonly app: App;
  readonly stacks: ReadonlyMap<string, FleetStack>;
  readonly planned: readonly PlannedStack[];
}

export function buildFleetApp(fleet: Fleet, options: BuildOptions = {}): BuiltFleet {
  disableTokenStackTraces();
  const app = options.app ?? new App({ outdir: options.outdir, stackTraces: false });
  const backend = options.backend ?? "azurerm";
  const all = planStacks(fleet);
  assertUniqueIds(all);
  const planned = selectStacks(all, options.select ?? []);
  const stacks = new Map<string, FleetStack>();
  for (const p of planned) {
    const stack = p.build(app, backend);
    for (const dep of p.dependsOn) {
      const target = stacks.get(dep);
      if (!target) throw new Error(`stack ${p.id} depends on ${dep}, which was not built before it`);
      stack.addDependency(target);
    }
    stacks.set(p.id, stack);
  }
  return { app, stacks, planned };
}

/** cdktf lets a second stack with the same id silently overwrite the first: refuse instead. */
export function assertUniqueIds(planned: readonly PlannedStack[]): void {
  const seen = new Set<string>();
  const dupes = new Set<string>();
  for (const p of planned) {
    if (seen.has(p.id)) dupes.add(p.id);
    seen.add(p.id);
  }
  if (dupes.size > 0) {
    throw new Error(`stack ids must be unique; these appear more than once: ${[...dupes].sort().join(", ")}`);
  }
}
