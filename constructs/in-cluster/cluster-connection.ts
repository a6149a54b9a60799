/**
 * Connects a `-k8s` stack to an existing AKS cluster: reads the cluster through a data source and
 * configures the kubernetes and helm providers to authenticate with kubelogin (Entra ID).
 *
 * The cluster is never created in the same stack: providers configured from a cluster created in
 * the same apply give intermittent, hard-to-diagnose failures (kubernetes provider docs,
 * "Stacking with managed Kubernetes cluster resources"). The cluster stack applies first; this
 * stack only reads it by name.
 */
import { DataAzurermKubernetesCluster } from "@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster";
import { HelmProvider, type HelmProviderKubernetesExec } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider, type KubernetesProviderExec } from "@cdktf/provider-kubernetes/lib/provider";
import { Fn, Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";

/**
 * kubelogin login modes this library supports, one per place Terraform runs:
 * - `azurecli`: a developer machine after `az login`, or an Azure DevOps `AzureCLI@2` task
 *   (the task logs the CLI in with the service connection, workload identity federation included).
 * - `workloadidentity`: a federated token file (`AZURE_FEDERATED_TOKEN_FILE`, `AZURE_CLIENT_ID`,
 *   `AZURE_TENANT_ID`), e.g. an agent running in Kubernetes or GitHub Actions OIDC.
 * - `spn`: a service principal from `AAD_SERVICE_PRINCIPAL_CLIENT_ID` / `..._CLIENT_SECRET` (or
 *   `AZURE_CLIENT_*`) in the environment; never put the secret in the synthesized config.
 * - `msi`: the managed identity of a self-hosted agent VM.
 */
export type KubeloginMode = "azurecli" | "workloadidentity" | "spn" | "msi";

/** All supported login modes, for validation and documentation. */
export const KUBELOGIN_MODES: readonly KubeloginMode[] = ["azurecli", "workloadidentity", "spn", "msi"];

/**
 * The application id of the AKS Entra ID server, the same for every AKS cluster with managed
 * Entra ID integration (azure.github.io/kubelogin). Tokens must be issued for this audience.
 */
export const AKS_AAD_SERVER_APP_ID = "6dae42f8-4368-4678-94ff-3960e28e3630";

/** The exec credential API version kubelogin speaks. */
export const EXEC_API_VERSION = "client.authentication.k8s.io/v1beta1";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ClusterConnectionProps {
  /** Name of the AKS cluster, as created by the cluster stack. */
  readonly clusterName: string;
  /** Resource group of the AKS cluster (not the node resource group). */
  readonly resourceGroupName: string;
  /**
   * How kubelogin obtains the Entra ID token.
   * @default "azurecli"
   */
  readonly login?: KubeloginMode;
  /**
   * Audience (server application id) of the token.
   * @default AKS_AAD_SERVER_APP_ID ("6dae42f8-4368-4678-94ff-3960e28e3630")
   */
  readonly serverId?: string;
  /**
   * Client id passed as `--client-id`: the user-assigned identity for `msi`, or the application
   * for `spn` / `workloadidentity` when it is not given through the environment.
   * Not allowed with `azurecli`, which always uses the signed-in account.
   * @default - none; kubelogin reads the environment (`AZURE_CLIENT_ID`) or uses the system-assigned identity
   */
  readonly clientId?: string;
  /**
   * Tenant id passed as `--tenant-id` for `spn` and `workloadidentity`.
   * @default - none; kubelogin reads `AZURE_TENANT_ID`
   */
  readonly tenantId?: string;
  /**
   * The kubelogin binary; it must be on the PATH of every machine that runs `terraform plan`.
   * @default "kubelogin"
   */
  readonly kubeloginCommand?: string;
  /**
   * Provider alias, needed only when one stack talks to more than one cluster.
   * @default - the default (unaliased) kubernetes and helm providers of the stack
   */
  readonly providerAlias?: string;
}

/**
 * Reads an AKS cluster and configures the kubernetes and helm providers for it, authenticating
 * through kubelogin. Only `kube_config` (host and CA certificate) is read: local accounts are
 * disabled on these clusters, so `kube_admin_config` is empty and must never be relied on.
 *
 * The stack must already declare the azurerm provider; this construct does not create it.
 */
export class ClusterConnection extends Construct {
  /** The AKS data source. */
  public readonly cluster: DataAzurermKubernetesCluster;
  public readonly kubernetesProvider: KubernetesProvider;
  public readonly helmProvider: HelmProvider;
  /** The cluster's OIDC issuer URL, for federated credentials of workload identities. */
  public readonly oidcIssuerUrl: string;
  /** The node resource group (`MC_...` or the configured name), home of AKS-managed resources. */
  public readonly nodeResourceGroup: string;
  /** The API server URL. */
  public readonly host: string;
  /** The kubelogin login mode in use. */
  public readonly login: KubeloginMode;

  constructor(scope: Construct, id: string, props: ClusterConnectionProps) {
    super(scope, id);
    const login = props.login ?? "azurecli";
    const serverId = props.serverId ?? AKS_AAD_SERVER_APP_ID;
    this.validate(props, login, serverId);
    this.login = login;

    this.cluster = new DataAzurermKubernetesCluster(this, "cluster", {
      name: props.clusterName,
      resourceGroupName: props.resourceGroupName,
    });

    const kubeConfig = this.cluster.kubeConfig.get(0);
    this.host = kubeConfig.host;
    const clusterCaCertificate = Fn.base64decode(kubeConfig.clusterCaCertificate);
    const args = kubeloginArgs(login, serverId, props.clientId, props.tenantId);
    const command = props.kubeloginCommand ?? "kubelogin";

    // The two bindings differ: kubernetes 2.x types `exec` as a block list, helm 3.x as an object.
    const kubernetesExec: KubernetesProviderExec = { apiVersion: EXEC_API_VERSION, command, args };
    const helmExec: HelmProviderKubernetesExec = { apiVersion: EXEC_API_VERSION, command, args };

    this.kubernetesProvider = new KubernetesProvider(this, "kubernetes", {
      alias: props.providerAlias,
      host: this.host,
      clusterCaCertificate,
      exec: [kubernetesExec],
    });
    this.helmProvider = new HelmProvider(this, "helm", {
      alias: props.providerAlias,
      kubernetes: { host: this.host, clusterCaCertificate, exec: helmExec },
    });

    this.oidcIssuerUrl = this.cluster.oidcIssuerUrl;
    this.nodeResourceGroup = this.cluster.nodeResourceGroup;
  }

  private validate(props: ClusterConnectionProps, login: string, serverId: string): void {
    const path = this.node.path;
    if (!Token.isUnresolved(props.clusterName) && props.clusterName.trim() === "") {
      throw new ConstructValidationError(path, "clusterName is empty; pass the AKS cluster name");
    }
    if (!Token.isUnresolved(props.resourceGroupName) && props.resourceGroupName.trim() === "") {
      throw new ConstructValidationError(
        path,
        "resourceGroupName is empty; pass the AKS cluster's resource group",
      );
    }
    if (!(KUBELOGIN_MODES as readonly string[]).includes(login)) {
      throw new ConstructValidationError(
        path,
        `login "${login}" is not a supported kubelogin mode; use one of ${KUBELOGIN_MODES.join(", ")}`,
      );
    }
    if (!Token.isUnresolved(serverId) && !GUID.test(serverId)) {
      throw new ConstructValidationError(
        path,
        `serverId "${serverId}" is not a GUID; leave it unset for AKS managed Entra ID (${AKS_AAD_SERVER_APP_ID})`,
      );
    }
    for (const [field, value] of [
      ["clientId", props.clientId],
      ["tenantId", props.tenantId],
    ] as const) {
      if (value !== undefined && !Token.isUnresolved(value) && !GUID.test(value)) {
        throw new ConstructValidationError(
          path,
          `${field} "${value}" is not a GUID; pass the Entra ID ${field}`,
        );
      }
    }
    if (login === "azurecli" && props.clientId !== undefined) {
      throw new ConstructValidationError(
        path,
        `clientId "${props.clientId}" has no effect with login "azurecli" (the signed-in account is used); remove it or choose "msi", "spn" or "workloadidentity"`,
      );
    }
    if (props.tenantId !== undefined && (login === "azurecli" || login === "msi")) {
      throw new ConstructValidationError(
        path,
        `tenantId "${props.tenantId}" has no effect with login "${login}"; remove it or choose "spn" or "workloadidentity"`,
      );
    }
  }
}

/** The kubelogin `get-token` arguments for a login mode. Exported for tests and docs. */
export function kubeloginArgs(
  login: KubeloginMode,
  serverId: string = AKS_AAD_SERVER_APP_ID,
  clientId?: string,
  tenantId?: string,
): string[] {
  const args = ["get-token", "--login", login, "--server-id", serverId];
  if (clientId !== undefined) {
    args.push("--client-id", clientId);
  }
  if (tenantId !== undefined) {
    args.push("--tenant-id", tenantId);
  }
  return args;
}
