/**
 * Ownership and isolation, checked on synthesized stacks (`cdk.tf.json`), not on the project's
 * idea of them:
 *
 * - **Ownership**: every Azure resource lives in a resource group, network, server, zone or
 *   identity that its own stack creates. A stack that writes into another stack's resource group
 *   or network (a peering on the Platform VNet, a DNS link in the Platform group, an
 *   administrator on a Platform server) changes state it does not own: the owner's plan cannot
 *   see it, parallel applies race on it, and the owner's delete fails on it. Only a few field
 *   kinds may point elsewhere, each with its reason (`CROSS_STACK_FIELDS`).
 * - **Isolation**: no identity of one organisation is granted anything (role assignment, Entra
 *   administrator, access policy, federated credential) on a resource of another organisation
 *   or on a resource that several organisations share. Every principal reference is mapped to
 *   the organisation whose stack creates it; principals written as literal object ids come from
 *   the fleet definition (administrator groups, pipeline identities) and belong to no org.
 *
 * Stacks read what other stacks made by name (data sources with `name` and
 * `resource_group_name`), so a data source is resolved to its owning stack through an index of
 * every managed resource in the fleet; one that no stack creates is external.
 */

/** The parts of a synthesized stack the checks read. */
export interface StackJson {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>;
}

export interface OwnedStack {
  readonly id: string;
  /** The organisation the stack belongs to (`org-<org>`, `apps-<org>-<env>`); none for shared stacks. */
  readonly org?: string;
  readonly json: StackJson;
}

export interface Finding {
  readonly stack: string;
  /** Terraform address, `<type>.<name>`. */
  readonly resource: string;
  readonly field: string;
  readonly message: string;
}

/**
 * Fields that place a resource inside another one (a group, network, server, zone, vault,
 * account, identity, cluster) or target one. Their value must name something of the same stack.
 */
export const PLACEMENT_FIELDS = [
  "resource_group_name",
  "virtual_network_name",
  "virtual_network_id",
  "remote_virtual_network_id",
  "subnet_id",
  "network_security_group_name",
  "network_security_group_id",
  "server_name",
  "server_id",
  "private_dns_zone_name",
  "zone_name",
  "dns_zone_name",
  "key_vault_id",
  "storage_account_id",
  "storage_account_name",
  "account_name",
  "api_management_name",
  "parent_id",
  "kubernetes_cluster_id",
  "target_resource_id",
  "scope",
] as const;

/**
 * The only `<resource type>.<field>` pairs that may name another stack's resource, and why.
 * Everything else a stack refers to must be its own.
 */
export const CROSS_STACK_FIELDS: Readonly<Record<string, string>> = {
  "azurerm_role_assignment.scope":
    "A role assignment is an extension resource that belongs to the stack of the principal that needs the access " +
    "(the kubelet's AcrPull on its org's registry): it changes no setting of its target, and its own id lives " +
    "under the target. Which principal may hold a grant on whose resource is the isolation check's concern.",
  "azurerm_dns_ns_record.records":
    "A delegation lists the child zone's name servers, read through a data source: it changes nothing of the " +
    "child zone, and the record itself lives in the parent zone the stack owns (its zone_name must be the stack's own). " +
    "The stack owning the parent zone delegates the fleet's zones below it (fleet/dns-zones.ts).",
  "azurerm_private_endpoint.private_connection_resource_id":
    "A private endpoint is owned by the consumer whose network it sits in (its resource_group_name and " +
    "subnet_id must be the stack's own); it connects to the target without changing it.",
};

/**
 * Delegations: one stack hands a part of what it owns to another, by design, and grants exactly
 * that. Keyed by `<stack id>:<type>.<field>`; every other stack stays bound by the rule.
 */
export const DELEGATED_FIELDS: Readonly<Record<string, string>> = {
  "state-scopes:azurerm_storage_container.storage_account_id":
    "bootstrap-state (applied once by hand) owns the state account and delegates its per-scope containers to " +
    "state-scopes, which the pipeline applies first in every run so a new state scope works in one run; " +
    "bootstrap-state grants that stack's identity a role limited to reading the account and writing containers.",
};

