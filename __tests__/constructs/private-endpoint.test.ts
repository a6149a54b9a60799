import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { MonitorPrivateLink } from "../../constructs/monitoring";
import { PRIVATE_LINK_ZONES, PrivateDnsZoneSet, PrivateEndpoint } from "../../constructs/network";
import { resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function zones(stack: TerraformStack): PrivateDnsZoneSet {
  return new PrivateDnsZoneSet(stack, "dns", {
    resourceGroupName: "rg",
    virtualNetworkId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet",
    linkName: "vnet",
    tags: TAGS,
  });
}

function endpoint(stack: TerraformStack, dns: PrivateDnsZoneSet, id: string, subresource: "blob" | "vault") {
  return new PrivateEndpoint(stack, id, {
    name: `${id}-pe`,
    resourceGroupName: "rg",
    location: "norwayeast",
    subnetId: "/subnets/endpoints",
    targetResourceId: `/targets/${id}`,
    subresource,
    dnsZones: dns,
    tags: TAGS,
  });
}

function monitorLink(
  stack: TerraformStack,
  dns: PrivateDnsZoneSet,
  dataCollectionEndpointName = "ttd-at22-dce",
) {
  return new MonitorPrivateLink(stack, "ampls", {
    name: "application-ttd-at22-law",
    dataCollectionEndpointName,
    resourceGroupName: "monitor-rg",
    endpointResourceGroupName: "rg",
    location: "norwayeast",
    workspaceId: "/workspaces/law",
    appInsightsId: "/components/ai",
    endpointSubnetId: "/subnets/endpoints",
    dnsZones: dns,
    tags: TAGS,
  });
}

describe("PrivateEndpoint and PrivateDnsZoneSet", () => {
  test("an endpoint is approved automatically and registers in its subresource's zones", () => {
    const stack = newStack();
    endpoint(stack, zones(stack), "kv", "vault");
    const synth = synthStack(stack);
    const [pe] = Object.values(resourcesOf(synth, "azurerm_private_endpoint"));
    expect(pe).toMatchObject({
      name: "kv-pe",
      subnet_id: "/subnets/endpoints",
      custom_network_interface_name: "kv-pe-nic",
      private_service_connection: {
        private_connection_resource_id: "/targets/kv",
        subresource_names: ["vault"],
        is_manual_connection: false,
      },
      private_dns_zone_group: { name: "default" },
    });
    const zoneNames = Object.values(resourcesOf(synth, "azurerm_private_dns_zone")).map((z) => z.name);
    expect(zoneNames).toEqual(["privatelink.vaultcore.azure.net"]);
    const links = Object.values(resourcesOf(synth, "azurerm_private_dns_zone_virtual_network_link"));
    expect(links).toEqual([
      expect.objectContaining({
        registration_enabled: false,
        virtual_network_id: expect.stringContaining("vnet"),
      }),
    ]);
  });

  test("creates each zone once per network, however many endpoints share it (storage and Azure Monitor blob)", () => {
    const stack = newStack();
    const dns = zones(stack);
    endpoint(stack, dns, "st", "blob");
    monitorLink(stack, dns);
    const synth = synthStack(stack);
    const zoneNames = Object.values(resourcesOf(synth, "azurerm_private_dns_zone")).map((z) =>
      String(z.name),
    );
    expect(zoneNames.sort()).toEqual([...PRIVATE_LINK_ZONES.azuremonitor].sort());
    expect(Object.keys(resourcesOf(synth, "azurerm_private_dns_zone_virtual_network_link"))).toHaveLength(5);
    const blobZone = Object.entries(resourcesOf(synth, "azurerm_private_dns_zone")).find(
      ([, z]) => z.name === "privatelink.blob.core.windows.net",
    )![0];
    const groups = Object.values(resourcesOf(synth, "azurerm_private_endpoint")).map(
      (e) => (e.private_dns_zone_group as { private_dns_zone_ids: string[] }).private_dns_zone_ids,
    );
    for (const ids of groups) expect(ids).toContain(`\${azurerm_private_dns_zone.${blobZone}.id}`);
  });

  test("zones carry prevent_destroy: every client in the network resolves through them", () => {
    const stack = newStack();
    endpoint(stack, zones(stack), "kv", "vault");
    const [zone] = Object.values(resourcesOf(synthStack(stack), "azurerm_private_dns_zone"));
    expect(zone!.lifecycle).toEqual({ prevent_destroy: true });
  });

  test("refuses an endpoint name Azure rejects", () => {
    const stack = newStack();
    const dns = zones(stack);
    expect(
      () =>
        new PrivateEndpoint(stack, "bad", {
          name: `${"x".repeat(64)}-pe`,
          resourceGroupName: "rg",
          location: "norwayeast",
          subnetId: "/s",
          targetResourceId: "/t",
          subresource: "blob",
          dnsZones: dns,
          tags: TAGS,
        }),
    ).toThrow(ConstructValidationError);
  });
});

describe("MonitorPrivateLink", () => {
  test("a PrivateOnly scope with the workspace, Application Insights and a private data collection endpoint", () => {
    const stack = newStack();
    const link = monitorLink(stack, zones(stack));
    const synth = synthStack(stack);
    expect(Object.values(resourcesOf(synth, "azurerm_monitor_private_link_scope"))).toEqual([
      expect.objectContaining({
        name: "application-ttd-at22-law-ampls",
        ingestion_access_mode: "PrivateOnly",
        query_access_mode: "PrivateOnly",
      }),
    ]);
    expect(Object.values(resourcesOf(synth, "azurerm_monitor_data_collection_endpoint"))).toEqual([
      expect.objectContaining({ name: "ttd-at22-dce", public_network_access_enabled: false }),
    ]);
    const linked = Object.values(resourcesOf(synth, "azurerm_monitor_private_link_scoped_service")).map(
      (s) => s.linked_resource_id,
    );
    expect(linked).toEqual(
      expect.arrayContaining([
        "/workspaces/law",
        "/components/ai",
        expect.stringContaining("data_collection_endpoint"),
      ]),
    );
    expect(Object.values(resourcesOf(synth, "azurerm_private_endpoint"))).toEqual([
      expect.objectContaining({
        resource_group_name: "rg",
        private_service_connection: expect.objectContaining({ subresource_names: ["azuremonitor"] }),
      }),
    ]);
    expect(link.dataCollectionEndpointId).toBeDefined();
  });

  test("refuses a data collection endpoint name Azure rejects", () => {
    const stack = newStack();
    expect(() => monitorLink(stack, zones(stack), `${"x".repeat(41)}-dce`)).toThrow(
      /dataCollectionEndpointName: /,
    );
    expect(() => monitorLink(newStack(), zones(newStack()), "-dce")).toThrow(ConstructValidationError);
  });
});
