// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the fixtures are Terraform JSON, whose "${...}" are Terraform interpolations, not template literals
import { blockReferences, leafKey, parseReferences, stringAt } from "../../docs-gen/terraform";

describe("parseReferences", () => {
  test("reads a resource reference and the attribute read from it", () => {
    expect(parseReferences("${azurerm_resource_group.environment_resource-group_0FDBE7E3.name}")).toEqual([
      {
        target: {
          mode: "resource",
          type: "azurerm_resource_group",
          name: "environment_resource-group_0FDBE7E3",
        },
        attribute: "name",
      },
    ]);
  });

  test("reads a data source reference with an indexed attribute path", () => {
    expect(parseReferences("${azurerm_kubernetes_cluster.c.kubelet_identity[0].object_id}")[0]).toEqual({
      target: { mode: "resource", type: "azurerm_kubernetes_cluster", name: "c" },
      attribute: "kubelet_identity[0].object_id",
    });
    expect(parseReferences("${data.azurerm_public_ip.ip.ip_address}")[0]?.target).toEqual({
      mode: "data",
      type: "azurerm_public_ip",
      name: "ip",
    });
  });

  test("finds references inside function calls and among literal text", () => {
    const refs = parseReferences(
      "host: ${base64decode(data.azurerm_kubernetes_cluster.k.kube_config[0].cluster_ca_certificate)} ip: ${azurerm_public_ip.p.ip_address}",
    );
    expect(refs.map((r) => [r.target.mode, r.target.type, r.target.name, r.attribute])).toEqual([
      ["data", "azurerm_kubernetes_cluster", "k", "kube_config[0].cluster_ca_certificate"],
      ["resource", "azurerm_public_ip", "p", "ip_address"],
    ]);
  });

  test("ignores variables, locals, modules and escaped interpolations", () => {
    expect(parseReferences("${var.location} ${local.tags.env} ${module.m.out} $${azurerm_x.y.z}")).toEqual(
      [],
    );
  });

  test("ignores strings without interpolations", () => {
    expect(parseReferences("azurerm_resource_group.x.name")).toEqual([]);
  });
});

describe("blockReferences", () => {
  test("walks nested blocks and lists, skipping cdktf metadata, in attribute order", () => {
    const refs = blockReferences({
      "//": { metadata: { path: "${azurerm_a.not_a_reference.x}" } },
      subject: [{ name: "${kubernetes_service_account_v1.sa.metadata[0].name}" }],
      default_node_pool: { vnet_subnet_id: "${azurerm_subnet.s.id}" },
    });
    expect(refs.map((r) => [r.path, r.target.type])).toEqual([
      ["default_node_pool.vnet_subnet_id", "azurerm_subnet"],
      ["subject[0].name", "kubernetes_service_account_v1"],
    ]);
  });

  test("reads the bare addresses of depends_on", () => {
    const refs = blockReferences({ depends_on: ["azurerm_subnet.s", "data.azurerm_client_config.c"] });
    expect(refs.map((r) => [r.path, r.target.mode, r.target.type, r.target.name])).toEqual([
      ["depends_on[0]", "resource", "azurerm_subnet", "s"],
      ["depends_on[1]", "data", "azurerm_client_config", "c"],
    ]);
  });
});

describe("leafKey", () => {
  test("names a reference by its attribute", () => {
    expect(leafKey("network_acls.virtual_network_subnet_ids[0]")).toBe("virtual_network_subnet_ids");
    expect(leafKey("resource_group_name")).toBe("resource_group_name");
  });

  test("names a reference by its block when the attribute only says name or id", () => {
    expect(leafKey("role_ref.name")).toBe("role_ref");
    expect(leafKey("subject[0].name")).toBe("subject");
  });
});

describe("stringAt", () => {
  test("reads through the single-item lists Terraform JSON uses for blocks", () => {
    expect(stringAt({ metadata: [{ name: "traefik" }] }, "metadata.name")).toBe("traefik");
    expect(stringAt({ metadata: { namespace: "default" } }, "metadata.namespace")).toBe("default");
    expect(stringAt({ metadata: {} }, "metadata.name")).toBeUndefined();
  });
});
