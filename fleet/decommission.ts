/**
 * `decommission` in fleet.yaml: the explicit step that destroys what an org leaves behind when
 * it leaves the registry (or leaves some of its environments). Without an entry the stacks just
 * disappear from the synthesized output: `npm run diff` reports `stack-removed` and nothing plans
 * them, so their resources would stay in Azure unmanaged. With an entry they keep being
 * synthesized, exactly as before, and marked `"mode": "destroy"` in stacks.json, so the pipeline
 * plans `terraform plan -destroy` for them and applies it after approval.
 *
 * ```yaml
 * decommission:
 *   foo:
 *     environments: [at22, production]  # apps-foo-at22(-k8s), apps-foo-prod(-k8s) are destroyed
 *     destroyStatefulResources: true    # the second setting: storage, vaults, clusters, ... too
 *   bar:
 *     registry: true                    # org-bar (the container registry) is destroyed
 *     destroyStatefulResources: true
 *   baz: {}                             # baz left the registry; org-baz is kept (and planned) as it is
 * ```
 *
 * Rules, each broken one reported with its fix:
 * - Only what the registry no longer lists: an environment the org still lists in
 *   altinn-orgs.json, or the registry of an org still in it, is refused (one stack cannot be built
 *   and destroyed at once).
 * - An environment must be one the fleet defines, and its cluster must still hold its block in
 *   address-plan.yaml: without one the cluster never existed or was destroyed and released already
 *   (a misspelt org code lands here too).
 * - The registry goes last: `registry: true` is refused while the entry still lists environments,
 *   because every Apps stack of the org grants its cluster pull access on the registry and the
 *   pipeline applies the shared scope (registries) before the environments.
 * - An org that left the registry needs `orgs.<org>.orgnr` (copied from the removed entry): its
 *   stacks keep their FinOps tags until they are gone.
 * - Stateful resources (constructs/common/stateful.ts) keep `prevent_destroy` unless
 *   `destroyStatefulResources: true`: the destroy plan then fails, naming each of them, and
 *   nothing of the stack is destroyed. Why fail rather than keep them: kept resources would be
 *   exactly the unmanaged leftovers decommissioning exists to prevent, and the rest of an Apps
 *   stack (network, identities, node pools) cannot be removed from under a cluster and resource
 *   group that stay.
 *
 * The address blocks of decommissioned clusters stay required, so `npm run allocate -- --prune`
 * releases them only after the entry is removed (README "Decommission an organisation").
 */
import { orgNames, stackIds } from "../constructs/naming";
import type {
  AppsEnvironment,
  Decommission,
  FleetEnvironment,
  FleetOrg,
  FleetSettings,
  RegistryOrg,
} from "./model";
import { type FleetProblem, problem } from "./problems";
import type { SourceFile } from "./source";

export interface DecommissionInputs {
  readonly settings: FleetSettings;
  readonly settingsSource: SourceFile;
  /** The file names, for messages. */
  readonly files: { readonly settings: string; readonly orgs: string; readonly addressPlan: string };
  readonly registryOrgs: Readonly<Record<string, RegistryOrg>>;
  readonly environments: ReadonlyMap<string, FleetEnvironment>;
  readonly retired: Readonly<Record<string, string>>;
  /** The orgs built from the registry. */
  readonly orgs: readonly FleetOrg[];
  /** The committed address plan's blocks, by cluster key. */
  readonly allocations: ReadonlyMap<string, string>;
  /** An org's Apps environment, resolved the way the registry's orgs get theirs. */
  readonly appsOf: (org: FleetOrg, env: FleetEnvironment) => AppsEnvironment | undefined;
}

export const DECOMMISSION_FIELD = "decommission";

/** The environments and orgs a decommission entry names, for the override checks in load.ts. */
export function decommissionedEnvironments(settings: FleetSettings, org: string): readonly string[] {
  const entry = settings.decommission?.[org];
  return Array.isArray(entry?.environments) ? entry.environments : [];
}

