// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are Terraform JSON, whose "${...}" are Terraform interpolations, not template literals
import { toDot, toMermaid } from "../../docs-gen/diagram";
import { type ResourceGraph, resourceDiagram, resourceGraph, shortType } from "../../docs-gen/resource-graph";
import { svgRenderer } from "../../docs-gen/svg";
import type { StackJson } from "../../docs-gen/terraform";

const meta = (path: string) => ({ metadata: { path, uniqueId: path.replace(/\//g, "_") } });
const rg = "${azurerm_resource_group.rg_0FDBE7E3.name}";

/** A small Apps-like stack: a resource group with a network, a cluster, a role and a read registry. */
const appsLike: StackJson = {
  data: {
    azurerm_container_registry: {
      "org-registry": { name: "ttdaltinnregistry01", resource_group_name: "altinnapps-ttd-acr-rg" },
    },
  },
  resource: {
    azurerm_resource_group: {
      rg_0FDBE7E3: {
        "//": meta("s/rg"),
        name: "altinnapps-ttd-tt02-rg",
        lifecycle: { prevent_destroy: true },
      },
    },
    azurerm_virtual_network: {
      vnet_C723963C: {
        name: "altinnapps-ttd-tt02-vnet",
        address_space: ["10.2.208.0/22"],
        resource_group_name: rg,
      },
    },
    azurerm_subnet: {
      sys_923E6D57: {
        name: "syspool",
        address_prefixes: ["10.2.208.0/24"],
        resource_group_name: rg,
        virtual_network_name: "${azurerm_virtual_network.vnet_C723963C.name}",
      },
    },
    azurerm_network_security_group: { nsg: { name: "sys-nsg", resource_group_name: rg } },
    azurerm_subnet_network_security_group_association: {
      assoc: {
        network_security_group_id: "${azurerm_network_security_group.nsg.id}",
        subnet_id: "${azurerm_subnet.sys_923E6D57.id}",
      },
    },
    azurerm_kubernetes_cluster: {
      aks: {
        name: "ttd-tt02-aks",
        resource_group_name: rg,
        lifecycle: { prevent_destroy: true },
        default_node_pool: { name: "syspool", vnet_subnet_id: "${azurerm_subnet.sys_923E6D57.id}" },
      },
    },
    azurerm_kubernetes_cluster_node_pool: {
      pool: { name: "workpool", kubernetes_cluster_id: "${azurerm_kubernetes_cluster.aks.id}" },
    },
    azurerm_role_assignment: {
      "kubelet-acr-pull": {
        "//": meta("s/kubelet-acr-pull"),
        principal_id: "${azurerm_kubernetes_cluster.aks.kubelet_identity[0].object_id}",
        role_definition_name: "AcrPull",
        scope: "${data.azurerm_container_registry.org-registry.id}",
      },
      "network-contributor": {
        principal_id: "${azurerm_kubernetes_cluster.aks.identity[0].principal_id}",
        role_definition_name: "Network Contributor",
        scope: "${azurerm_resource_group.rg_0FDBE7E3.id}",
      },
    },
    azurerm_dns_zone: { zone: { name: "ttd.apps.tt02.altinn.no", resource_group_name: rg } },
    azurerm_dns_a_record: {
      wildcard: { name: "*", zone_name: "${azurerm_dns_zone.zone.name}", resource_group_name: rg },
    },
  },
};

const graph = resourceGraph(appsLike, {
  managedBy: new Map([
    ["azurerm_container_registry|ttdaltinnregistry01", "org-ttd"],
    ["azurerm_resource_group|altinnapps-ttd-acr-rg", "org-ttd"],
  ]),
});

const node = (g: ResourceGraph, key: string) => {
  const n = g.nodes.find((x) => x.key === key);
  if (!n) throw new Error(`no node ${key}; nodes: ${g.nodes.map((x) => x.key).join(", ")}`);
  return n;
};
const edgesFrom = (g: ResourceGraph, from: string) => g.edges.filter((e) => e.from === from);

describe("grouping by resource group and network", () => {
  test("places a resource in the resource group its resource_group_name refers to", () => {
    expect(node(graph, "azurerm_kubernetes_cluster.aks").group).toBe("rg:azurerm_resource_group.rg_0FDBE7E3");
  });

  test("draws the resource group and the virtual network as nested boxes, labelled with names and ranges", () => {
    const vnet = graph.groups.find((g) => g.key === "vnet:azurerm_virtual_network.vnet_C723963C");
    expect(vnet).toMatchObject({
      parent: "rg:azurerm_resource_group.rg_0FDBE7E3",
      label: ["virtual network", "altinnapps-ttd-tt02-vnet", "10.2.208.0/22"],
      style: "network",
    });
    expect(graph.groups.find((g) => g.key === "rg:azurerm_resource_group.rg_0FDBE7E3")?.label).toEqual([
      "resource group",
      "altinnapps-ttd-tt02-rg",
    ]);
  });

  test("places a subnet inside its virtual network, with its range", () => {
    expect(node(graph, "azurerm_subnet.sys_923E6D57")).toMatchObject({
      group: "vnet:azurerm_virtual_network.vnet_C723963C",
      lines: ["subnet", "syspool", "10.2.208.0/24"],
    });
  });

  test("places a resource without resource_group_name with its parent", () => {
    expect(node(graph, "azurerm_kubernetes_cluster_node_pool.pool").group).toBe(
      "rg:azurerm_resource_group.rg_0FDBE7E3",
    );
  });

  test("puts a data source read from another stack's resource group in a dashed box naming that stack", () => {
    expect(node(graph, "data.azurerm_container_registry.org-registry")).toMatchObject({
      kind: "data",
      group: "rg-name:altinnapps-ttd-acr-rg",
      lines: ["container registry (data source)", "ttdaltinnregistry01", "read by name from org-ttd"],
    });
    expect(graph.groups.find((g) => g.key === "rg-name:altinnapps-ttd-acr-rg")).toMatchObject({
      style: "external-group",
      label: ["resource group", "altinnapps-ttd-acr-rg (org-ttd)"],
    });
  });
});

describe("edges", () => {
  test("draws a reference with the attribute that holds it", () => {
    expect(edgesFrom(graph, "azurerm_kubernetes_cluster.aks")).toContainEqual(
      expect.objectContaining({
        to: "azurerm_subnet.sys_923E6D57",
        labels: ["vnet_subnet_id"],
        kind: "reference",
      }),
    );
  });

  test("does not draw containment (resource_group_name, virtual_network_name) as edges", () => {
    const labels = graph.edges.flatMap((e) => e.labels);
    expect(labels).not.toContain("resource_group_name");
    expect(labels).not.toContain("virtual_network_name");
  });

  test("collapses a role assignment into an edge from principal to scope, labelled with the role", () => {
    expect(graph.nodes.map((n) => n.type)).not.toContain("azurerm_role_assignment");
    expect(edgesFrom(graph, "azurerm_kubernetes_cluster.aks")).toContainEqual({
      from: "azurerm_kubernetes_cluster.aks",
      to: "data.azurerm_container_registry.org-registry",
      fromGroup: false,
      toGroup: false,
      labels: ["AcrPull (kubelet identity)"],
      kind: "role",
    });
  });

  test("draws a resource group that is a role's scope as a node inside its own box", () => {
    expect(node(graph, "azurerm_resource_group.rg_0FDBE7E3")).toMatchObject({
      group: "rg:azurerm_resource_group.rg_0FDBE7E3",
      lines: ["resource group", "altinnapps-ttd-tt02-rg"],
      stateful: true,
    });
    expect(edgesFrom(graph, "azurerm_kubernetes_cluster.aks")).toContainEqual(
      expect.objectContaining({
        to: "azurerm_resource_group.rg_0FDBE7E3",
        labels: ["Network Contributor (identity)"],
        toGroup: false,
      }),
    );
  });

  test("collapses an association into one edge from the side its type names first", () => {
    expect(graph.nodes.map((n) => n.type)).not.toContain("azurerm_subnet_network_security_group_association");
    expect(edgesFrom(graph, "azurerm_subnet.sys_923E6D57")).toEqual([
      expect.objectContaining({ to: "azurerm_network_security_group.nsg", kind: "association" }),
    ]);
  });

  test("names DNS records by their full name", () => {
    expect(node(graph, "azurerm_dns_a_record.wildcard").lines).toEqual([
      "dns a record",
      "*.ttd.apps.tt02.altinn.no",
    ]);
  });

  test("marks resources with prevent_destroy", () => {
    expect(node(graph, "azurerm_kubernetes_cluster.aks").stateful).toBe(true);
    expect(node(graph, "azurerm_kubernetes_cluster_node_pool.pool").stateful).toBe(false);
  });
});

describe("things given by id, and ambient data sources", () => {
  const stack: StackJson = {
    data: { azurerm_client_config: { current: {} } },
    resource: {
      azurerm_resource_group: { rg: { name: "state-rg" } },
      azurerm_storage_account: {
        sa: {
          name: "statesa",
          resource_group_name: "${azurerm_resource_group.rg.name}",
          tenant: "${data.azurerm_client_config.current.tenant_id}",
        },
      },
      azurerm_storage_container: {
        c: { name: "tfstate-prod", storage_account_id: "${azurerm_storage_account.sa.id}" },
      },
      azurerm_postgresql_flexible_server_database: {
        db: { name: "events", server_id: "${azurerm_storage_account.sa.id}" },
      },
      azurerm_role_assignment: {
        apply: {
          principal_id: "99356597-6fba-4662-b6a7-30b7b12e9eed",
          principal_type: "ServicePrincipal",
          role_definition_name: "Storage Blob Data Contributor",
          scope: "${azurerm_storage_container.c.id}",
        },
      },
    },
  };
  const g = resourceGraph(stack);

  test("draws a principal given by id once, dashed, with an edge labelled with its role", () => {
    expect(node(g, "outside:99356597-6fba-4662-b6a7-30b7b12e9eed")).toMatchObject({
      kind: "outside",
      lines: ["ServicePrincipal (not in this stack)", "99356597-6fba-4662-b6a7-30b7b12e9eed"],
    });
    expect(edgesFrom(g, "outside:99356597-6fba-4662-b6a7-30b7b12e9eed")).toEqual([
      expect.objectContaining({
        to: "azurerm_storage_container.c",
        labels: ["Storage Blob Data Contributor"],
        kind: "role",
      }),
    ]);
  });

  test("says who reads an argument-less data source instead of drawing edges to it", () => {
    expect(node(g, "data.azurerm_client_config.current").lines).toEqual([
      "client config (data source)",
      "read at plan time for the tenant of 1 block",
    ]);
    expect(g.edges.filter((e) => e.to === "data.azurerm_client_config.current")).toEqual([]);
  });

  test("places a resource that names its parent by another *_id attribute with that parent", () => {
    expect(node(g, "azurerm_postgresql_flexible_server_database.db").group).toBe(
      "rg:azurerm_resource_group.rg",
    );
    expect(node(g, "azurerm_storage_container.c").group).toBe("rg:azurerm_resource_group.rg");
  });
});

/** A small -k8s-like stack: providers reading a cluster data source, namespaced workloads. */
const k8sLike: StackJson = {
  provider: {
    helm: [{ kubernetes: { host: "${data.azurerm_kubernetes_cluster.cluster.kube_config[0].host}" } }],
    kubernetes: [{ host: "${data.azurerm_kubernetes_cluster.cluster.kube_config[0].host}" }],
  },
  data: {
    azurerm_kubernetes_cluster: {
      cluster: { name: "ttd-tt02-aks", resource_group_name: "altinnapps-ttd-tt02-rg" },
    },
    azurerm_public_ip: {
      ip: { name: "ttd-tt02-ingress-pip4", resource_group_name: "altinnapps-ttd-tt02-rg" },
    },
  },
  resource: {
    kubernetes_namespace_v1: { ns: { metadata: { name: "traefik" } } },
    helm_release: {
      traefik: {
        name: "traefik",
        chart: "traefik",
        version: "38.0.1",
        namespace: "${kubernetes_namespace_v1.ns.metadata[0].name}",
        values: ["service:\n  ip: ${data.azurerm_public_ip.ip.ip_address}\n"],
      },
    },
    kubernetes_service_account_v1: { sa: { metadata: { name: "wrapper-sa", namespace: "default" } } },
    kubernetes_cluster_role_v1: { reader: { metadata: { name: "reader" } } },
    random_password: { p: { length: 16 } },
  },
};
const k8s = resourceGraph(k8sLike);

describe("in-cluster stacks", () => {
  test("groups Kubernetes resources by namespace inside the cluster the providers reach", () => {
    expect(k8s.groups.find((g) => g.key === "k8s")?.label).toEqual([
      "in-cluster",
      "Kubernetes API of ttd-tt02-aks",
    ]);
    expect(node(k8s, "helm_release.traefik")).toMatchObject({
      group: "ns:traefik",
      lines: ["helm release", "traefik", "chart traefik 38.0.1"],
    });
    expect(node(k8s, "kubernetes_namespace_v1.ns").group).toBe("ns:traefik");
    expect(node(k8s, "kubernetes_service_account_v1.sa").group).toBe("ns:default");
    expect(node(k8s, "kubernetes_cluster_role_v1.reader").group).toBe("ns:");
    expect(k8s.groups.find((g) => g.key === "ns:")?.label).toEqual(["cluster-scoped"]);
  });

  test("draws the helm release's read of the public IP, but not its namespace, as an edge", () => {
    expect(edgesFrom(k8s, "helm_release.traefik")).toEqual([
      expect.objectContaining({ to: "data.azurerm_public_ip.ip", labels: ["values"], kind: "read" }),
    ]);
  });

  test("draws providers that read the cluster, and what they deploy into", () => {
    expect(edgesFrom(k8s, "provider.kubernetes")).toEqual([
      expect.objectContaining({ to: "data.azurerm_kubernetes_cluster.cluster", labels: ["host"] }),
      expect.objectContaining({ to: "k8s", toGroup: true, labels: ["deploys"] }),
    ]);
  });

  test("lays out what a provider connects through before the provider", () => {
    const d = resourceDiagram(k8s, "k8s");
    const toCluster = d.edges.filter((e) => e.from === "n_provider_kubernetes");
    expect(toCluster.map((e) => [e.to, e.rankBackwards ?? false])).toEqual([
      ["n_data_kubernetes_cluster_cluster", true],
      ["g_k8s", false],
    ]);
  });

  test("still draws resources of a provider it knows nothing about, outside any group", () => {
    expect(node(k8s, "random_password.p")).toMatchObject({ lines: ["random password", "p"] });
    expect(node(k8s, "random_password.p").group).toBeUndefined();
  });
});

describe("shortType", () => {
  test("drops the provider prefix and version suffix, keeps helm's", () => {
    expect(shortType("azurerm_kubernetes_cluster_node_pool")).toBe("kubernetes cluster node pool");
    expect(shortType("kubernetes_deployment_v1")).toBe("deployment");
    expect(shortType("helm_release")).toBe("helm release");
  });
});

describe("rendering", () => {
  const diagram = resourceDiagram(graph, "fixture");

  test("Mermaid has nested subgraphs, dashed data sources and thick role edges", () => {
    const text = toMermaid(diagram);
    expect(text.split("\n")[0]).toBe("graph LR");
    expect(text).toMatch(/subgraph g_rg_resource_group_rg\["resource group<br\/>altinnapps-ttd-tt02-rg"\]/);
    expect(text).toMatch(/subgraph g_vnet_virtual_network_vnet\[/);
    expect(text).toContain("classDef data ");
    expect(text).toMatch(
      /n_kubernetes_cluster_aks ==>\|"AcrPull \(kubelet identity\)"\| n_data_container_registry_org_registry/,
    );
    expect(text).toMatch(/linkStyle \d+(,\d+)* stroke:#b35c1e/);
  });

  test("DOT renders to SVG in-process, identically every time, without a generator stamp", async () => {
    const render = await svgRenderer();
    const dot = toDot(diagram);
    const first = render(dot);
    expect(first).toMatch(/^<\?xml[\s\S]*<svg /);
    expect(first).not.toMatch(/Generated by graphviz/);
    // Graphviz writes hyphens in text as entities.
    expect(first).toContain("ttd&#45;tt02&#45;aks");
    expect(render(toDot(resourceDiagram(resourceGraph(appsLike), "fixture")))).not.toBe("");
    expect(render(dot)).toBe(first);
  });
});
