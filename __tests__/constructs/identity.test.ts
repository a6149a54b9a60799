import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import {
  roleAssignment,
  type ServiceAccountRef,
  WORKLOAD_IDENTITY_AUDIENCE,
  WorkloadIdentity,
  type WorkloadIdentityProps,
} from "../../constructs/identity";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };
const ISSUER = "https://norwayeast.oic.prod-aks.azure.com/tenant/cluster/";

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function identityProps(overrides: Partial<WorkloadIdentityProps> = {}): WorkloadIdentityProps {
  return {
    name: "ttd-at22-runtime-operator-id",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    issuerUrl: ISSUER,
    serviceAccounts: [{ namespace: "runtime-operator", name: "operator-controller-manager" }],
    tags: TAGS,
    ...overrides,
  };
}

function withAccounts(...serviceAccounts: ServiceAccountRef[]): WorkloadIdentityProps {
  return identityProps({ serviceAccounts });
}

function failsWith(props: WorkloadIdentityProps, message: RegExp): void {
  expect(() => new WorkloadIdentity(newStack(), "identity", props)).toThrow(ConstructValidationError);
  expect(() => new WorkloadIdentity(newStack(), "identity", props)).toThrow(message);
}

describe("WorkloadIdentity", () => {
  test("creates a tagged user-assigned identity", () => {
    const stack = newStack();
    new WorkloadIdentity(stack, "identity", identityProps());
    expect(synthStack(stack).json).toHaveResourceWithProperties(UserAssignedIdentity, {
      name: "ttd-at22-runtime-operator-id",
      tags: { ...TAGS, submodule: "workload-identity" },
    });
  });

  test("federates each service account with the cluster issuer", () => {
    const stack = newStack();
    new WorkloadIdentity(stack, "identity", identityProps());
    expect(synthStack(stack).json).toHaveResourceWithProperties(FederatedIdentityCredential, {
      name: "runtime-operator-operator-controller-manager",
      issuer: ISSUER,
      subject: "system:serviceaccount:runtime-operator:operator-controller-manager",
      audience: [WORKLOAD_IDENTITY_AUDIENCE],
      parent_id: expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.identity_[0-9A-F]+\.id\}$/),
    });
  });

  test("creates one credential per service account and honours explicit credential names", () => {
    const stack = newStack();
    const identity = new WorkloadIdentity(
      stack,
      "identity",
      withAccounts(
        { namespace: "runtime-gateway", name: "gateway" },
        { namespace: "monitoring", name: "otel-collector", credentialName: "otel" },
      ),
    );
    const names = Object.values(
      resourcesOf(synthStack(stack), FederatedIdentityCredential.tfResourceType),
    ).map((r) => r.name);
    expect(names.sort()).toEqual(["otel", "runtime-gateway-gateway"]);
    expect(Object.keys(identity.credentials)).toEqual(["runtime-gateway-gateway", "otel"]);
  });

  test("grant assigns a role to the identity as a service principal", () => {
    const stack = newStack();
    const identity = new WorkloadIdentity(stack, "identity", identityProps());
    identity.grant(
      "storage-blob-contributor",
      "/subscriptions/0000/storage",
      "Storage Blob Data Contributor",
    );
    expect(synthStack(stack).json).toHaveResourceWithProperties(RoleAssignment, {
      scope: "/subscriptions/0000/storage",
      role_definition_name: "Storage Blob Data Contributor",
      principal_type: "ServicePrincipal",
      principal_id: expect.stringMatching(/\.principal_id\}$/),
    });
  });

  describe("validation", () => {
    test("fails if the identity name breaks Azure's rule", () => {
      failsWith(identityProps({ name: "id" }), /3-128 characters/);
      failsWith(identityProps({ name: "-operator" }), /starting with a letter or digit/);
    });

    test("fails if the issuer is not an https URL", () => {
      failsWith(identityProps({ issuerUrl: "http://issuer" }), /https:\/\//);
    });

    test("fails if no service account is given", () => {
      failsWith(withAccounts(), /serviceAccounts is empty/);
    });

    test("fails if there are more than 20 service accounts", () => {
      const accounts = Array.from({ length: 21 }, (_, i) => ({ namespace: "apps", name: `sa${i}` }));
      failsWith(withAccounts(...accounts), /limit of 20/);
    });

    test("fails if a namespace or service account name is not a Kubernetes name", () => {
      failsWith(withAccounts({ namespace: "Runtime", name: "sa" }), /namespace "Runtime"/);
      failsWith(withAccounts({ namespace: "apps", name: "SA_1" }), /service account name "SA_1"/);
    });

    test("fails if the derived credential name breaks Azure's rule", () => {
      failsWith(withAccounts({ namespace: "apps", name: "my.service" }), /set credentialName/);
      failsWith(withAccounts({ namespace: "a", name: "b", credentialName: "-x" }), /credential name "-x"/);
    });

    test("fails if a credential name or service account repeats", () => {
      failsWith(
        withAccounts(
          { namespace: "a", name: "b", credentialName: "ccc" },
          { namespace: "d", name: "e", credentialName: "ccc" },
        ),
        /"ccc" is used twice/,
      );
      failsWith(
        withAccounts({ namespace: "a", name: "b" }, { namespace: "a", name: "b", credentialName: "other" }),
        /listed twice/,
      );
    });
  });
});

describe("roleAssignment", () => {
  test("creates an assignment with the principal type stated", () => {
    const stack = newStack();
    roleAssignment(stack, "kubelet-acr-pull", {
      scope: "/subscriptions/0000/registries/ttdaltinnregistry01",
      roleDefinitionName: "AcrPull",
      principalId: "00000000-0000-0000-0000-000000000001",
      principalType: "ServicePrincipal",
      description: "kubelet pulls app images",
    });
    expect(onlyResource(synthStack(stack), RoleAssignment.tfResourceType)).toEqual({
      scope: "/subscriptions/0000/registries/ttdaltinnregistry01",
      role_definition_name: "AcrPull",
      principal_id: "00000000-0000-0000-0000-000000000001",
      principal_type: "ServicePrincipal",
      description: "kubelet pulls app images",
    });
  });
});
