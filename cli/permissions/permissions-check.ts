/**
 * `npm run permissions`, the computation: from the synthesized stacks, the Azure operations each
 * pipeline identity needs (constructs/permissions/resource-permissions.ts), compared with the roles
 * it holds: those declared in `pipelineRoles` of the fleet definition, plus the state container
 * roles bootstrap-state assigns to it.
 *
 * Where an operation is checked (its target):
 * - a resource's own operations, on the subscription of the state scope that owns its resource
 *   group: the stack that creates an `azurerm_resource_group` of that name, or, when no stack does
 *   (a group made outside the fleet), the stack's own scope;
 * - an operation on another resource (`on` in the table: a role assignment's `scope`, a private
 *   endpoint's target, a peering's remote network), on the scope owning that resource: a literal
 *   ARM id gives its resource group; a reference (`${data.azurerm_container_registry.r.id}`) is
 *   followed to the block in the same stack and that block's resource group;
 * - the remote state, on the stack's state container.
 * Grants are per subscription of a state scope or per state container, and per resource group
 * for the roles bootstrap-state itself assigns on the state account (a grant on the account counts
 * for its group, which holds nothing else). Resources with `prevent_destroy` need no delete
 * operations: Terraform refuses to destroy them until a reviewed change removes the guard.
 */
import {
  isReadOperation,
  type Plane,
  type RolePermissions,
  roleGrants,
} from "../../constructs/permissions/actions";
import { BUILTIN_ROLES } from "../../constructs/permissions/builtin-roles";
import {
  type PermissionNeed,
  type Phase,
  permissionKey,
  RESOURCE_PERMISSIONS,
} from "../../constructs/permissions/resource-permissions";
import { parseReferences, type StackJson } from "../../docs-gen/terraform";
import { STATE_SCOPE } from "../../fleet/load";
import type { Fleet, PipelineRoleAssignmentSetting } from "../../fleet/model";

export type IdentityKind = "plan" | "apply";

/**
 * Where an operation is authorized: a state scope's subscription, a resource group in it (only
 * grants name one: the roles bootstrap-state gives the `state` identities on the state account),
 * or a state container. A need's `group` is its resource group, where a literal name gives it.
 */
export type Target =
  | { readonly kind: "subscription"; readonly scope: string; readonly group?: string }
  | { readonly kind: "group"; readonly name: string }
  | { readonly kind: "container"; readonly name: string };

export function targetText(t: Target): string {
  if (t.kind === "subscription") return `subscription of ${t.scope}`;
  if (t.kind === "group") return `resource group ${t.name}`;
  return `state container ${t.name}`;
}

/** One operation one resource needs. */
export interface Need {
  readonly stack: string;
  /** Terraform address (`azurerm_role_assignment.x`, `data.azurerm_key_vault.y`, `terraform.backend`). */
  readonly address: string;
  /** Row key: resource type, `data.<type>`, or `terraform.backend`. */
  readonly type: string;
  readonly phase: Phase;
  readonly plane: Plane;
  readonly action: string;
  readonly target: Target;
  /** How the target was found when it is not the stack's own scope or was assumed. */
  readonly targetNote?: string;
  /** For role assignments: the role being assigned (for `onlyRoles` conditions). */
  readonly assignsRole?: string;
  /** The scope whose identities need it, when not the stack's own (init-state: the `state` scope). */
  readonly identityScope?: string;
}

/** One role an identity holds, where. */
export interface Grant {
  readonly role: string;
  readonly permissions: RolePermissions;
  readonly target: Target;
  readonly onlyRoles?: readonly string[];
  /** Where the grant is declared. */
  readonly from: string;
}

export interface Identity {
  readonly scope: string;
  readonly kind: IdentityKind;
  readonly objectId: string;
  readonly grants: readonly Grant[];
}

export interface Coverage {
  readonly identity: Identity;
  readonly need: Need;
  /** The grants that allow it; empty when missing. */
  readonly by: readonly Grant[];
}

export interface PermissionProblem {
  readonly message: string;
}

export interface PermissionsReport {
  readonly identities: readonly Identity[];
  readonly coverage: readonly Coverage[];
  readonly missing: readonly Coverage[];
  /** Plan identities that may do more than read. */
  readonly notReadOnly: readonly { identity: Identity; grant: Grant; patterns: string[] }[];
  /** Per identity and grant: the patterns no need used. */
  readonly unused: readonly { identity: Identity; grant: Grant; patterns: string[] }[];
  /** Types in the output without a row in the table, and other errors in the input. */
  readonly problems: readonly PermissionProblem[];
  /** Stacks not run by a pipeline identity (local state, applied by hand). */
  readonly skipped: readonly string[];
}