export function resolveDecommission(i: DecommissionInputs): {
  decommission: Decommission;
  problems: FleetProblem[];
} {
  const problems: FleetProblem[] = [];
  const apps: Decommission["apps"][number][] = [];
  const registries: Decommission["registries"][number][] = [];
  const { files } = i;
  for (const [code, entry] of Object.entries(i.settings.decommission ?? {})) {
    const at = (...path: (string | number)[]) => ({
      file: files.settings,
      line: i.settingsSource.lineOf([DECOMMISSION_FIELD, code, ...path]),
      org: code,
    });
    const reg = i.registryOrgs[code];
    const environments = entry.environments ?? [];
    const destroyStateful = entry.destroyStatefulResources === true;
    const live = i.orgs.find((o) => o.code === code);
    const orgnr = reg !== undefined && reg.orgnr !== "" ? reg.orgnr : i.settings.orgs?.[code]?.orgnr;
    if (reg === undefined && orgnr === undefined) {
      problems.push(
        problem({
          ...at(),
          field: `${DECOMMISSION_FIELD}.${code}`,
          value: code,
          message: `the org is not in ${files.orgs} (any more), and its stacks need its organisation number for their FinOps tags until they are destroyed`,
          fix: `add orgs.${code}.orgnr (the 9 digits of its removed registry entry) to ${files.settings}; if the org code is misspelt, correct it`,
        }),
      );
      continue;
    }
    const org: FleetOrg = live ?? {
      code,
      displayName: reg?.name.en ?? code,
      orgnr: orgnr ?? "",
      names: orgNames(code),
      environments: [],
    };

    if (reg !== undefined && environments.length === 0 && entry.registry !== true) {
      problems.push(
        problem({
          ...at(),
          field: `${DECOMMISSION_FIELD}.${code}`,
          value: entry,
          message: `names nothing to destroy, and the org is still in ${files.orgs}`,
          fix: `list the environments the org left under environments, or remove the entry`,
        }),
      );
    }
    if (entry.registry === true) {
      if (reg !== undefined) {
        problems.push(
          problem({
            ...at("registry"),
            field: `${DECOMMISSION_FIELD}.${code}.registry`,
            value: true,
            message: `the org is still in ${files.orgs}, so its registry org-${code} is still built for it`,
            fix: `remove the org from ${files.orgs} first, or drop registry: true`,
          }),
        );
      } else if (environments.length > 0) {
        problems.push(
          problem({
            ...at("registry"),
            field: `${DECOMMISSION_FIELD}.${code}.registry`,
            value: true,
            message:
              "the registry goes last: the org's Apps stacks grant their clusters pull access on it, and the pipeline applies the registries (shared scope) before the environments",
            fix: "destroy the environments first; once that is applied, remove them from the entry and set registry: true in a later commit",
          }),
        );
      }
    }
    if (reg === undefined) {
      registries.push({ org, destroy: entry.registry === true, destroyStateful });
    }

    const listed = new Set(Array.isArray(reg?.environments) ? reg.environments : []);
    environments.forEach((name, n) => {
      const fail = (message: string, fix: string) =>
        problems.push(
          problem({
            ...at("environments", n),
            environment: name,
            field: `${DECOMMISSION_FIELD}.${code}.environments[${n}]`,
            value: name,
            message,
            fix,
          }),
        );
      const env = i.environments.get(name);
      if (env === undefined) {
        fail(
          i.retired[name] !== undefined
            ? "the environment is retired: the fleet never built stacks for it"
            : "not an environment the fleet defines",
          `use the environment's name as in environments.json: ${[...i.environments.keys()].join(", ")}`,
        );
        return;
      }
      if (listed.has(name)) {
        fail(
          `the org still runs in ${name} according to ${files.orgs}: its stacks cannot be built and destroyed at once`,
          `remove ${name} from the org's environments in ${files.orgs} first, or from this list`,
        );
        return;
      }
      const key = stackIds.apps(code, env.token);
      if (!i.allocations.has(key)) {
        fail(
          `${key} has no address block in ${files.addressPlan}: the cluster was never created, or it was destroyed and its block released already, so there is nothing to destroy`,
          "remove the environment from the entry (or correct a misspelt org code)",
        );
        return;
      }
      const built = i.appsOf(org, env);
      if (built !== undefined) apps.push({ apps: built, destroyStateful });
    });
  }
  return { decommission: { apps, registries }, problems };
}
