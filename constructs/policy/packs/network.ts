import { isReference, type ResourceView, UNKNOWN } from "../attributes";
import {
  allOf,
  eachBlock,
  expectBool,
  expectOneOf,
  expectPresent,
  fail,
  NOT_APPLICABLE,
  PASS,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack, Verdict } from "../rule";
import { checkov, learn, trivy } from "./sources";

const NSG = "azurerm_network_security_group";
const NSG_RULE = "azurerm_network_security_rule";
const SUBNET = "azurerm_subnet";
const PUBLIC_IP = "azurerm_public_ip";

/** Source prefixes that mean "anyone on the Internet". */
function isInternetSource(prefix: string): boolean {
  const p = prefix.trim().toLowerCase();
  return p === "*" || p === "internet" || p === "any" || p === "0.0.0.0" || /\/0$/.test(p);
}

interface PortRange {
  readonly from: number;
  readonly to: number;
}

function parsePorts(spec: string): PortRange | undefined {
  const s = spec.trim();
  if (s === "*") return { from: 0, to: 65535 };
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) return undefined;
  const from = Number(m[1]);
  return { from, to: m[2] === undefined ? from : Number(m[2]) };
}

/** What an inbound Allow rule from the Internet opens; "unknown" when it depends on references. */
interface InternetOpening {
  readonly name: string;
  readonly protocol: string;
  readonly ports: readonly PortRange[];
}

/**
 * Reads one security rule (an azurerm_network_security_rule, or a security_rule block of an
 * NSG) and tells what it opens to the Internet: undefined when it is not an inbound Allow rule
 * from the Internet.
 */
function internetOpening(rule: ResourceView): InternetOpening | undefined | "unknown" {
  const direction = rule.str("direction");
  const access = rule.str("access");
  if (direction === UNKNOWN || access === UNKNOWN) return "unknown";
  if (direction?.toLowerCase() !== "inbound" || access?.toLowerCase() !== "allow") return undefined;
  const sources = [
    rule.get("source_address_prefix"),
    ...(asList(rule.list("source_address_prefixes")) ?? []),
  ];
  if (sources.some((s) => s === UNKNOWN || isReference(s))) return "unknown";
  if (!sources.some((s) => typeof s === "string" && isInternetSource(s))) return undefined;
  const portSpecs = [
    rule.get("destination_port_range"),
    ...(asList(rule.list("destination_port_ranges")) ?? []),
  ];
  if (portSpecs.some((s) => s === UNKNOWN || isReference(s))) return "unknown";
  const ports = portSpecs
    .filter((s): s is string | number => typeof s === "string" || typeof s === "number")
    .map((s) => parsePorts(String(s)))
    .filter((p): p is PortRange => p !== undefined);
  const protocol = rule.str("protocol");
  if (protocol === UNKNOWN) return "unknown";
  const name = rule.str("name");
  return { name: typeof name === "string" ? name : "(unnamed)", protocol: protocol ?? "*", ports };
}

function asList(value: readonly unknown[] | undefined | typeof UNKNOWN): readonly unknown[] | undefined {
  return value === UNKNOWN ? [UNKNOWN] : value;
}

function opens(o: InternetOpening, port: number, protocols: readonly string[]): boolean {
  const protocolMatches =
    o.protocol === "*" || protocols.some((p) => p.toLowerCase() === o.protocol.toLowerCase());
  return protocolMatches && o.ports.some((r) => r.from <= port && port <= r.to);
}

/** Applies a check to every security rule of the resource (inline blocks of an NSG, or the rule resource itself). */
function onSecurityRules(r: ResourceView, check: (o: InternetOpening) => string | undefined): Verdict {
  const one = (rule: ResourceView): Verdict => {
    const o = internetOpening(rule);
    if (o === "unknown") return UNKNOWN_VERDICT;
    if (o === undefined) return PASS;
    const problem = check(o);
    return problem ? fail(`rule "${o.name}": ${problem}`) : PASS;
  };
  if (r.type === NSG_RULE) return one(r);
  const verdict = eachBlock(r, "security_rule", (rule) => one(rule));
  return verdict === NOT_APPLICABLE ? PASS : verdict;
}