/**
 * Non-read operations a plan identity may hold, each because a refresh fails without it. Nothing
 * else beyond reading is allowed.
 */
export const PLAN_EXCEPTIONS: Readonly<Record<string, string>> = {
  "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action":
    "refreshing a cluster and the -k8s stacks' cluster data source list the user kubeconfig (no secret: kubelogin signs in with Entra ID)",
  "Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action":
    "part of Storage Blob Data Reader on the state container; the key signs nothing the identity could not read itself",
  "Microsoft.DocumentDB/databaseAccounts/listKeys/action":
    "refreshing a Cosmos DB account lists its keys and fails on 403; the fleet's accounts have key authentication off",
  "Microsoft.DocumentDB/databaseAccounts/readonlykeys/action": "as listKeys",
  "Microsoft.DocumentDB/databaseAccounts/listConnectionStrings/action": "as listKeys",
  "Microsoft.ApiManagement/service/tenant/listSecrets/action":
    "refreshing an API Management service (classic SKUs) reads the tenant access secrets and fails on 403; the direct management API is off",
  "Microsoft.ApiManagement/service/portalsettings/listSecrets/action":
    "refreshing an API Management service reads the portal delegation validation key and fails on 403; delegation is off",
};

const STATE_READ = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read";
const STATE_WRITE = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write";
const ROLE_ASSIGNMENT_WRITES = [
  "Microsoft.Authorization/roleAssignments/write",
  "Microsoft.Authorization/roleAssignments/delete",
];

/** ARM resource types of the Terraform types an `onTypeSuffix` need may point at. */
const ARM_TYPES: Readonly<Record<string, string>> = {
  azurerm_storage_account: "Microsoft.Storage/storageAccounts",
  azurerm_key_vault: "Microsoft.KeyVault/vaults",
  azurerm_container_registry: "Microsoft.ContainerRegistry/registries",
  azurerm_cosmosdb_account: "Microsoft.DocumentDB/databaseAccounts",
  azurerm_postgresql_flexible_server: "Microsoft.DBforPostgreSQL/flexibleServers",
  azurerm_monitor_private_link_scope: "Microsoft.Insights/privateLinkScopes",
  azurerm_api_management: "Microsoft.ApiManagement/service",
};

type Block = Readonly<Record<string, unknown>>;

/** `*_id` attributes that name principals, tenants or definitions, never a parent resource. */
const NOT_PARENTS = new Set([
  "principal_id",
  "object_id",
  "tenant_id",
  "client_id",
  "role_definition_id",
  "subscription_id",
]);
type Blocks = Readonly<Record<string, Readonly<Record<string, Block>>>>;

export interface PermissionsInput {
  readonly fleet: Pick<Fleet, "settings" | "stateScopes">;
  /** Synthesized stacks by id. */
  readonly stacks: ReadonlyMap<string, StackJson>;
}

