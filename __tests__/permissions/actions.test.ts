/**
 * Azure's matching of role permissions: case-insensitive, `*` spanning any run of characters,
 * NotActions subtracted per role. The built-in role data answers finding 3 of issue 11: neither
 * Contributor nor Role Based Access Control Administrator may write role definitions.
 */
import { actionMatches, isReadOperation, roleGrants } from "../../constructs/permissions/actions";
import { BUILTIN_ROLES } from "../../constructs/permissions/builtin-roles";

const role = (name: string) => BUILTIN_ROLES[name]!;

describe("actionMatches", () => {
  test.each([
    ["*", "Microsoft.Network/virtualNetworks/write", true],
    ["*/read", "Microsoft.Network/virtualNetworks/subnets/read", true],
    ["*/read", "Microsoft.Network/virtualNetworks/write", false],
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/write", true],
    ["Microsoft.Authorization/*/Write", "microsoft.authorization/roleDefinitions/WRITE", true],
    ["Microsoft.Authorization/*/Write", "Microsoft.Authorization/roleAssignments/read", false],
    ["Microsoft.Authorization/*", "Microsoft.Authorization/locks/delete", true],
    [
      "Microsoft.ContainerService/managedClusters/*/read",
      "Microsoft.ContainerService/managedClusters/apps/deployments/read",
      true,
    ],
    [
      "Microsoft.ContainerService/managedClusters/*/read",
      "Microsoft.ContainerService/managedClusters/secrets/write",
      false,
    ],
    // A dot is a dot, not "any character"; the whole string must match.
    ["Microsoft.Network/*", "MicrosoftXNetwork/virtualNetworks/read", false],
    ["Microsoft.Network/virtualNetworks/read", "Microsoft.Network/virtualNetworks/read/more", false],
    ["Microsoft.Support/*", "Microsoft.SupportX/tickets/write", false],
  ])("%s matches %s: %s", (pattern, operation, expected) => {
    expect(actionMatches(pattern, operation)).toBe(expected);
  });
});

describe("built-in roles", () => {
  test("Contributor manages resources but no role assignments, role definitions or locks", () => {
    const c = role("Contributor");
    expect(roleGrants(c, "Microsoft.ContainerService/managedClusters/write", "control")).toBe(true);
    expect(roleGrants(c, "Microsoft.Authorization/roleAssignments/read", "control")).toBe(true);
    for (const op of [
      "Microsoft.Authorization/roleAssignments/write",
      "Microsoft.Authorization/roleDefinitions/write",
      "Microsoft.Authorization/locks/delete",
    ]) {
      expect(roleGrants(c, op, "control")).toBe(false);
    }
    // No data actions at all: Contributor cannot read a blob with Entra ID.
    expect(
      roleGrants(c, "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read", "data"),
    ).toBe(false);
  });

  test("Role Based Access Control Administrator assigns roles but cannot define them", () => {
    const r = role("Role Based Access Control Administrator");
    expect(roleGrants(r, "Microsoft.Authorization/roleAssignments/write", "control")).toBe(true);
    expect(roleGrants(r, "Microsoft.Authorization/roleAssignments/delete", "control")).toBe(true);
    expect(roleGrants(r, "Microsoft.Authorization/roleDefinitions/write", "control")).toBe(false);
    expect(roleGrants(r, "Microsoft.Network/virtualNetworks/write", "control")).toBe(false);
  });

  test("User Access Administrator and Owner may define roles", () => {
    for (const name of ["User Access Administrator", "Owner"]) {
      expect(roleGrants(role(name), "Microsoft.Authorization/roleDefinitions/write", "control")).toBe(true);
    }
  });

  test("the AKS RBAC Cluster Admin's data actions cover every Kubernetes object, on the data plane only", () => {
    const admin = role("Azure Kubernetes Service RBAC Cluster Admin");
    expect(roleGrants(admin, "Microsoft.ContainerService/managedClusters/secrets/write", "data")).toBe(true);
    expect(roleGrants(admin, "Microsoft.ContainerService/managedClusters/secrets/write", "control")).toBe(
      false,
    );
  });

  test("every built-in role has a GUID id and a Learn source", () => {
    for (const [name, r] of Object.entries(BUILTIN_ROLES)) {
      expect([name, r.id]).toEqual([
        name,
        expect.stringMatching(/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/),
      ]);
      expect(r.source).toMatch(
        /^https:\/\/learn\.microsoft\.com\/azure\/role-based-access-control\/built-in-roles\//,
      );
    }
  });
});

test("isReadOperation: only operations (and patterns) ending in /read", () => {
  expect(isReadOperation("*/read")).toBe(true);
  expect(isReadOperation("Microsoft.Network/virtualNetworks/Read")).toBe(true);
  expect(isReadOperation("*")).toBe(false);
  expect(isReadOperation("Microsoft.ContainerService/managedClusters/listClusterUserCredential/action")).toBe(
    false,
  );
});
