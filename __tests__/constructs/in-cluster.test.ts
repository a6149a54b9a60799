import { DataAzurermKubernetesCluster } from "@cdktf/provider-azurerm/lib/data-azurerm-kubernetes-cluster";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common/errors";
import {
  AKS_AAD_SERVER_APP_ID,
  ClusterConnection,
  type ClusterConnectionProps,
  type KubeloginMode,
  KubernetesWrapper,
  Kured,
  kubeloginArgs,
  kuredRequired,
  Traefik,
} from "../../constructs/in-cluster";
import { synthStack, testApp } from "../../testing";

interface ProviderBlock {
  readonly alias?: string;
  readonly host?: string;
  readonly cluster_ca_certificate?: string;
  readonly exec?: unknown;
  readonly kubernetes?: {
    readonly host?: string;
    readonly cluster_ca_certificate?: string;
    readonly exec?: { readonly api_version: string; readonly command: string; readonly args: string[] };
  };
}

function k8sStack(props: Partial<ClusterConnectionProps> = {}) {
  const stack = new TerraformStack(testApp(), "apps-ttd-tt02-k8s");
  // The stack owns the azurerm provider; ClusterConnection only reads the cluster through it.
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "ttd-tt02-aks",
    resourceGroupName: "altinnapps-ttd-tt02-rg",
    ...props,
  });
  return { stack, connection };
}

function providerBlock(props: Partial<ClusterConnectionProps>, type: "kubernetes" | "helm"): ProviderBlock {
  const { stack } = k8sStack(props);
  const blocks = synthStack(stack).parsed.provider?.[type] ?? [];
  expect(blocks).toHaveLength(1);
  return blocks[0] as ProviderBlock;
}

const expectedArgs = (login: KubeloginMode) => [
  "get-token",
  "--login",
  login,
  "--server-id",
  AKS_AAD_SERVER_APP_ID,
];