export function checkPermissions(input: PermissionsInput): PermissionsReport {
  const { fleet, stacks } = input;
  const problems: PermissionProblem[] = [];
  const scopeOfContainer = new Map(
    fleet.stateScopes.map((s) => [fleet.settings.state.containerPattern.replace("{env}", s), s]),
  );
  const stackScope = new Map<string, string>();
  const skipped: string[] = [];
  for (const [id, json] of stacks) {
    const container = backendContainer(json);
    const scope = container === undefined ? undefined : scopeOfContainer.get(container);
    if (scope === undefined) skipped.push(id);
    else stackScope.set(id, scope);
  }
  const groupOwners = resourceGroupOwners(stacks, stackScope);

  const needs: Need[] = [];
  for (const [id, scope] of stackScope) {
    const json = stacks.get(id)!;
    const container = backendContainer(json)!;
    const state: Target = { kind: "container", name: container };
    needs.push(
      {
        stack: id,
        address: "terraform.backend",
        type: "terraform.backend",
        phase: "read",
        plane: "data",
        action: STATE_READ,
        target: state,
      },
      {
        stack: id,
        address: "terraform.backend",
        type: "terraform.backend",
        phase: "write",
        plane: "data",
        action: STATE_WRITE,
        target: state,
      },
      // `pipeline init-state` (stage init_state) creates a never-applied stack's state blob with
      // the state scope's apply identity: terraform init leases and writes it (cli/pipeline/state-init.ts).
      {
        stack: id,
        address: "terraform.backend (init-state)",
        type: "terraform.backend",
        phase: "write",
        plane: "data",
        action: STATE_WRITE,
        target: state,
        identityScope: STATE_SCOPE,
      },
    );
    const resolver = new TargetResolver(json, scope, groupOwners);
    for (const provider of Object.keys(json.provider ?? {})) {
      const row = RESOURCE_PERMISSIONS[`provider.${provider}`];
      for (const need of row?.needs ?? []) {
        for (const action of need.actions) {
          const type = `provider.${provider}`;
          needs.push({
            stack: id,
            address: type,
            type,
            phase: need.phase,
            plane: "control",
            action,
            target: { kind: "subscription", scope },
          });
        }
      }
    }
    for (const mode of ["resource", "data"] as const) {
      const blocks = (json[mode] ?? {}) as Blocks;
      for (const [type, byName] of Object.entries(blocks)) {
        const key = permissionKey(mode, type);
        const row = RESOURCE_PERMISSIONS[key];
        if (!row) {
          problems.push({
            message: `${id}: ${mode === "data" ? "data source" : "resource"} type ${type} has no row in constructs/permissions/resource-permissions.ts; add the operations it needs, with their source`,
          });
          continue;
        }
        for (const [name, block] of Object.entries(byName)) {
          const address = mode === "data" ? `data.${type}.${name}` : `${type}.${name}`;
          for (const need of row.needs) {
            if (need.when && !need.when(block)) continue;
            // Terraform refuses to destroy a resource with prevent_destroy, so its delete
            // operations are not needed until that guard is removed in a reviewed change.
            if (need.phase === "delete" && preventsDestroy(block)) continue;
            needs.push(...expandNeed(id, address, key, type, block, need, resolver));
          }
        }
      }
    }
  }

  const identities = declaredIdentities(fleet, stacks, stackScope, problems);
  const byScope = new Map<string, Identity[]>();
  for (const identity of identities)
    byScope.set(identity.scope, [...(byScope.get(identity.scope) ?? []), identity]);

  const coverage: Coverage[] = [];
  const used = new Map<Grant, Set<string>>();
  for (const need of needs) {
    const scope = need.identityScope ?? stackScope.get(need.stack)!;
    for (const identity of byScope.get(scope) ?? []) {
      if (identity.kind === "plan" && need.phase !== "read") continue;
      const by: Grant[] = [];
      for (const grant of identity.grants) {
        const pattern = coveringPattern(grant, need);
        if (pattern === undefined) continue;
        by.push(grant);
        used.set(grant, (used.get(grant) ?? new Set()).add(pattern));
      }
      coverage.push({ identity, need, by });
    }
  }
  for (const scope of new Set(stackScope.values())) {
    if (!byScope.has(scope))
      problems.push({ message: `state scope ${scope} has no pipeline identities in state.principals` });
  }

  const notReadOnly = identities
    .filter((i) => i.kind === "plan")
    .flatMap((identity) =>
      identity.grants.map((grant) => ({ identity, grant, patterns: beyondReading(grant.permissions) })),
    )
    .filter((x) => x.patterns.length > 0);

  const unused = identities
    .flatMap((identity) =>
      identity.grants.map((grant) => {
        const hit = used.get(grant) ?? new Set<string>();
        const all = [...grant.permissions.actions, ...(grant.permissions.dataActions ?? [])];
        return { identity, grant, patterns: all.filter((p) => !hit.has(p)) };
      }),
    )
    .filter((x) => x.patterns.length > 0);

  return {
    identities,
    coverage,
    missing: coverage.filter((c) => c.by.length === 0),
    notReadOnly,
    unused,
    problems,
    skipped: skipped.sort(),
  };
}

/** The pattern of the grant that allows the need, or undefined. */
function coveringPattern(grant: Grant, need: Need): string | undefined {
  if (!sameTarget(grant.target, need.target)) return undefined;
  if (!roleGrants(grant.permissions, need.action, need.plane)) return undefined;
  if (
    grant.onlyRoles &&
    ROLE_ASSIGNMENT_WRITES.some((a) => a.toLowerCase() === need.action.toLowerCase()) &&
    (need.assignsRole === undefined || !grant.onlyRoles.includes(need.assignsRole))
  ) {
    return undefined;
  }
  const list = need.plane === "control" ? grant.permissions.actions : (grant.permissions.dataActions ?? []);
  return list.find((p) => roleGrants({ actions: [p] }, need.action, "control"));
}

