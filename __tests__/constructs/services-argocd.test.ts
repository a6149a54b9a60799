import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { parse } from "yaml";
import { ClusterConnection } from "../../constructs/in-cluster";
import { ARGOCD_CHART_VERSION, ArgoCd, type ArgoCdProps } from "../../constructs/services";
import { onlyResource, synthStack, testApp } from "../../testing";

function build(props: ArgoCdProps = {}) {
  const stack = new TerraformStack(testApp(), "platform-test-k8s");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "test-aks",
    resourceGroupName: "test-rg",
  });
  const argocd = new ArgoCd(stack, "argocd", { connection, ...props });
  return { stack, argocd };
}

function values(props: ArgoCdProps = {}): any {
  return parse((onlyResource(synthStack(build(props).stack), "helm_release").values as string[])[0]!);
}

describe("ArgoCd", () => {
  test("installs argo-helm's argo-cd chart, pinned", () => {
    expect(onlyResource(synthStack(build().stack), "helm_release")).toMatchObject({
      chart: "argo-cd",
      repository: "https://argoproj.github.io/argo-helm",
      version: "9.2.3",
    });
    expect(ARGOCD_CHART_VERSION).toBe("9.2.3");
  });

  test("keeps the server inside the cluster by default", () => {
    const server = values().server;
    expect(server.service).toEqual({ type: "ClusterIP" });
    expect(server.ingress).toEqual({ enabled: false });
  });

  test("disables Dex, the local admin, anonymous access and the web terminal", () => {
    const v = values();
    expect(v.dex).toEqual({ enabled: false });
    expect(v.configs.cm).toEqual({
      "admin.enabled": false,
      "users.anonymous.enabled": false,
      "exec.enabled": false,
    });
  });

  test("installs its CRDs and keeps them on uninstall", () => {
    expect(values().crds).toEqual({ install: true, keep: true });
  });

  test("runs HA API and repo servers with PDBs and memory limits", () => {
    const v = values();
    for (const component of [v.server, v.repoServer]) {
      expect(component.replicas).toBe(2);
      expect(component.pdb).toEqual({ enabled: true, minAvailable: 1 });
      expect(component.resources.limits.memory).toBeDefined();
    }
    expect(v.controller.resources.limits.memory).toBe("1Gi");
  });

  test("with the local admin, leaves argocd-secret (and its bcrypt hash) to the operator", () => {
    const { argocd } = build({ login: "localAdmin" });
    const v = values({ login: "localAdmin" });
    expect(v.configs.cm["admin.enabled"]).toBe(true);
    expect(v.configs.secret).toEqual({ createSecret: false });
    expect(argocd.requiredSecrets).toEqual([
      expect.objectContaining({
        namespace: "argocd",
        name: "argocd-secret",
        keys: expect.arrayContaining(["admin.password"]),
      }),
    ]);
  });

  test("publishes through the ingress with TLS ending at NGINX", () => {
    const v = values({
      ingress: {
        host: "argocd.example.com",
        ingressClassName: "nginx",
        annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      },
    });
    expect(v.global.domain).toBe("argocd.example.com");
    expect(v.server.ingress).toEqual({
      enabled: true,
      ingressClassName: "nginx",
      annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" },
      hostname: "argocd.example.com",
      tls: true,
    });
    expect(v.configs.params["server.insecure"]).toBe(true);
  });

  test("fails if OIDC is configured for the local admin login", () => {
    expect(() => build({ login: "localAdmin", oidcConfig: "name: Entra" })).toThrow(/oidcConfig is set/);
  });

  test("fails if domain and ingress host disagree", () => {
    expect(() =>
      build({ domain: "cd.example.com", ingress: { host: "argocd.example.com", ingressClassName: "nginx" } }),
    ).toThrow(/differs from ingress.host/);
  });
});