describe("ClusterConnection", () => {
  test("reads the cluster by name and resource group", () => {
    const { stack } = k8sStack();
    expect(synthStack(stack).json).toHaveDataSourceWithProperties(DataAzurermKubernetesCluster, {
      name: "ttd-tt02-aks",
      resource_group_name: "altinnapps-ttd-tt02-rg",
    });
  });

  test("configures the kubernetes provider with a one-element kubelogin exec list", () => {
    const block = providerBlock({}, "kubernetes");
    expect(block.exec).toEqual([
      {
        api_version: "client.authentication.k8s.io/v1beta1",
        command: "kubelogin",
        args: expectedArgs("azurecli"),
      },
    ]);
  });

  test("takes the kubernetes provider host from kube_config[0] of the data source", () => {
    const block = providerBlock({}, "kubernetes");
    expect(block.host).toMatch(
      /^\$\{data\.azurerm_kubernetes_cluster\.cluster_[A-Z0-9]+\.kube_config\[0\]\.host\}$/,
    );
  });

  test("base64-decodes the kubernetes provider CA certificate from kube_config[0]", () => {
    const block = providerBlock({}, "kubernetes");
    expect(block.cluster_ca_certificate).toMatch(
      /^\$\{base64decode\(data\.azurerm_kubernetes_cluster\.cluster_[A-Z0-9]+\.kube_config\[0\]\.cluster_ca_certificate\)\}$/,
    );
  });

  test("configures the helm provider with a kubernetes object holding an exec object (helm 3.x syntax)", () => {
    const block = providerBlock({}, "helm");
    expect(block.kubernetes?.exec).toEqual({
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "kubelogin",
      args: expectedArgs("azurecli"),
    });
  });

  test("takes the helm provider host and CA certificate from the data source", () => {
    const block = providerBlock({}, "helm");
    expect(block.kubernetes?.host).toContain("data.azurerm_kubernetes_cluster.cluster_");
    expect(block.kubernetes?.host).toContain(".kube_config[0].host");
    expect(block.kubernetes?.cluster_ca_certificate).toContain("base64decode(");
  });

  test("never references kube_admin_config", () => {
    const { stack } = k8sStack();
    expect(synthStack(stack).json).not.toContain("kube_admin_config");
  });

  test("never puts static credentials in the providers", () => {
    const { stack } = k8sStack();
    const json = synthStack(stack).json;
    for (const key of ["client_key", "client_certificate", "token", "password", "config_path"]) {
      expect(json).not.toContain(`"${key}"`);
    }
  });

  test.each<KubeloginMode>(["workloadidentity", "spn", "msi"])(
    "passes login mode %s to kubelogin",
    (login) => {
      const block = providerBlock({ login }, "kubernetes");
      expect(block.exec).toEqual([expect.objectContaining({ args: expectedArgs(login) })]);
    },
  );

  test("adds --client-id for a user-assigned managed identity", () => {
    const clientId = "11111111-2222-3333-4444-555555555555";
    const block = providerBlock({ login: "msi", clientId }, "helm");
    expect(block.kubernetes?.exec?.args).toEqual([...expectedArgs("msi"), "--client-id", clientId]);
  });

  test("adds --tenant-id for a service principal", () => {
    const tenantId = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
    const block = providerBlock({ login: "spn", tenantId }, "kubernetes");
    expect(block.exec).toEqual([
      expect.objectContaining({ args: [...expectedArgs("spn"), "--tenant-id", tenantId] }),
    ]);
  });

  test("uses a custom server id when given", () => {
    const serverId = "00000000-1111-2222-3333-444444444444";
    const block = providerBlock({ serverId }, "helm");
    expect(block.kubernetes?.exec?.args).toEqual([
      "get-token",
      "--login",
      "azurecli",
      "--server-id",
      serverId,
    ]);
  });

  test("uses a custom kubelogin command when given", () => {
    const block = providerBlock({ kubeloginCommand: "/opt/bin/kubelogin" }, "helm");
    expect(block.kubernetes?.exec?.command).toBe("/opt/bin/kubelogin");
  });

  test("sets the alias on both providers when providerAlias is given", () => {
    expect(providerBlock({ providerAlias: "ttd_tt02" }, "kubernetes").alias).toBe("ttd_tt02");
    expect(providerBlock({ providerAlias: "ttd_tt02" }, "helm").alias).toBe("ttd_tt02");
  });

  test("does not create an azurerm provider of its own", () => {
    const { stack } = k8sStack();
    expect(synthStack(stack).parsed.provider?.azurerm).toHaveLength(1);
  });

  test("exposes the OIDC issuer URL and node resource group of the data source", () => {
    const { stack, connection } = k8sStack();
    new TerraformOutput(stack, "issuer", { value: connection.oidcIssuerUrl });
    new TerraformOutput(stack, "node_rg", { value: connection.nodeResourceGroup });
    const outputs = synthStack(stack).parsed.output ?? {};
    expect(outputs.issuer?.value).toMatch(/^\$\{data\.azurerm_kubernetes_cluster\..+\.oidc_issuer_url\}$/);
    expect(outputs.node_rg?.value).toMatch(
      /^\$\{data\.azurerm_kubernetes_cluster\..+\.node_resource_group\}$/,
    );
  });

  test("defaults to the azurecli login mode", () => {
    expect(k8sStack().connection.login).toBe("azurecli");
  });

  test("kubeloginArgs defaults to the AKS server application id", () => {
    expect(kubeloginArgs("azurecli")).toEqual(expectedArgs("azurecli"));
  });

  test("fails if login is not a supported kubelogin mode", () => {
    expect(() => k8sStack({ login: "devicecode" as KubeloginMode })).toThrow(
      /login "devicecode" is not a supported/,
    );
  });

  test("fails if serverId is not a GUID", () => {
    expect(() => k8sStack({ serverId: "not-a-guid" })).toThrow(ConstructValidationError);
  });

  test("fails if clientId is not a GUID", () => {
    expect(() => k8sStack({ login: "msi", clientId: "my-identity" })).toThrow(
      /clientId "my-identity" is not a GUID/,
    );
  });

  test("fails if clientId is given with the azurecli login mode", () => {
    expect(() => k8sStack({ clientId: "11111111-2222-3333-4444-555555555555" })).toThrow(
      /has no effect with login "azurecli"/,
    );
  });

  test("fails if tenantId is given with the msi login mode", () => {
    expect(() => k8sStack({ login: "msi", tenantId: "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee" })).toThrow(
      /tenantId .* has no effect with login "msi"/,
    );
  });

  test("fails if clusterName is empty", () => {
    expect(() => k8sStack({ clusterName: " " })).toThrow(/clusterName is empty/);
  });

  test("fails if resourceGroupName is empty", () => {
    expect(() => k8sStack({ resourceGroupName: "" })).toThrow(/resourceGroupName is empty/);
  });

  test("names the construct path in validation errors", () => {
    expect(() => k8sStack({ serverId: "x" })).toThrow(/^apps-ttd-tt02-k8s\/cluster: /);
  });
});

describe("an apps -k8s stack composition", () => {
  function composition(nodeOsUpgradeChannel: string) {
    const { stack, connection } = k8sStack();
    new Traefik(stack, "traefik", {
      connection,
      loadBalancerIp: "20.100.1.10",
      loadBalancerResourceGroup: "altinnapps-ttd-tt02-rg",
    });
    new KubernetesWrapper(stack, "kubernetes-wrapper", { connection });
    if (kuredRequired(nodeOsUpgradeChannel)) {
      new Kured(stack, "kured", { connection, nodeOsUpgradeChannel });
    }
    return synthStack(stack);
  }

  test("binds every in-cluster resource to the connection's providers", () => {
    const synth = composition("Unmanaged");
    for (const [type, byId] of Object.entries(synth.parsed.resource ?? {})) {
      const expected = type === "helm_release" ? "helm" : "kubernetes";
      for (const resource of Object.values(byId)) {
        expect(resource.provider).toBe(expected);
      }
    }
  });

  test("installs no Kured when AKS reimages nodes (NodeImage)", () => {
    const releases = Object.values(composition("NodeImage").parsed.resource?.helm_release ?? {});
    expect(releases.map((r) => r.chart)).toEqual(["traefik"]);
  });

  test("installs Kured when the node OS channel is Unmanaged", () => {
    const releases = Object.values(composition("Unmanaged").parsed.resource?.helm_release ?? {});
    expect(releases.map((r) => r.chart).sort()).toEqual(["kured", "traefik"]);
  });

  test("matches the snapshot", () => {
    // The terraform block is left out: the default local backend path is absolute, so machine-specific.
    const { data, provider, resource } = composition("NodeImage").parsed;
    expect({ data, provider, resource }).toMatchSnapshot();
  });
});