/** Whether grant target `a` covers need target `b`. */
function sameTarget(a: Target, b: Target): boolean {
  if (a.kind === "group") return b.kind === "subscription" && b.group === a.name.toLowerCase();
  return a.kind === "subscription" && b.kind === "subscription"
    ? a.scope === b.scope
    : a.kind === "container" && b.kind === "container" && a.name === b.name;
}

/** Non-read patterns of a role beyond the plan exceptions. */
export function beyondReading(role: RolePermissions): string[] {
  const allowed = Object.keys(PLAN_EXCEPTIONS).map((a) => a.toLowerCase());
  return [...role.actions, ...(role.dataActions ?? [])].filter(
    (p) => !isReadOperation(p) && !allowed.includes(p.toLowerCase()),
  );
}

function backendContainer(json: StackJson): string | undefined {
  const backend = (json.terraform as { backend?: { azurerm?: { container_name?: unknown } } } | undefined)
    ?.backend;
  const name = backend?.azurerm?.container_name;
  return typeof name === "string" ? name : undefined;
}

/** Literal resource group names created by a stack, with that stack's state scope. */
function resourceGroupOwners(
  stacks: ReadonlyMap<string, StackJson>,
  stackScope: ReadonlyMap<string, string>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, json] of stacks) {
    const scope = stackScope.get(id);
    if (scope === undefined) continue;
    const groups = ((json.resource ?? {}) as Blocks).azurerm_resource_group ?? {};
    for (const block of Object.values(groups)) {
      if (typeof block.name === "string" && !block.name.includes("${"))
        out.set(block.name.toLowerCase(), scope);
    }
  }
  return out;
}

interface Resolved {
  readonly scope: string;
  /** The resource group, lowercased, when a literal name gives it. */
  readonly group?: string;
  /** The Terraform type of the block the id belongs to, when known. */
  readonly type?: string;
  readonly note?: string;
}

/** Finds the state scope of the resources a stack's attributes point at. */
class TargetResolver {
  constructor(
    private readonly json: StackJson,
    private readonly ownScope: string,
    private readonly groupOwners: ReadonlyMap<string, string>,
  ) {}

  /** The scope of a block: the owner of its resource group. */
  ofBlock(block: Block, type: string, depth = 0): Resolved {
    if (type === "azurerm_resource_group") return this.ofGroupName(block.name, type);
    const group = block.resource_group_name;
    if (group !== undefined) return this.ofGroupName(group, type, depth);
    // Children named by their parent's id (api_management_id, key_vault_id, ...).
    for (const [k, v] of Object.entries(block)) {
      if (k.endsWith("_id") && !NOT_PARENTS.has(k) && typeof v === "string" && depth < 3) {
        const parent = this.ofValue(v, depth + 1);
        if (parent) return { ...parent, type };
      }
    }
    return { scope: this.ownScope, type };
  }

  private ofGroupName(group: unknown, type: string, depth = 0): Resolved {
    if (typeof group === "string" && !group.includes("${")) {
      const owner = this.groupOwners.get(group.toLowerCase());
      return owner === undefined
        ? {
            scope: this.ownScope,
            group: group.toLowerCase(),
            type,
            note: `resource group ${group} is created by no stack: assumed in the stack's own subscription`,
          }
        : {
            scope: owner,
            group: group.toLowerCase(),
            type,
            note: owner === this.ownScope ? undefined : `resource group ${group} belongs to scope ${owner}`,
          };
    }
    if (typeof group === "string") {
      const resolved = depth < 3 ? this.ofValue(group, depth + 1) : undefined;
      if (resolved) return { ...resolved, type };
    }
    return { scope: this.ownScope, type };
  }

  /** The scope of the resource an attribute value names (a literal id or a reference). */
  ofValue(value: string, depth = 0): Resolved | undefined {
    const literal = /^\/subscriptions\/[^/]+\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+\/[^/]+))?/i.exec(
      value,
    );
    if (literal) {
      const resolved = this.ofGroupName(literal[1], "");
      return { ...resolved, type: literal[2] ? `arm:${literal[2]}` : undefined };
    }
    const ref = parseReferences(value)[0];
    if (!ref) return undefined;
    const blocks = (ref.target.mode === "data" ? this.json.data : this.json.resource) as Blocks | undefined;
    const block = blocks?.[ref.target.type]?.[ref.target.name];
    if (!block) return undefined;
    const resolved = this.ofBlock(block, ref.target.type, depth);
    const via = `${ref.target.mode === "data" ? "data." : ""}${ref.target.type}.${ref.target.name}`;
    const note = resolved.note
      ? `${via}: ${resolved.note}`
      : resolved.scope === this.ownScope
        ? undefined
        : `${via} is in scope ${resolved.scope}`;
    return { ...resolved, note };
  }
}

