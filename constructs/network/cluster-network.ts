import { NetworkSecurityGroup } from "@cdktf/provider-azurerm/lib/network-security-group";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { Subnet } from "@cdktf/provider-azurerm/lib/subnet";
import { SubnetNetworkSecurityGroupAssociation } from "@cdktf/provider-azurerm/lib/subnet-network-security-group-association";
import { VirtualNetwork } from "@cdktf/provider-azurerm/lib/virtual-network";
import { Token } from "cdktf";
import { Construct } from "constructs";
import type { Address4 } from "ip-address";
import { ConstructValidationError } from "../common/errors";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES, type NamingRule } from "../naming/rules";
import { cidrContains, cidrsOverlap, parseIpv4Cidr } from "./cidr";

/** Service endpoints Azure offers on a subnet (the provider's fixed set). */
export type ServiceEndpoint =
  | "Microsoft.AzureActiveDirectory"
  | "Microsoft.AzureCosmosDB"
  | "Microsoft.CognitiveServices"
  | "Microsoft.ContainerRegistry"
  | "Microsoft.EventHub"
  | "Microsoft.KeyVault"
  | "Microsoft.ServiceBus"
  | "Microsoft.Sql"
  | "Microsoft.Storage"
  | "Microsoft.Storage.Global"
  | "Microsoft.Web";

/** Whether NSGs and route tables apply to private endpoints in a subnet. */
export type PrivateEndpointNetworkPolicies =
  | "Enabled"
  | "Disabled"
  | "NetworkSecurityGroupEnabled"
  | "RouteTableEnabled";

/** Delegation of a subnet to an Azure service (e.g. PostgreSQL flexible servers). */
export interface SubnetDelegationSpec {
  /** Name of the delegation block, e.g. `postgres`. */
  readonly name: string;
  /** The delegated service, e.g. `Microsoft.DBforPostgreSQL/flexibleServers`. */
  readonly serviceName: string;
  /**
   * Actions the service may perform on the subnet.
   * @default ["Microsoft.Network/virtualNetworks/subnets/join/action"]
   */
  readonly actions?: readonly string[];
}

export interface SubnetSpec {
  /** Subnet name, 1-80 characters. Part of the Terraform address. Changing this replaces the subnet. */
  readonly name: string;
  /** IPv4 CIDR inside the VNet's address space. Changing this replaces the subnet once it has members. */
  readonly addressPrefix: string;
  /**
   * Service endpoints to enable on the subnet.
   * @default - none
   */
  readonly serviceEndpoints?: readonly ServiceEndpoint[];
  /**
   * Delegate the subnet to a service.
   * @default - not delegated
   */
  readonly delegation?: SubnetDelegationSpec;
  /**
   * Network policies for private endpoints in this subnet. `Enabled` makes the subnet's NSG and
   * route table apply to them too; Azure's own default (`Disabled`) bypasses the NSG.
   * @default "Enabled"
   */
  readonly privateEndpointNetworkPolicies?: PrivateEndpointNetworkPolicies;
  /**
   * Allow inbound TCP 80 and 443 from the Internet. Set it only on the node subnet behind the
   * cluster's public load balancer (the ingress controller's Service). Everything else from the
   * Internet stays denied by Azure's default `DenyAllInBound` rule.
   * @default false
   */
  readonly allowIngressHttp?: boolean;
  /**
   * Keep Azure's implicit "default outbound access" for VMs without an explicit egress path.
   * AKS egresses through its load balancer or NAT gateway, so private subnets are the safe
   * choice; Microsoft is retiring default outbound access. On a populated subnet a change only
   * reaches VMs after they are stopped and deallocated.
   * @default false
   */
  readonly defaultOutboundAccess?: boolean;
}

export interface ClusterNetworkProps {
  /** VNet name, 2-64 characters. Changing this replaces the VNet and every subnet in it. */
  readonly name: string;
  /** Resource group of the VNet. Changing this replaces the VNet. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the VNet. */
  readonly location: string;
  /** IPv4 CIDRs of the VNet, from the fleet's address plan; they must not overlap. */
  readonly addressSpace: readonly string[];
  /** Subnets, each with its own NSG named `${name}-${subnet}-nsg`. Names must be unique. */
  readonly subnets: readonly SubnetSpec[];
  /** FinOps tags; `submodule = "cluster-network"` is added. */
  readonly tags: Tags;
}

/** Subnet names Azure reserves for gateways and firewalls, which must not carry an NSG. */
const RESERVED_SUBNET_NAMES = new Set([
  "gatewaysubnet",
  "azurefirewallsubnet",
  "azurefirewallmanagementsubnet",
  "azurebastionsubnet",
  "routeserversubnet",
]);

