import { DataAzurermDnsZone } from "@cdktf/provider-azurerm/lib/data-azurerm-dns-zone";
import { DnsARecord } from "@cdktf/provider-azurerm/lib/dns-a-record";
import { DnsCaaRecord } from "@cdktf/provider-azurerm/lib/dns-caa-record";
import { DnsNsRecord } from "@cdktf/provider-azurerm/lib/dns-ns-record";
import { DnsZone } from "@cdktf/provider-azurerm/lib/dns-zone";
import { type TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { parseIpv4Address } from "../network/cidr";

/** Delegates the zone from its parent zone with an NS record there. */
export interface DnsDelegationSpec {
  /** The parent zone, e.g. `apps.at22.altinn.cloud`; the zone name must end with `.<parent>`. */
  readonly parentZoneName: string;
  /** Resource group of the parent zone. */
  readonly parentResourceGroupName: string;
  /**
   * Provider for the parent zone, when it lives in another subscription.
   * @default - the stack's default azurerm provider
   */
  readonly provider?: TerraformProvider;
  /**
   * TTL of the NS record in seconds.
   * @default 3600
   */
  readonly ttl?: number;
}

/** A zone below this one that this zone delegates (both owned by the fleet). */
export interface DnsChildZoneSpec {
  /** The child zone, e.g. `dev.altinn.studio`; it must lie inside this zone. */
  readonly name: string;
  /** Resource group of the child zone (read through a data source for its name servers). */
  readonly resourceGroupName: string;
  /**
   * Provider for reading the child zone, when it lives in another subscription.
   * @default - the stack's default azurerm provider
   */
  readonly provider?: TerraformProvider;
}

export interface DnsZoneWithIngressProps {
  /** Zone name, e.g. `ttd.apps.at22.altinn.cloud` (lowercase). Changing this replaces the zone. */
  readonly name: string;
  /** Resource group of the zone. Changing this replaces the zone. */
  readonly resourceGroupName: string;
  /** IPv4 address of the ingress load balancer, usually `StaticPublicIp.ipAddress`. */
  readonly ingressIpAddress: string;
  /**
   * Names in the zone, relative to it, that point at the ingress: `@` is the apex, `*` every name
   * nothing else answers. A zone whose apex belongs to another component (the Platform's API
   * Management) lists only the ingress's own names, e.g. `["ingress"]`.
   * @default ["@", "*"]
   */
  readonly ingressRecordNames?: readonly string[];
  /**
   * TTL of the A and CAA records in seconds.
   * @default 300
   */
  readonly ttl?: number;
  /**
   * Certificate authorities allowed to issue for the zone and its subdomains (CAA `issue` and
   * `issuewild`).
   * @default ["letsencrypt.org"]
   */
  readonly caaIssuers?: readonly string[];
  /**
   * Where CAs report refused requests (CAA `iodef`), a `mailto:` or `https:` URL.
   * @default - no iodef record
   */
  readonly caaIodef?: string;
  /**
   * Create the NS delegation in the parent zone.
   * @default - no delegation (the parent is managed elsewhere)
   */
  readonly delegation?: DnsDelegationSpec;
  /**
   * Zones below this one, created by other stacks, that this zone delegates with NS records in
   * itself. Without them a wildcard here would answer their names.
   * @default - none
   */
  readonly childZones?: readonly DnsChildZoneSpec[];
  /** FinOps tags; `submodule = "dns-zone"` is added. */
  readonly tags: Tags;
}

/** A record name relative to its zone: `@`, `*`, or labels, optionally below a leading `*.`. */
const RELATIVE_NAME =
  /^(@|\*|(\*\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*)$/;

/** Construct id of an ingress A record; the apex and wildcard keep their original ids. */
function ingressRecordId(name: string): string {
  if (name === "@") return "a-apex";
  if (name === "*") return "a-wildcard";
  return `a-${name.replace(/\*/g, "wildcard").replace(/\./g, "-")}`;
}

const CA_DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * A public DNS zone whose apex and wildcard point at a cluster's ingress, with CAA records that
 * limit certificate issuance, optionally delegated from its parent zone. The zone carries
 * `prevent_destroy`: a new zone gets new name servers, which breaks the delegation.
 */
export class DnsZoneWithIngress extends Construct {
  readonly zone: DnsZone;
  /** Resource ID of the zone (scope for cert-manager's `DNS Zone Contributor`). */
  readonly zoneId: string;
  /** Zone name. */
  readonly zoneName: string;
  /** The zone's Azure name servers. */
  readonly nameServers: string[];

  constructor(scope: Construct, id: string, props: DnsZoneWithIngressProps) {
    super(scope, id);
    const relativeName = this.validate(props);
    const tags = withSubmodule(props.tags, "dns-zone");
    const ttl = props.ttl ?? 300;

    this.zone = new DnsZone(this, "zone", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      tags,
      lifecycle: statefulLifecycle(),
    });
    this.zoneId = this.zone.id;
    this.zoneName = this.zone.name;
    this.nameServers = this.zone.nameServers;

    for (const recordName of props.ingressRecordNames ?? ["@", "*"]) {
      new DnsARecord(this, ingressRecordId(recordName), {
        name: recordName,
        zoneName: this.zone.name,
        resourceGroupName: props.resourceGroupName,
        ttl,
        records: [props.ingressIpAddress],
        tags,
      });
    }

    const issuers = props.caaIssuers ?? ["letsencrypt.org"];
    new DnsCaaRecord(this, "caa", {
      name: "@",
      zoneName: this.zone.name,
      resourceGroupName: props.resourceGroupName,
      ttl,
      record: [
        ...issuers.map((value) => ({ flags: 0, tag: "issue", value })),
        ...issuers.map((value) => ({ flags: 0, tag: "issuewild", value })),
        ...(props.caaIodef ? [{ flags: 0, tag: "iodef", value: props.caaIodef }] : []),
      ],
      tags,
    });

    for (const child of props.childZones ?? []) {
      const recordName = child.name.slice(0, -(props.name.length + 1));
      const zone = new DataAzurermDnsZone(this, `child-zone-${recordName}`, {
        name: child.name,
        resourceGroupName: child.resourceGroupName,
        provider: child.provider,
      });
      new DnsNsRecord(this, `child-delegation-${recordName}`, {
        name: recordName,
        zoneName: this.zone.name,
        resourceGroupName: props.resourceGroupName,
        ttl: 3600,
        records: zone.nameServers,
        tags,
      });
    }

    const delegation = props.delegation;
    if (delegation !== undefined && relativeName !== undefined) {
      const parent = new DataAzurermDnsZone(this, "parent-zone", {
        name: delegation.parentZoneName,
        resourceGroupName: delegation.parentResourceGroupName,
        provider: delegation.provider,
      });
      new DnsNsRecord(this, "delegation", {
        name: relativeName,
        zoneName: parent.name,
        resourceGroupName: delegation.parentResourceGroupName,
        ttl: delegation.ttl ?? 3600,
        records: this.zone.nameServers,
        tags,
        provider: delegation.provider,
      });
    }
  }

  /** Validates the props; returns the zone's name relative to the delegation parent. */
  private validate(props: DnsZoneWithIngressProps): string | undefined {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    const zoneResolved = !Token.isUnresolved(props.name);
    if (zoneResolved) {
      const problem = checkName(NAMING_RULES.dnsZone, props.name);
      if (problem) throw err(`name: ${problem}`);
    }
    if (
      !Token.isUnresolved(props.ingressIpAddress) &&
      parseIpv4Address(props.ingressIpAddress) === undefined
    ) {
      throw err(`ingressIpAddress "${props.ingressIpAddress}" is not an IPv4 address`);
    }
    checkTtl(err, "ttl", props.ttl);
    const recordNames = props.ingressRecordNames ?? [];
    if (props.ingressRecordNames !== undefined && recordNames.length === 0) {
      throw err("ingressRecordNames is empty; nothing in the zone would reach the ingress");
    }
    if (new Set(recordNames).size !== recordNames.length) {
      throw err(`ingressRecordNames [${recordNames.join(", ")}] repeat a name`);
    }
    for (const name of recordNames) {
      if (!RELATIVE_NAME.test(name)) {
        throw err(
          `ingressRecordNames: "${name}" is not a lowercase name relative to the zone (@, *, or labels)`,
        );
      }
    }
    const issuers = props.caaIssuers ?? [];
    if (props.caaIssuers !== undefined && issuers.length === 0) {
      throw err("caaIssuers is empty; no CA could issue certificates for the zone");
    }
    for (const issuer of issuers) {
      if (!Token.isUnresolved(issuer) && !CA_DOMAIN.test(issuer)) {
        throw err(`caaIssuers: "${issuer}" is not a CA domain such as letsencrypt.org`);
      }
    }
    const iodef = props.caaIodef;
    if (iodef !== undefined && !Token.isUnresolved(iodef) && !/^(mailto:|https?:\/\/)\S+$/.test(iodef)) {
      throw err(`caaIodef "${iodef}" must be a mailto: or http(s):// URL`);
    }

    for (const child of props.childZones ?? []) {
      if (!zoneResolved || Token.isUnresolved(child.name)) {
        throw err("name and childZones names must be literal strings to derive the NS record names");
      }
      if (!child.name.toLowerCase().endsWith(`.${props.name.toLowerCase()}`)) {
        throw err(`childZones: "${child.name}" is not inside zone "${props.name}"`);
      }
    }

    const delegation = props.delegation;
    if (delegation === undefined) return undefined;
    checkTtl(err, "delegation.ttl", delegation.ttl);
    const parent = delegation.parentZoneName;
    if (!zoneResolved || Token.isUnresolved(parent)) {
      throw err("name and delegation.parentZoneName must be literal strings to derive the NS record name");
    }
    const suffix = `.${parent.toLowerCase()}`;
    if (!props.name.endsWith(suffix)) {
      throw err(`zone "${props.name}" is not inside delegation.parentZoneName "${parent}"`);
    }
    return props.name.slice(0, -suffix.length);
  }
}

function checkTtl(
  err: (message: string) => ConstructValidationError,
  field: string,
  ttl: number | undefined,
): void {
  if (ttl === undefined || Token.isUnresolved(ttl)) return;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 2147483647) {
    throw err(`${field} ${ttl} must be a whole number of seconds of at least 1`);
  }
}