function valuesAt(block: unknown, path: readonly string[]): string[] {
  if (block === undefined || block === null) return [];
  if (Array.isArray(block)) return block.flatMap((b) => valuesAt(b, path));
  if (path.length === 0) return typeof block === "string" ? [block] : [];
  if (typeof block !== "object") return [];
  return valuesAt((block as Block)[path[0]!], path.slice(1));
}

function expandNeed(
  stack: string,
  address: string,
  key: string,
  type: string,
  block: Block,
  need: PermissionNeed,
  resolver: TargetResolver,
): Need[] {
  const plane = need.plane ?? "control";
  const assignsRole =
    type === "azurerm_role_assignment" && typeof block.role_definition_name === "string"
      ? block.role_definition_name
      : undefined;
  const base = { stack, address, type: key, phase: need.phase, plane, assignsRole };
  if (need.on === undefined) {
    const own = resolver.ofBlock(block, type);
    return need.actions.map((action) => ({
      ...base,
      action,
      target: { kind: "subscription", scope: own.scope, group: own.group },
      targetNote: own.note,
    }));
  }
  const out: Need[] = [];
  for (const value of valuesAt(block, need.on.split("."))) {
    const target = resolver.ofValue(value) ?? {
      scope: resolver.ofBlock(block, type).scope,
      note: `${need.on} could not be resolved: assumed in the stack's own subscription`,
    };
    const actions = [...need.actions];
    if (need.onTypeSuffix) {
      const arm = target.type?.startsWith("arm:") ? target.type.slice(4) : ARM_TYPES[target.type ?? ""];
      actions.push(`${arm ?? "*"}/${need.onTypeSuffix}`);
    }
    for (const action of actions) {
      out.push({
        ...base,
        action,
        target: { kind: "subscription", scope: target.scope, group: target.group },
        targetNote: target.note ? `${need.on}: ${target.note}` : undefined,
      });
    }
  }
  return out;
}

function roleEntry(entry: PipelineRoleAssignmentSetting): {
  role: string;
  scope?: string;
  onlyRoles?: readonly string[];
} {
  return typeof entry === "string" ? { role: entry } : entry;
}

function preventsDestroy(block: Block): boolean {
  const lifecycle = block.lifecycle as { prevent_destroy?: unknown } | undefined;
  return lifecycle?.prevent_destroy === true;
}

/** Every pipeline identity with its declared roles and the state roles bootstrap-state gives it. */
function declaredIdentities(
  fleet: Pick<Fleet, "settings">,
  stacks: ReadonlyMap<string, StackJson>,
  stackScope: ReadonlyMap<string, string>,
  problems: PermissionProblem[],
): Identity[] {
  const { principals } = fleet.settings.state;
  const { sets, customRoles } = fleet.settings.pipelineRoles;
  const stateGrants = bootstrapStateGrants(stacks, stackScope);
  const out: Identity[] = [];
  for (const [scope, principal] of Object.entries(principals)) {
    const set = sets[principal.roles];
    for (const kind of ["plan", "apply"] as const) {
      const objectId = principal[kind];
      const grants: Grant[] = [];
      (set?.[kind] ?? []).forEach((raw, i) => {
        const entry = roleEntry(raw);
        const permissions = BUILTIN_ROLES[entry.role] ?? customRoles[entry.role];
        if (!permissions) {
          problems.push({
            message: `pipelineRoles.sets.${principal.roles}.${kind}[${i}]: unknown role ${entry.role}`,
          });
          return;
        }
        grants.push({
          role: entry.role,
          permissions,
          target: { kind: "subscription", scope: entry.scope ?? scope },
          onlyRoles: entry.onlyRoles,
          from: `pipelineRoles.sets.${principal.roles}.${kind}`,
        });
      });
      for (const g of stateGrants.get(objectId.toLowerCase()) ?? []) grants.push(g);
      out.push({ scope, kind, objectId, grants });
    }
  }
  return out;
}

