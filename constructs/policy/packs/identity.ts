import { isReference, UNKNOWN } from "../attributes";
import { allOf, eachBlock, expectPresent, fail, PASS, show, UNKNOWN_VERDICT } from "../checks";
import type { RulePack } from "../rule";
import { checkov, learn, trivy } from "./sources";

const ROLE_DEFINITION = "azurerm_role_definition";
const ROLE_ASSIGNMENT = "azurerm_role_assignment";
const FEDERATED_CREDENTIAL = "azurerm_federated_identity_credential";

/**
 * Microsoft's "privileged administrator roles" (Azure RBAC best practices), by name and by the
 * built-in role definition GUID a role_definition_id ends with.
 */
const PRIVILEGED_ROLES: Readonly<Record<string, string>> = {
  Owner: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
  Contributor: "b24988ac-6180-42a0-ab88-20f7382dd24c",
  "User Access Administrator": "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
  "Role Based Access Control Administrator": "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
};

const SUBSCRIPTION_SCOPE = /^\/subscriptions\/[^/]+\/?$/i;
const MANAGEMENT_GROUP_SCOPE = /^\/providers\/Microsoft\.Management\/managementGroups\//i;
/** References that resolve to a subscription or management group id. */
const WIDE_SCOPE_REFERENCE =
  /^\$\{data\.azurerm_(subscription|management_group)\.[^.}]+\.id\}$|^\$\{azurerm_management_group\.[^.}]+\.id\}$/;

const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";
const SERVICE_ACCOUNT_SUBJECT =
  /^system:serviceaccount:[a-z0-9]([a-z0-9-]*[a-z0-9])?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export const IDENTITY_PACK: RulePack = {
  name: "identity",
  description: "Role definitions, role assignments and federated workload identities",
  rules: [
    {
      id: "AZ-ID-001",
      title: "Custom roles do not grant every action",
      pack: "identity",
      resourceTypes: [ROLE_DEFINITION],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_39"), trivy("AVD-AZU-0030")],
      why: 'A custom role with actions ["*"] is an Owner in disguise, invisible to reviews that look for Owner.',
      fix: "List the actions the role needs.",
      check: (r) =>
        eachBlock(r, "permissions", (p) => {
          const actions = p.list("actions");
          if (actions === UNKNOWN) return UNKNOWN_VERDICT;
          return actions?.includes("*") ? fail('actions include "*"') : PASS;
        }),
    },
    {
      id: "AZ-ID-002",
      title: "No privileged administrator role is assigned",
      pack: "identity",
      resourceTypes: [ROLE_ASSIGNMENT],
      severity: "high",
      environments: "all",
      sources: [
        learn(
          "Best practices for Azure RBAC: limit privileged administrator roles",
          "role-based-access-control/best-practices",
        ),
      ],
      why: "Owner, Contributor, User Access Administrator and RBAC Administrator let the holder take over the scope.",
      fix: "Assign the narrowest built-in role (e.g. AcrPull, Network Contributor) on the narrowest scope.",
      check: (r) => {
        const name = r.str("role_definition_name");
        const id = r.str("role_definition_id");
        if (name === UNKNOWN && id === UNKNOWN) return UNKNOWN_VERDICT;
        if (typeof name === "string" && name in PRIVILEGED_ROLES)
          return fail(`role_definition_name is ${show(name)}`);
        if (typeof id === "string") {
          const guid = id.toLowerCase().split("/").pop() ?? "";
          const role = Object.entries(PRIVILEGED_ROLES).find(([, g]) => g === guid);
          if (role) return fail(`role_definition_id is the ${role[0]} role`);
        }
        return name === UNKNOWN || id === UNKNOWN ? UNKNOWN_VERDICT : PASS;
      },
    },
    {
      id: "AZ-ID-003",
      title: "Role assignments are not scoped to a subscription or management group",
      pack: "identity",
      resourceTypes: [ROLE_ASSIGNMENT],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Best practices for Azure RBAC: only grant the access users need",
          "role-based-access-control/best-practices",
        ),
      ],
      why: "A subscription-wide grant reaches every org's resources in it, not just the one the stack manages.",
      fix: "Scope the assignment to the resource or resource group it is for.",
      check: (r) => {
        const reference = r.reference("scope");
        if (reference !== undefined) {
          // A reference to a resource or group id is narrow; one to a subscription is not.
          return WIDE_SCOPE_REFERENCE.test(reference)
            ? fail(`scope is a subscription or management group (${reference})`)
            : PASS;
        }
        const scope = r.get("scope");
        if (typeof scope !== "string" || scope === "") return PASS;
        if (scope === "/" || SUBSCRIPTION_SCOPE.test(scope) || MANAGEMENT_GROUP_SCOPE.test(scope)) {
          return fail(`scope is ${show(scope)}`);
        }
        return PASS;
      },
    },
    {
      id: "AZ-ID-004",
      title: "Role assignments state the principal type",
      pack: "identity",
      resourceTypes: [ROLE_ASSIGNMENT],
      severity: "low",
      environments: "all",
      sources: [
        learn(
          "Assign roles to a new service principal (principalType)",
          "role-based-access-control/role-assignments-template#new-service-principal",
        ),
      ],
      why: "Without principal_type Azure looks the principal up in Entra ID, which fails for identities created in the same apply.",
      fix: 'Set principal_type ("ServicePrincipal" for managed identities; roleAssignment() requires it).',
      check: (r) => expectPresent(r, "principal_type"),
    },
    {
      id: "AZ-ID-005",
      title: "Federated credentials trust exactly one Kubernetes service account",
      pack: "identity",
      resourceTypes: [FEDERATED_CREDENTIAL],
      severity: "high",
      environments: "all",
      sources: [learn("Workload identity federation on AKS", "aks/workload-identity-overview")],
      why: "A wrong audience or a broad subject lets other workloads, or other issuers, act as the identity.",
      fix: `audience = ["${WORKLOAD_IDENTITY_AUDIENCE}"], subject = "system:serviceaccount:<namespace>:<name>", issuer = the cluster's https OIDC issuer (WorkloadIdentity does this).`,
      check: (r) => {
        const audience = r.list("audience");
        const subject = r.str("subject");
        const issuer = r.str("issuer");
        const verdicts = [
          audience === UNKNOWN || audience?.some(isReference)
            ? UNKNOWN_VERDICT
            : audience?.length === 1 && audience[0] === WORKLOAD_IDENTITY_AUDIENCE
              ? PASS
              : fail(`audience is ${show(audience ?? [])}`),
          subject === UNKNOWN
            ? UNKNOWN_VERDICT
            : subject !== undefined && SERVICE_ACCOUNT_SUBJECT.test(subject)
              ? PASS
              : fail(`subject is ${show(subject)}`),
          issuer === UNKNOWN
            ? UNKNOWN_VERDICT
            : issuer?.startsWith("https://")
              ? PASS
              : fail(`issuer is ${show(issuer)}`),
        ];
        return allOf(...verdicts);
      },
    },
  ],
};