function portRule(port: number, protocols: readonly string[], what: string) {
  return (r: ResourceView): Verdict =>
    onSecurityRules(r, (o) =>
      opens(o, port, protocols) ? `admits ${what} (port ${port}) from the Internet` : undefined,
    );
}

const WEB_PORTS = new Set([80, 443]);

export const NETWORK_PACK: RulePack = {
  name: "network",
  description: "NSGs, subnets, public IPs, peerings and private endpoints (Checkov, trivy, Microsoft Learn)",
  rules: [
    {
      id: "AZ-NET-001",
      title: "SSH is not open to the Internet",
      pack: "network",
      resourceTypes: [NSG, NSG_RULE],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_10"), trivy("AVD-AZU-0050")],
      why: "Internet-facing SSH is brute-forced within minutes of exposure.",
      fix: "Remove the rule; reach nodes through the Kubernetes API (kubectl debug) or Bastion.",
      check: portRule(22, ["Tcp"], "SSH"),
    },
    {
      id: "AZ-NET-002",
      title: "RDP is not open to the Internet",
      pack: "network",
      resourceTypes: [NSG, NSG_RULE],
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_AZURE_9"), trivy("AVD-AZU-0048")],
      why: "Internet-facing RDP is one of the most attacked services.",
      fix: "Remove the rule; use Bastion.",
      check: portRule(3389, ["Tcp", "Udp"], "RDP"),
    },
    {
      id: "AZ-NET-003",
      title: "Plain HTTP (port 80) is not open to the Internet",
      pack: "network",
      resourceTypes: [NSG, NSG_RULE],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_160")],
      why: "Content served over HTTP can be read and changed on the way.",
      fix: "Admit 443 only, or suppress with a reason where port 80 only redirects to HTTPS.",
      check: portRule(80, ["Tcp"], "HTTP"),
    },
    {
      id: "AZ-NET-004",
      title: "No UDP service is open to the Internet",
      pack: "network",
      resourceTypes: [NSG, NSG_RULE],
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_AZURE_77")],
      why: "Open UDP services are used for reflection and amplification attacks.",
      fix: "Restrict the source, or remove the rule.",
      check: (r) =>
        onSecurityRules(r, (o) =>
          o.ports.length > 0 && (o.protocol === "*" || o.protocol.toLowerCase() === "udp")
            ? `admits UDP (protocol ${o.protocol}) from the Internet`
            : undefined,
        ),
    },
    {
      id: "AZ-NET-005",
      title: "The Internet reaches web ports (80, 443 over TCP) only",
      pack: "network",
      resourceTypes: [NSG, NSG_RULE],
      severity: "high",
      environments: "all",
      sources: [trivy("AVD-AZU-0047")],
      why: "Every other port open to the Internet is an unreviewed entry point (node ports, admin UIs, databases).",
      fix: "Narrow destination ports to 80/443 and protocol to Tcp, or restrict the source.",
      check: (r) =>
        onSecurityRules(r, (o) => {
          if (o.protocol !== "*" && o.protocol.toLowerCase() !== "tcp")
            return `admits protocol ${o.protocol}`;
          const wide = o.ports.filter((p) => !(p.from === p.to && WEB_PORTS.has(p.from)));
          if (o.protocol === "*") return "admits every protocol";
          return wide.length > 0
            ? `admits ports ${wide.map((p) => (p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`)).join(", ")}`
            : undefined;
        }),
    },
    {
      id: "AZ-NET-006",
      title: "Subnets have no default outbound access",
      pack: "network",
      resourceTypes: [SUBNET],
      severity: "medium",
      environments: "all",
      sources: [
        learn("Default outbound access in Azure", "virtual-network/ip-services/default-outbound-access"),
      ],
      why: "Default outbound access gives VMs an implicit, unowned public IP; it is being retired for new VNets.",
      fix: "Set default_outbound_access_enabled = false and provide explicit egress (load balancer or NAT gateway).",
      check: (r) =>
        expectBool(r, "default_outbound_access_enabled", false, {
          whenUnset: "fail",
          unsetNote: "the default is true",
        }),
    },
    {
      id: "AZ-NET-007",
      title: "Public IPs use the Standard SKU",
      pack: "network",
      resourceTypes: [PUBLIC_IP],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Upgrade Basic public IP addresses (retired 30 September 2025)",
          "virtual-network/ip-services/public-ip-basic-upgrade-guidance",
        ),
      ],
      why: "Basic public IPs are retired, open by default and not zone-redundant.",
      fix: 'Use sku = "Standard" (the azurerm 4.x default; StaticPublicIp fixes it).',
      check: (r) => expectOneOf(r, "sku", ["Standard"], { whenUnset: "pass" }),
    },
    {
      id: "AZ-NET-008",
      title: "Production public IPs are zone-redundant",
      pack: "network",
      resourceTypes: [PUBLIC_IP],
      severity: "high",
      environments: "prod",
      sources: [
        learn(
          "Public IP addresses: availability zones",
          "virtual-network/ip-services/public-ip-addresses#availability-zone",
        ),
      ],
      why: "A zonal or non-zonal IP goes down with its zone, and zones cannot be added to an existing IP.",
      fix: 'Set zones = ["1", "2", "3"] (StaticPublicIp\'s default) at creation.',
      check: (r) => {
        const zones = r.list("zones");
        if (zones === UNKNOWN || zones?.some(isReference)) return UNKNOWN_VERDICT;
        const count = new Set(zones ?? []).size;
        return allOf(count >= 2 ? PASS : fail(`zones has ${count} zone(s)`));
      },
    },
    {
      id: "AZ-NET-009",
      title: "VNet peerings carry only the two networks' own traffic",
      pack: "network",
      resourceTypes: ["azurerm_virtual_network_peering"],
      severity: "medium",
      environments: "all",
      sources: [
        learn(
          "Virtual network peering: forwarded traffic and gateway transit",
          "virtual-network/virtual-network-peering-overview",
        ),
      ],
      why: "Forwarded traffic or gateway transit turns a peering between two clusters into a route to every network behind either side.",
      fix: "Set allow_forwarded_traffic = false and allow_gateway_transit = false (use_remote_gateways stays false).",
      check: (r) =>
        allOf(
          expectBool(r, "allow_forwarded_traffic", false, { whenUnset: "pass" }),
          expectBool(r, "allow_gateway_transit", false, { whenUnset: "pass" }),
          expectBool(r, "use_remote_gateways", false, { whenUnset: "pass" }),
        ),
    },
    {
      id: "AZ-NET-010",
      title: "Private endpoints are approved automatically and register in private DNS zones",
      pack: "network",
      resourceTypes: ["azurerm_private_endpoint"],
      severity: "medium",
      environments: "all",
      sources: [
        learn("Azure Private Endpoint DNS integration", "private-link/private-endpoint-dns-integration"),
        learn("Azure Private Endpoint private DNS zone values", "private-link/private-endpoint-dns"),
      ],
      why: "Without a DNS zone group the service's name still resolves to its public address, so clients miss the endpoint; a manual connection stays Pending until someone approves it outside Terraform.",
      fix: "Use PrivateEndpoint (constructs/network): is_manual_connection = false and a private_dns_zone_group with the subresource's zones from PRIVATE_LINK_ZONES.",
      check: (r) =>
        allOf(
          expectBool(r, "private_service_connection.is_manual_connection", false, { whenUnset: "fail" }),
          expectPresent(r, "private_dns_zone_group.private_dns_zone_ids", "no private_dns_zone_group"),
        ),
    },
  ],
};