/**
 * The grants the synthesized stacks themselves make to literal principal ids (the pipeline
 * identities): state container roles (bootstrap-state, state-scopes), and the roles
 * bootstrap-state gives the `state` identities on the state account or its resource group. A
 * grant on the account is counted for its resource group: the group holds nothing else.
 */
function bootstrapStateGrants(
  stacks: ReadonlyMap<string, StackJson>,
  stackScope: ReadonlyMap<string, string>,
): Map<string, Grant[]> {
  const out = new Map<string, Grant[]>();
  const add = (principal: string, grant: Grant) =>
    out.set(principal.toLowerCase(), [...(out.get(principal.toLowerCase()) ?? []), grant]);
  for (const [id, json] of stacks) {
    const resources = (json.resource ?? {}) as Blocks;
    const containers = resources.azurerm_storage_container ?? {};
    for (const [name, block] of Object.entries(resources.azurerm_role_assignment ?? {})) {
      const principal = block.principal_id;
      if (typeof principal !== "string" || principal.includes("${")) continue;
      const group = groupGrant(id, name, block, resources, stackScope);
      if (group) {
        add(principal, group);
        continue;
      }
      const role = block.role_definition_name;
      if (typeof role !== "string") continue;
      const ref = typeof block.scope === "string" ? parseReferences(block.scope)[0] : undefined;
      const container =
        ref?.target.type === "azurerm_storage_container" ? containers[ref.target.name] : undefined;
      const permissions = BUILTIN_ROLES[role];
      if (!container || typeof container.name !== "string" || !permissions) continue;
      const grant: Grant = {
        role,
        permissions,
        target: { kind: "container", name: container.name },
        from: `${id} azurerm_role_assignment.${name}`,
      };
      add(principal, grant);
    }
  }
  return out;
}

/**
 * A role assignment on a storage account or resource group of a stack not run by the pipeline
 * (bootstrap-state), as a grant on that group: the role by name, or a custom role the same stack
 * defines; a condition naming role definition ids limits which roles it may assign.
 */
function groupGrant(
  stack: string,
  name: string,
  block: Block,
  resources: Blocks,
  stackScope: ReadonlyMap<string, string>,
): Grant | undefined {
  if (stackScope.has(stack) || typeof block.scope !== "string") return undefined;
  const ref = parseReferences(block.scope)[0];
  if (ref?.target.mode !== "resource") return undefined;
  const target = resources[ref.target.type]?.[ref.target.name];
  if (!target) return undefined;
  const groupOf = (b: Block, type: string): string | undefined => {
    const value = type === "azurerm_resource_group" ? b.name : b.resource_group_name;
    if (typeof value !== "string") return undefined;
    if (!value.includes("${")) return value;
    const inner = parseReferences(value)[0];
    const rg = inner ? resources[inner.target.type]?.[inner.target.name] : undefined;
    return typeof rg?.name === "string" ? rg.name : undefined;
  };
  if (ref.target.type !== "azurerm_storage_account" && ref.target.type !== "azurerm_resource_group")
    return undefined;
  const group = groupOf(target, ref.target.type);
  if (group === undefined) return undefined;
  let role: string | undefined;
  let permissions: RolePermissions | undefined;
  if (typeof block.role_definition_name === "string") {
    role = block.role_definition_name;
    permissions = BUILTIN_ROLES[role];
  } else if (typeof block.role_definition_id === "string") {
    const defRef = parseReferences(block.role_definition_id)[0];
    const def = defRef ? resources[defRef.target.type]?.[defRef.target.name] : undefined;
    const perms = (def?.permissions as { actions?: string[]; not_actions?: string[] }[] | undefined)?.[0];
    if (def && perms) {
      role = typeof def.name === "string" ? def.name : defRef!.target.name;
      permissions = { actions: perms.actions ?? [], notActions: perms.not_actions ?? [] };
    }
  }
  if (role === undefined || permissions === undefined) return undefined;
  const condition = typeof block.condition === "string" ? block.condition : "";
  const ids = [...condition.matchAll(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi)].map(
    (m) => m[0].toLowerCase(),
  );
  const onlyRoles = /roleAssignments\/write/.test(condition)
    ? Object.entries(BUILTIN_ROLES)
        .filter(([, r]) => ids.includes(r.id.toLowerCase()))
        .map(([n]) => n)
    : undefined;
  return {
    role,
    permissions,
    target: { kind: "group", name: group },
    onlyRoles,
    from: `${stack} azurerm_role_assignment.${name}`,
  };
}
