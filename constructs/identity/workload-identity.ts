import { FederatedIdentityCredential } from "@cdktf/provider-azurerm/lib/federated-identity-credential";
import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { UserAssignedIdentity } from "@cdktf/provider-azurerm/lib/user-assigned-identity";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { roleAssignment } from "./role-assignment";

/** The audience Entra ID expects in Kubernetes service account tokens. */
export const WORKLOAD_IDENTITY_AUDIENCE = "api://AzureADTokenExchange";

/** Azure's limit of federated credentials per user-assigned identity. */
export const MAX_FEDERATED_CREDENTIALS = 20;

/** A Kubernetes service account allowed to act as the identity. */
export interface ServiceAccountRef {
  /** Namespace (a DNS label). */
  readonly namespace: string;
  /** Service account name. */
  readonly name: string;
  /**
   * Name of the federated credential: 3-120 letters, digits, hyphens and underscores. Part of
   * the Terraform address. Changing it replaces the credential.
   * @default `${namespace}-${name}`
   */
  readonly credentialName?: string;
}

export interface WorkloadIdentityProps {
  /** Identity name, 3-128 characters. Changing this replaces the identity and its client ID. */
  readonly name: string;
  /** Resource group. Changing this replaces the identity and its client ID. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the identity and its client ID. */
  readonly location: string;
  /** OIDC issuer URL of the cluster (`AksCluster.oidcIssuerUrl`). Changing it replaces the credentials. */
  readonly issuerUrl: string;
  /** Service accounts federated with the identity, at most 20. */
  readonly serviceAccounts: readonly ServiceAccountRef[];
  /** FinOps tags; `submodule = "workload-identity"` is added. */
  readonly tags: Tags;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const CREDENTIAL_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_-]{2,119}$/;

/**
 * A user-assigned managed identity that Kubernetes service accounts can use through AKS
 * workload identity: one federated credential per service account, subject
 * `system:serviceaccount:<namespace>:<name>`. The pod's service account is annotated with
 * `clientId`.
 *
 * Azure rejects concurrent credential writes on one identity; the azurerm provider serialises
 * them itself, so no ordering is added here.
 */
export class WorkloadIdentity extends Construct {
  readonly identity: UserAssignedIdentity;
  /** Credentials by credential name. */
  readonly credentials: Readonly<Record<string, FederatedIdentityCredential>>;
  /** Resource ID. */
  readonly id: string;
  /** Client ID, for the `azure.workload.identity/client-id` service account annotation. */
  readonly clientId: string;
  /** Principal (object) ID, for role assignments. */
  readonly principalId: string;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    this.validate(props);

    this.identity = new UserAssignedIdentity(this, "identity", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags: withSubmodule(props.tags, "workload-identity"),
    });
    this.id = this.identity.id;
    this.clientId = this.identity.clientId;
    this.principalId = this.identity.principalId;

    const credentials: Record<string, FederatedIdentityCredential> = {};
    for (const account of props.serviceAccounts) {
      const name = credentialName(account);
      credentials[name] = new FederatedIdentityCredential(this, `federated-credential-${name}`, {
        name,
        resourceGroupName: props.resourceGroupName,
        parentId: this.identity.id,
        issuer: props.issuerUrl,
        subject: subjectOf(account),
        audience: [WORKLOAD_IDENTITY_AUDIENCE],
      });
    }
    this.credentials = credentials;
  }

  /**
   * Grants the identity a role on a scope. `id` is the construct id of the assignment under this
   * construct, so it is part of the Terraform address.
   */
  grant(id: string, scope: string, roleDefinitionName: string): RoleAssignment {
    return roleAssignment(this, id, {
      scope,
      roleDefinitionName,
      principalId: this.principalId,
      principalType: "ServicePrincipal",
    });
  }

  private validate(props: WorkloadIdentityProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.userAssignedIdentity, props.name);
      if (problem) throw err(problem);
    }
    if (!Token.isUnresolved(props.issuerUrl) && !props.issuerUrl.startsWith("https://")) {
      throw err(`issuerUrl "${props.issuerUrl}" must be an https:// URL (the cluster's OIDC issuer)`);
    }
    if (props.serviceAccounts.length === 0) {
      throw err("serviceAccounts is empty; an identity without federated credentials cannot be used by pods");
    }
    if (props.serviceAccounts.length > MAX_FEDERATED_CREDENTIALS) {
      throw err(
        `${props.serviceAccounts.length} service accounts exceed Azure's limit of ` +
          `${MAX_FEDERATED_CREDENTIALS} federated credentials per identity; split them across identities`,
      );
    }
    const names = new Set<string>();
    const subjects = new Set<string>();
    for (const account of props.serviceAccounts) {
      if (Token.isUnresolved(account.namespace) || Token.isUnresolved(account.name)) {
        throw err("service account namespace and name must be literal strings: they name the credentials");
      }
      if (!DNS_LABEL.test(account.namespace)) {
        throw err(`namespace "${account.namespace}" is not a Kubernetes namespace name (a DNS label)`);
      }
      if (!DNS_SUBDOMAIN.test(account.name)) {
        throw err(`service account name "${account.name}" is not a Kubernetes object name (a DNS subdomain)`);
      }
      const name = credentialName(account);
      if (!CREDENTIAL_NAME.test(name)) {
        throw err(
          `federated credential name "${name}" must be 3-120 letters, digits, hyphens and underscores, ` +
            "starting with a letter or digit; set credentialName",
        );
      }
      if (names.has(name)) throw err(`federated credential name "${name}" is used twice`);
      names.add(name);
      const subject = subjectOf(account);
      if (subjects.has(subject)) throw err(`service account ${subject} is listed twice`);
      subjects.add(subject);
    }
  }
}

function credentialName(account: ServiceAccountRef): string {
  return account.credentialName ?? `${account.namespace}-${account.name}`;
}

function subjectOf(account: ServiceAccountRef): string {
  return `system:serviceaccount:${account.namespace}:${account.name}`;
}