/** Subnets and NSGs share the VNet charset (resource-name-rules, 2025-03). */
const SUBNET_RULE: NamingRule = {
  ...NAMING_RULES.virtualNetwork,
  resource: "subnet",
  minLength: 1,
  maxLength: 80,
};
const NSG_RULE: NamingRule = {
  ...NAMING_RULES.virtualNetwork,
  resource: "network security group",
  minLength: 1,
  maxLength: 80,
};

/** Azure's smallest usable subnet: 5 addresses are reserved in each. */
const SMALLEST_SUBNET_PREFIX = 29;

/**
 * A cluster's virtual network: one VNet, its subnets, and one NSG per subnet.
 *
 * Inbound from the Internet is denied by Azure's default NSG rules; a subnet flagged
 * `allowIngressHttp` gets one explicit allow rule for TCP 80/443, because AKS does not edit
 * NSGs attached to a customer's subnets and the ingress load balancer would otherwise be
 * unreachable. The rule's destination is `*`: AKS load-balancer rules use floating IP, so packets
 * reach the nodes still addressed to the frontend public IP, which is outside the subnet prefix.
 */
export class ClusterNetwork extends Construct {
  readonly vnet: VirtualNetwork;
  /** The VNet's resource ID. */
  readonly vnetId: string;
  /** The VNet's name (a reference, so users depend on the VNet). */
  readonly vnetName: string;
  private readonly subnetsByName = new Map<string, Subnet>();
  private readonly nsgsByName = new Map<string, NetworkSecurityGroup>();
  private readonly associationsByName = new Map<string, SubnetNetworkSecurityGroupAssociation>();

  constructor(scope: Construct, id: string, props: ClusterNetworkProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "cluster-network");