/** Data sources that read the caller itself rather than a resource (tenant, subscription). */
const CONTEXT_DATA_SOURCES = new Set(["azurerm_client_config", "azurerm_subscription"]);

interface Ref {
  readonly data: boolean;
  readonly type: string;
  readonly name: string;
}

/** An interpolation, `${...}`, and the references to Azure resources and remote state inside it. */
const INTERPOLATION = /\$\{([^}]*)\}/g;
const REF = /(?<![\w.])(data\.)?(azurerm_[a-z0-9_]+|terraform_remote_state)\.([A-Za-z0-9_-]+)/g;

function refsIn(value: string): Ref[] {
  return [...value.matchAll(INTERPOLATION)].flatMap((i) =>
    [...i[1]!.matchAll(REF)]
      .filter((m) => m[1] !== undefined || m[2] !== "terraform_remote_state")
      .map((m) => ({ data: m[1] !== undefined, type: m[2]!, name: m[3]! })),
  );
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (value !== null && typeof value === "object") for (const v of Object.values(value)) strings(v, out);
  return out;
}

function resources(json: StackJson, data = false) {
  const blocks = (data ? json.data : json.resource) ?? {};
  return Object.entries(blocks).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, body]) => ({ type, name, body })),
  );
}

/** The literal value of a field, following one `${azurerm_x.y.name}` reference inside the stack. */
function literal(json: StackJson, value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  if (!value.includes("${")) return value;
  const m = /^\$\{(azurerm_[a-z0-9_]+)\.([A-Za-z0-9_-]+)\.name\}$/.exec(value);
  if (!m) return undefined;
  const name = json.resource?.[m[1]!]?.[m[2]!]?.name;
  return typeof name === "string" && !name.includes("${") ? name : undefined;
}

/** Where each managed resource of the fleet lives: `<type>|<name>|<resource group>` -> stack id. */
export function ownerIndex(stacks: readonly OwnedStack[]): Map<string, string> {
  const index = new Map<string, string>();
  for (const s of stacks) {
    for (const r of resources(s.json)) {
      const name = literal(s.json, r.body.name);
      if (name === undefined) continue;
      const rg =
        r.type === "azurerm_resource_group" ? "" : (literal(s.json, r.body.resource_group_name) ?? "");
      index.set(key(r.type, name, rg), s.id);
    }
  }
  return index;
}

function key(type: string, name: string, rg: string): string {
  return `${type}|${name.toLowerCase()}|${rg.toLowerCase()}`;
}

/** A readable name for a data source: `azurerm_key_vault mpo-tt02-kv (altinn-maskinporten-tt02-rg)`. */
function describeData(json: StackJson, ref: Ref): string {
  const body = json.data?.[ref.type]?.[ref.name] ?? {};
  if (ref.type === "terraform_remote_state") return `the remote state ${ref.name}`;
  const rg = typeof body.resource_group_name === "string" ? ` in ${body.resource_group_name}` : "";
  return `${ref.type} ${String(body.name ?? ref.name)}${rg}`;
}

/** Which stack creates what a data source reads; undefined when no stack of the fleet does. */
function dataOwner(json: StackJson, ref: Ref, index: ReadonlyMap<string, string>): string | undefined {
  const body = json.data?.[ref.type]?.[ref.name] ?? {};
  if (ref.type === "terraform_remote_state") {
    // Another stack's state: its key is `<stack id>.tfstate`.
    const stateKey = (body.config as Record<string, unknown> | undefined)?.key;
    return typeof stateKey === "string" ? stateKey.replace(/\.tfstate$/, "") : undefined;
  }
  const name = typeof body.name === "string" ? body.name : undefined;
  if (name === undefined) return undefined;
  const rg = typeof body.resource_group_name === "string" ? body.resource_group_name : "";
  return index.get(key(ref.type, name, rg));
}

/**
 * Every azurerm resource that lives in, or points at, something its own stack does not create:
 * a placement field naming a resource group, network, server or zone of another stack (or an
 * external one), or any field referring to another stack's resource through a data source,
 * except the pairs in `CROSS_STACK_FIELDS`.
 */
