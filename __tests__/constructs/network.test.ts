import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { TerraformOutput, TerraformStack, TerraformVariable, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import {
  ClusterNetwork,
  type ClusterNetworkProps,
  StaticPublicIp,
  type StaticPublicIpProps,
  type SubnetSpec,
} from "../../constructs/network";
import { resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function networkProps(overrides: Partial<ClusterNetworkProps> = {}): ClusterNetworkProps {
  return {
    name: "altinnapps-ttd-at22-vnet",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    addressSpace: ["10.202.72.0/21"],
    subnets: [
      { name: "aks_syspool", addressPrefix: "10.202.72.0/24" },
      { name: "aks_workpool", addressPrefix: "10.202.73.0/24", allowIngressHttp: true },
    ],
    tags: TAGS,
    ...overrides,
  };
}

function withSubnets(...subnets: SubnetSpec[]): ClusterNetworkProps {
  return networkProps({ subnets });
}

function build(props: ClusterNetworkProps = networkProps()) {
  const stack = newStack();
  const network = new ClusterNetwork(stack, "network", props);
  return { stack, network, synth: synthStack(stack) };
}

function nsgRules(synth: ReturnType<typeof synthStack>) {
  return Object.values(resourcesOf(synth, NetworkSecurityRule.tfResourceType));
}

describe("ClusterNetwork", () => {
  test("creates the VNet with its address space and the submodule tag", () => {
    const { synth } = build();
    expect(synth.json).toHaveResourceWithProperties(VirtualNetwork, {
      name: "altinnapps-ttd-at22-vnet",
      address_space: ["10.202.72.0/21"],
      tags: { ...TAGS, submodule: "cluster-network" },
    });
  });

  test("creates each subnet as its own resource with private-subnet defaults", () => {
    const { synth } = build();
    expect(Object.keys(resourcesOf(synth, Subnet.tfResourceType))).toHaveLength(2);
    expect(synth.json).toHaveResourceWithProperties(Subnet, {
      name: "aks_syspool",
      address_prefixes: ["10.202.72.0/24"],
      private_endpoint_network_policies: "Enabled",
      default_outbound_access_enabled: false,
    });
  });

  test("gives every subnet its own NSG named after VNet and subnet", () => {
    const { synth } = build();
    const names = Object.values(resourcesOf(synth, NetworkSecurityGroup.tfResourceType)).map((r) => r.name);
    expect(names.sort()).toEqual([
      "altinnapps-ttd-at22-vnet-aks_syspool-nsg",
      "altinnapps-ttd-at22-vnet-aks_workpool-nsg",
    ]);
    expect(synth.json).toHaveResourceWithProperties(NetworkSecurityGroup, {
      tags: { ...TAGS, submodule: "cluster-network" },
    });
  });

  test("associates each NSG with its subnet", () => {
    const { synth } = build();
    const associations = Object.values(
      resourcesOf(synth, SubnetNetworkSecurityGroupAssociation.tfResourceType),
    );
    expect(associations).toHaveLength(2);
    expect(associations).toContainEqual({
      subnet_id: expect.stringMatching(/^\$\{azurerm_subnet\.network_subnet-aks_syspool_[0-9A-F]+\.id\}$/),
      network_security_group_id: expect.stringMatching(
        /^\$\{azurerm_network_security_group\.network_nsg-aks_syspool_[0-9A-F]+\.id\}$/,
      ),
    });
  });

  test("allows inbound HTTP and HTTPS from the Internet only on subnets flagged allowIngressHttp", () => {
    const { synth } = build();
    const rules = nsgRules(synth);
    expect(rules).toHaveLength(1);
    expect(rules[0]).toEqual(
      expect.objectContaining({
        network_security_group_name: expect.stringContaining("network_nsg-aks_workpool_"),
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        source_address_prefix: "Internet",
        destination_address_prefix: "*",
        destination_port_ranges: ["80", "443"],
        priority: 100,
      }),
    );
  });

  test("adds no allow rule when no subnet takes ingress", () => {
    const { synth } = build(withSubnets({ name: "nodes", addressPrefix: "10.202.72.0/24" }));
    expect(nsgRules(synth)).toHaveLength(0);
  });

  test("renders service endpoints and delegation", () => {
    const { synth } = build(
      withSubnets({
        name: "postgres",
        addressPrefix: "10.202.74.0/28",
        serviceEndpoints: ["Microsoft.Storage"],
        delegation: { name: "postgres", serviceName: "Microsoft.DBforPostgreSQL/flexibleServers" },
      }),
    );
    expect(synth.json).toHaveResourceWithProperties(Subnet, {
      service_endpoints: ["Microsoft.Storage"],
      delegation: [
        {
          name: "postgres",
          service_delegation: {
            name: "Microsoft.DBforPostgreSQL/flexibleServers",
            actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
          },
        },
      ],
    });
  });

  test("lets a subnet keep default outbound access and Azure's private endpoint policy explicitly", () => {
    const { synth } = build(
      withSubnets({
        name: "legacy",
        addressPrefix: "10.202.72.0/24",
        defaultOutboundAccess: true,
        privateEndpointNetworkPolicies: "Disabled",
      }),
    );
    expect(synth.json).toHaveResourceWithProperties(Subnet, {
      default_outbound_access_enabled: true,
      private_endpoint_network_policies: "Disabled",
    });
  });

  test("subnetId returns a reference to the named subnet", () => {
    const stack = newStack();
    const network = new ClusterNetwork(stack, "network", networkProps());
    new TerraformOutput(stack, "subnet", { value: network.subnetId("aks_workpool") });
    expect(synthStack(stack).parsed.output?.subnet?.value).toMatch(
      /^\$\{azurerm_subnet\.network_subnet-aks_workpool_[0-9A-F]+\.id\}$/,
    );
    expect(network.subnetNames).toEqual(["aks_syspool", "aks_workpool"]);
  });

  test("networkSecurityGroupAssociation returns the subnet's NSG association, for services that must wait for it", () => {
    const { network } = build();
    const association = network.networkSecurityGroupAssociation("aks_workpool");
    expect(association.node.id).toBe("nsg-association-aks_workpool");
    expect(network.networkSecurityGroupAssociation("aks_workpool")).toBe(association);
    expect(() => network.networkSecurityGroupAssociation("apim")).toThrow(ConstructValidationError);
  });

  test("subnetId throws on an unknown subnet and lists the known ones", () => {
    const { network } = build();
    expect(() => network.subnetId("aks_userpool")).toThrow(ConstructValidationError);
    expect(() => network.subnetId("aks_userpool")).toThrow(/"aks_syspool", "aks_workpool"/);
  });

  test("skips CIDR checks for token address spaces", () => {
    const stack = newStack();
    const space = new TerraformVariable(stack, "space", { type: "list(string)" });
    const props = networkProps({
      addressSpace: space.listValue,
      subnets: [{ name: "a", addressPrefix: "10.9.0.0/24" }],
    });
    expect(() => new ClusterNetwork(stack, "network", props)).not.toThrow();
  });

  describe("validation", () => {
    const fails = (props: ClusterNetworkProps, message: RegExp) => {
      expect(() => new ClusterNetwork(newStack(), "network", props)).toThrow(ConstructValidationError);
      expect(() => new ClusterNetwork(newStack(), "network", props)).toThrow(message);
    };

    test("fails if the address space is empty", () => {
      fails(networkProps({ addressSpace: [] }), /addressSpace is empty/);
    });

    test("fails if an address space entry is not a CIDR", () => {
      fails(networkProps({ addressSpace: ["10.202.72.0"] }), /no prefix length/);
      fails(networkProps({ addressSpace: ["10.202.300.0/21"] }), /not a valid IPv4 CIDR/);
    });

    test("fails if a CIDR is not the network address of its prefix", () => {
      fails(networkProps({ addressSpace: ["10.202.73.0/21"] }), /starts at 10\.202\.72\.0/);
    });

    test("fails if address space entries overlap", () => {
      fails(networkProps({ addressSpace: ["10.202.72.0/21", "10.202.74.0/24"] }), /overlap/);
    });

    test("fails if a subnet lies outside the address space", () => {
      fails(withSubnets({ name: "a", addressPrefix: "10.202.80.0/24" }), /outside the VNet address space/);
    });

    test("fails if subnets overlap", () => {
      fails(
        withSubnets(
          { name: "a", addressPrefix: "10.202.72.0/23" },
          { name: "b", addressPrefix: "10.202.73.0/24" },
        ),
        /subnets "a" \(10\.202\.72\.0\/23\) and "b" \(10\.202\.73\.0\/24\) overlap/,
      );
    });

    test("fails if a subnet is smaller than /29", () => {
      fails(withSubnets({ name: "a", addressPrefix: "10.202.72.0/30" }), /smaller than \/29/);
    });

    test("fails if subnet names repeat, ignoring case", () => {
      fails(
        withSubnets(
          { name: "nodes", addressPrefix: "10.202.72.0/24" },
          { name: "Nodes", addressPrefix: "10.202.73.0/24" },
        ),
        /used twice/,
      );
    });

    test("fails if a subnet uses a name reserved for gateways and firewalls", () => {
      fails(withSubnets({ name: "GatewaySubnet", addressPrefix: "10.202.72.0/27" }), /reserved/);
    });

    test("fails if a subnet name breaks Azure's rule", () => {
      fails(withSubnets({ name: "-nodes", addressPrefix: "10.202.72.0/24" }), /subnet names allow/);
    });

    test("fails if the VNet name breaks Azure's rule", () => {
      fails(networkProps({ name: "v" }), /virtual network names must be 2-64 characters/);
    });

    test("fails if a derived NSG name is too long", () => {
      fails(
        networkProps({
          name: "v".repeat(60),
          subnets: [{ name: "s".repeat(20), addressPrefix: "10.202.72.0/24" }],
        }),
        /derived NSG name/,
      );
    });

    test("fails if a delegation has no service", () => {
      fails(
        withSubnets({
          name: "a",
          addressPrefix: "10.202.72.0/24",
          delegation: { name: "d", serviceName: " " },
        }),
        /delegation\.serviceName is empty/,
      );
    });
  });
});

describe("StaticPublicIp", () => {
  const ipProps = (overrides: Partial<StaticPublicIpProps> = {}): StaticPublicIpProps => ({
    name: "ttd-at22-ingress-pip4",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    tags: TAGS,
    ...overrides,
  });

  test("is a Standard, static, zone-redundant IPv4 address kept from destruction", () => {
    const stack = newStack();
    new StaticPublicIp(stack, "ingress-ip", ipProps());
    expect(synthStack(stack).json).toHaveResourceWithProperties(PublicIp, {
      sku: "Standard",
      allocation_method: "Static",
      ip_version: "IPv4",
      zones: ["1", "2", "3"],
      tags: { ...TAGS, submodule: "public-ip" },
      lifecycle: { prevent_destroy: true },
    });
  });

  test("sets the DNS label when given", () => {
    const stack = newStack();
    new StaticPublicIp(stack, "ingress-ip", ipProps({ domainNameLabel: "ttd-at22" }));
    expect(synthStack(stack).json).toHaveResourceWithProperties(PublicIp, { domain_name_label: "ttd-at22" });
  });

  test("omits zones in a region without zones and can drop prevent_destroy explicitly", () => {
    const stack = newStack();
    new StaticPublicIp(stack, "ingress-ip", ipProps({ zones: [], preventDestroy: false }));
    const ip = Object.values(resourcesOf(synthStack(stack), PublicIp.tfResourceType))[0]!;
    expect(ip.zones).toBeUndefined();
    expect(ip.lifecycle).toBeUndefined();
  });

  test("exposes the address and ID as references", () => {
    const stack = newStack();
    const ip = new StaticPublicIp(stack, "ingress-ip", ipProps());
    expect(Token.isUnresolved(ip.ipAddress)).toBe(true);
    expect(Token.isUnresolved(ip.id)).toBe(true);
  });

  test("fails if the DNS label breaks Azure's rule", () => {
    expect(() => new StaticPublicIp(newStack(), "ip", ipProps({ domainNameLabel: "1ttd" }))).toThrow(
      /domainNameLabel "1ttd"/,
    );
  });

  test("fails if the name breaks Azure's rule", () => {
    expect(() => new StaticPublicIp(newStack(), "ip", ipProps({ name: "ip-" }))).toThrow(
      ConstructValidationError,
    );
  });

  test("fails if a zone is listed twice", () => {
    expect(() => new StaticPublicIp(newStack(), "ip", ipProps({ zones: ["1", "1"] }))).toThrow(/twice/);
  });
});
