/**
 * Azure RBAC action strings and how a role definition grants them, the way Azure evaluates them
 * (https://learn.microsoft.com/azure/role-based-access-control/role-definitions):
 * - operation strings are `{Company}.{ProviderName}/{resourceType}/{action}` and compared without
 *   regard to case;
 * - `*` in a role's Actions, NotActions, DataActions or NotDataActions stands for any run of
 *   characters, `/` included: `*` is everything, `*` + `/read` every read, and
 *   `Microsoft.Authorization/*` every operation of that provider;
 * - a role grants what its Actions match minus what its NotActions match (data actions likewise);
 *   NotActions are not deny rules: a second role that grants the operation grants it.
 */

/** Control plane (Azure Resource Manager) or data plane (DataActions: blobs, Kubernetes objects). */
export type Plane = "control" | "data";

/** The permissions of one role definition (one `permissions` entry; built-in roles have one). */
export interface RolePermissions {
  readonly actions: readonly string[];
  readonly notActions?: readonly string[];
  readonly dataActions?: readonly string[];
  readonly notDataActions?: readonly string[];
}

const matchers = new Map<string, RegExp>();

/** Whether an Actions/NotActions pattern matches an operation: case-insensitive, `*` any run. */
export function actionMatches(pattern: string, operation: string): boolean {
  let re = matchers.get(pattern);
  if (!re) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*");
    re = new RegExp(`^${body}$`, "i");
    matchers.set(pattern, re);
  }
  return re.test(operation);
}

/** Whether the role grants the operation on the given plane (Actions minus NotActions). */
export function roleGrants(role: RolePermissions, operation: string, plane: Plane): boolean {
  const allow = plane === "control" ? role.actions : (role.dataActions ?? []);
  const deny = plane === "control" ? (role.notActions ?? []) : (role.notDataActions ?? []);
  return allow.some((p) => actionMatches(p, operation)) && !deny.some((p) => actionMatches(p, operation));
}

/**
 * Whether an operation (or a pattern a role grants) only reads: its last segment is `read`
 * (`Microsoft.Network/virtualNetworks/read`, or the wildcard read of Reader). Everything else
 * writes, deletes or acts.
 */
export function isReadOperation(operation: string): boolean {
  return /\/read$/i.test(operation);
}

/**
 * The grants of a role that go beyond reading, on each plane: the non-read patterns of its
 * Actions and DataActions. `*` counts as a write (it matches every write).
 */
export function nonReadGrants(role: RolePermissions): { plane: Plane; pattern: string }[] {
  const out: { plane: Plane; pattern: string }[] = [];
  for (const pattern of role.actions) if (!isReadOperation(pattern)) out.push({ plane: "control", pattern });
  for (const pattern of role.dataActions ?? [])
    if (!isReadOperation(pattern)) out.push({ plane: "data", pattern });
  return out;
}