export function ownershipFindings(stacks: readonly OwnedStack[]): Finding[] {
  const index = ownerIndex(stacks);
  const findings: Finding[] = [];
  for (const s of stacks) {
    const ownGroups = new Set(
      resources(s.json)
        .filter((r) => r.type === "azurerm_resource_group")
        .map((r) => literal(s.json, r.body.name)?.toLowerCase())
        .filter((n): n is string => n !== undefined),
    );
    const ownNames = new Set(
      resources(s.json)
        .map((r) => literal(s.json, r.body.name)?.toLowerCase())
        .filter((n): n is string => n !== undefined),
    );
    for (const r of resources(s.json)) {
      if (!r.type.startsWith("azurerm_")) continue;
      const address = `${r.type}.${r.name}`;
      for (const [field, value] of Object.entries(r.body)) {
        if (CROSS_STACK_FIELDS[`${r.type}.${field}`] !== undefined) continue;
        if (DELEGATED_FIELDS[`${s.id}:${r.type}.${field}`] !== undefined) continue;
        for (const text of strings(value)) {
          for (const ref of refsIn(text)) {
            if (!ref.data || CONTEXT_DATA_SOURCES.has(ref.type)) continue;
            const owner = dataOwner(s.json, ref, index);
            if (owner === s.id) continue; // a stack reading back what it creates itself
            findings.push({
              stack: s.id,
              resource: address,
              field,
              message: `${field} refers to ${describeData(s.json, ref)}, ${
                owner ? `owned by stack ${owner}` : "which no stack of the fleet creates"
              }`,
            });
          }
        }
        if (!(PLACEMENT_FIELDS as readonly string[]).includes(field) || typeof value !== "string") continue;
        if (value.includes("${")) continue; // references are checked above
        const foreign =
          field === "resource_group_name"
            ? !ownGroups.has(value.toLowerCase())
            : field.endsWith("_id") || field === "scope"
              ? !idInGroups(value, ownGroups)
              : !ownNames.has(value.toLowerCase());
        if (foreign) {
          const owner = ownerOfLiteral(field, value, index, stacks);
          findings.push({
            stack: s.id,
            resource: address,
            field,
            message: `${field} = "${value}" is not created by this stack${owner ? ` (it belongs to ${owner})` : ""}`,
          });
        }
      }
    }
  }
  return findings;
}

function idInGroups(id: string, groups: ReadonlySet<string>): boolean {
  const m = /\/resourceGroups\/([^/]+)/i.exec(id);
  return m !== null && groups.has(m[1]!.toLowerCase());
}

/** The stack that creates a resource group or a resource of this literal name, for messages. */
function ownerOfLiteral(
  field: string,
  value: string,
  index: ReadonlyMap<string, string>,
  stacks: readonly OwnedStack[],
): string | undefined {
  if (field === "resource_group_name") return index.get(key("azurerm_resource_group", value, ""));
  const wanted = value.toLowerCase();
  for (const s of stacks) {
    for (const r of resources(s.json)) {
      if (literal(s.json, r.body.name)?.toLowerCase() === wanted) return s.id;
    }
  }
  return undefined;
}

/** A grant: who (principal field) gets what on which target (target fields). */
interface GrantShape {
  readonly principal: readonly string[];
  readonly target: readonly string[];
  readonly what: string;
}

/**
 * The resource types that give a principal access to something, with the fields that name the
 * principal and the target. A federated credential lets a cluster's service account act as an
 * identity: the issuer's cluster is the principal, the identity the target.
 */
export const GRANT_TYPES: Readonly<Record<string, GrantShape>> = {
  azurerm_role_assignment: { principal: ["principal_id"], target: ["scope"], what: "a role" },
  azurerm_postgresql_flexible_server_active_directory_administrator: {
    principal: ["object_id"],
    target: ["server_name"],
    what: "Entra administration",
  },
  azurerm_key_vault_access_policy: {
    principal: ["object_id"],
    target: ["key_vault_id"],
    what: "an access policy",
  },
  azurerm_cosmosdb_sql_role_assignment: {
    principal: ["principal_id"],
    target: ["account_name", "scope"],
    what: "a Cosmos DB data role",
  },
  azurerm_federated_identity_credential: {
    principal: ["issuer"],
    target: ["parent_id"],
    what: "the right to act as an identity",
  },
};