    this.vnet = new VirtualNetwork(this, "vnet", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      addressSpace: [...props.addressSpace],
      tags,
    });
    this.vnetId = this.vnet.id;
    this.vnetName = this.vnet.name;

    for (const spec of props.subnets) {
      const subnet = new Subnet(this, `subnet-${spec.name}`, {
        name: spec.name,
        resourceGroupName: props.resourceGroupName,
        virtualNetworkName: this.vnet.name,
        addressPrefixes: [spec.addressPrefix],
        serviceEndpoints: spec.serviceEndpoints ? [...spec.serviceEndpoints] : undefined,
        privateEndpointNetworkPolicies: spec.privateEndpointNetworkPolicies ?? "Enabled",
        defaultOutboundAccessEnabled: spec.defaultOutboundAccess ?? false,
        delegation: spec.delegation
          ? [
              {
                name: spec.delegation.name,
                serviceDelegation: {
                  name: spec.delegation.serviceName,
                  actions: [
                    ...(spec.delegation.actions ?? ["Microsoft.Network/virtualNetworks/subnets/join/action"]),
                  ],
                },
              },
            ]
          : undefined,
      });

      // Rules are separate resources rather than inline blocks: cdktf renders inline
      // `security_rule` objects as attributes, which Terraform then requires in full.
      const nsg = new NetworkSecurityGroup(this, `nsg-${spec.name}`, {
        name: nsgName(props.name, spec.name),
        resourceGroupName: props.resourceGroupName,
        location: props.location,
        tags,
      });
      if (spec.allowIngressHttp === true) {
        new NetworkSecurityRule(this, `nsg-rule-ingress-http-${spec.name}`, {
          name: "allow-internet-http-https-inbound",
          description: "Ingress controller behind the cluster's public load balancer",
          resourceGroupName: props.resourceGroupName,
          networkSecurityGroupName: nsg.name,
          priority: 100,
          direction: "Inbound",
          access: "Allow",
          protocol: "Tcp",
          sourceAddressPrefix: "Internet",
          sourcePortRange: "*",
          destinationAddressPrefix: "*",
          destinationPortRanges: ["80", "443"],
        });
      }
      const association = new SubnetNetworkSecurityGroupAssociation(this, `nsg-association-${spec.name}`, {
        subnetId: subnet.id,
        networkSecurityGroupId: nsg.id,
      });

      this.subnetsByName.set(spec.name, subnet);
      this.nsgsByName.set(spec.name, nsg);
      this.associationsByName.set(spec.name, association);
    }
  }

  /** The subnet of that name. Throws when the network has no such subnet. */
  subnet(name: string): Subnet {
    const subnet = this.subnetsByName.get(name);
    if (subnet === undefined) {
      throw new ConstructValidationError(
        this.node.path,
        `no subnet named "${name}"; this network has ${this.knownSubnets()}`,
      );
    }
    return subnet;
  }

  /** The resource ID of the subnet of that name. Throws when the network has no such subnet. */
  subnetId(name: string): string {
    return this.subnet(name).id;
  }

  /** The resource ID of the NSG attached to the subnet of that name. */
  networkSecurityGroupId(name: string): string {
    this.subnet(name);
    return this.nsgsByName.get(name)!.id;
  }

  /** The name of the NSG attached to the subnet of that name (a reference, so rules wait for it). */
  networkSecurityGroupName(name: string): string {
    this.subnet(name);
    return this.nsgsByName.get(name)!.name;
  }

  /**
   * The association of the subnet's NSG with the subnet. Services that Azure refuses to inject
   * into a subnet without an NSG (API Management on stv2) depend on it, since nothing else orders
   * them after it: they reference only the subnet.
   */
  networkSecurityGroupAssociation(name: string): SubnetNetworkSecurityGroupAssociation {
    this.subnet(name);
    return this.associationsByName.get(name)!;
  }

  /** Names of all subnets, in declaration order. */
  get subnetNames(): string[] {
    return [...this.subnetsByName.keys()];
  }

  private knownSubnets(): string {
    const names = this.subnetNames;
    return names.length === 0 ? "no subnets" : `subnets ${names.map((n) => `"${n}"`).join(", ")}`;
  }

  private validate(props: ClusterNetworkProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.virtualNetwork, props.name);
      if (problem) throw err(`${problem}. Choose a VNet name that fits the rule.`);
    }

    // A token list (or token entries) cannot be checked at synth time; the subnet containment
    // check is then skipped too.
    const spaceList = Token.isUnresolved(props.addressSpace) ? undefined : props.addressSpace;
    if (spaceList !== undefined && spaceList.length === 0) {
      throw err("addressSpace is empty; give the VNet at least one IPv4 CIDR from the address plan");
    }
    const spaces: { readonly text: string; readonly cidr: Address4 }[] = [];
    for (const cidr of spaceList ?? []) {
      if (Token.isUnresolved(cidr)) continue;
      const parsed = parseIpv4Cidr(cidr);
      if (!parsed.ok) throw err(`addressSpace: ${parsed.problem}`);
      for (const other of spaces) {
        if (cidrsOverlap(other.cidr, parsed.cidr)) {
          throw err(`addressSpace entries ${other.text} and ${cidr} overlap; list disjoint ranges`);
        }
      }
      spaces.push({ text: cidr, cidr: parsed.cidr });
    }
    const spacesResolved = spaceList !== undefined && spaces.length === spaceList.length;

    const seen = new Set<string>();
    const subnets: { readonly name: string; readonly text: string; readonly cidr: Address4 }[] = [];
    for (const spec of props.subnets) {
      if (Token.isUnresolved(spec.name)) {
        throw err("subnet names must be literal strings: they are part of the Terraform address");
      }
      // Azure compares names case-insensitively.
      const key = spec.name.toLowerCase();
      if (seen.has(key)) throw err(`subnet name "${spec.name}" is used twice; subnet names must be unique`);
      seen.add(key);
      const nameProblem = checkName(SUBNET_RULE, spec.name);
      if (nameProblem) throw err(nameProblem);
      if (RESERVED_SUBNET_NAMES.has(key)) {
        throw err(
          `subnet "${spec.name}" is reserved for an Azure gateway or firewall, which must not carry an NSG; ` +
            "create it outside ClusterNetwork",
        );
      }
      if (!Token.isUnresolved(props.name)) {
        const nsgProblem = checkName(NSG_RULE, nsgName(props.name, spec.name));
        if (nsgProblem) throw err(`derived NSG name: ${nsgProblem}. Shorten the VNet or subnet name.`);
      }
      if (spec.delegation && spec.delegation.serviceName.trim() === "") {
        throw err(`subnet "${spec.name}": delegation.serviceName is empty`);
      }

      if (Token.isUnresolved(spec.addressPrefix)) continue;
      const parsed = parseIpv4Cidr(spec.addressPrefix);
      if (!parsed.ok) throw err(`subnet "${spec.name}": ${parsed.problem}`);
      if (parsed.cidr.subnetMask > SMALLEST_SUBNET_PREFIX) {
        throw err(
          `subnet "${spec.name}": ${spec.addressPrefix} is smaller than /${SMALLEST_SUBNET_PREFIX}, ` +
            "the smallest subnet Azure allows",
        );
      }
      if (spacesResolved && !spaces.some((s) => cidrContains(s.cidr, parsed.cidr))) {
        throw err(
          `subnet "${spec.name}": ${spec.addressPrefix} lies outside the VNet address space ` +
            `(${props.addressSpace.join(", ")})`,
        );
      }
      for (const other of subnets) {
        if (cidrsOverlap(other.cidr, parsed.cidr)) {
          throw err(
            `subnets "${other.name}" (${other.text}) and "${spec.name}" (${spec.addressPrefix}) overlap`,
          );
        }
      }
      subnets.push({ name: spec.name, text: spec.addressPrefix, cidr: parsed.cidr });
    }
  }
}

function nsgName(vnetName: string, subnetName: string): string {
  return `${vnetName}-${subnetName}-nsg`;
}