/** An external resource an org's identities may be granted access to, and why. */
export interface SharedGrantException {
  readonly type: string;
  readonly name: string;
  readonly reason: string;
}

/**
 * Grants that give an organisation's identity access to a resource of another organisation, or
 * to one that is not its own (a shared stack's resource, or an external one), unless listed in
 * `exceptions`.
 */
export function isolationFindings(
  stacks: readonly OwnedStack[],
  exceptions: readonly SharedGrantException[] = [],
): Finding[] {
  const index = ownerIndex(stacks);
  const orgOf = new Map(stacks.map((s) => [s.id, s.org]));
  const findings: Finding[] = [];
  const ownerLabel = (stackId: string | undefined) => {
    if (stackId === undefined) return "outside the fleet, shared by every org that is granted access";
    const org = orgOf.get(stackId);
    return org === undefined ? `stack ${stackId}, shared by several orgs` : `stack ${stackId} of org ${org}`;
  };
  for (const s of stacks) {
    for (const r of resources(s.json)) {
      const shape = GRANT_TYPES[r.type];
      if (!shape) continue;
      const named = (fields: readonly string[]) =>
        fields.flatMap((field) =>
          strings(r.body[field]).flatMap((text) => namedIn(s, text, index).map((n) => ({ field, ...n }))),
        );
      const principalOrgs = new Set(
        named(shape.principal)
          .map((p) => (p.owner === undefined ? undefined : orgOf.get(p.owner)))
          .filter((org): org is string => org !== undefined),
      );
      if (principalOrgs.size === 0) continue; // a fleet-defined group or pipeline identity
      for (const target of named(shape.target)) {
        const targetOrg = target.owner === undefined ? undefined : orgOf.get(target.owner);
        if (exceptions.some((e) => e.type === target.type && e.name === target.name)) continue;
        for (const org of principalOrgs) {
          if (targetOrg === org) continue;
          findings.push({
            stack: s.id,
            resource: `${r.type}.${r.name}`,
            field: target.field,
            message: `grants ${shape.what} to an identity of org ${org} on ${target.label} (${ownerLabel(target.owner)})`,
          });
        }
      }
    }
  }
  return findings;
}

/** Something a field names: its type and name (when known), a label, and the stack that creates it. */
interface Named {
  readonly type?: string;
  readonly name?: string;
  readonly label: string;
  readonly owner?: string;
}

/**
 * What a field value names: each reference (a managed resource of this stack, or a data source
 * resolved to its owning stack), or, for a literal resource id, the resource group in it.
 */
function namedIn(s: OwnedStack, text: string, index: ReadonlyMap<string, string>): Named[] {
  if (!text.includes("${")) {
    if (!text.startsWith("/subscriptions/")) return [];
    const rg = /\/resourceGroups\/([^/]+)/i.exec(text)?.[1];
    return [
      { label: text, owner: rg === undefined ? undefined : index.get(key("azurerm_resource_group", rg, "")) },
    ];
  }
  return refsIn(text)
    .filter((ref) => !CONTEXT_DATA_SOURCES.has(ref.type))
    .map((ref) => {
      if (!ref.data) return { type: ref.type, label: `${ref.type}.${ref.name}`, owner: s.id };
      const body = s.json.data?.[ref.type]?.[ref.name] ?? {};
      return {
        type: ref.type,
        name: typeof body.name === "string" ? body.name : undefined,
        label: describeData(s.json, ref),
        owner: dataOwner(s.json, ref, index),
      };
    });
}

/** One line per finding: `<stack>: <address>: <message>`. */
export function formatFindings(findings: readonly Finding[]): string {
  return findings.map((f) => `${f.stack}: ${f.resource}: ${f.message}`).join("\n");
}
