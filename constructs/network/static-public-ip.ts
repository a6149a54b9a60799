import { PublicIp } from "@cdktf/provider-azurerm/lib/public-ip";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import type { AvailabilityZone } from "./settings";

export type IpVersion = "IPv4" | "IPv6";

/** Availability zones of a zonal region. */
export { AVAILABILITY_ZONES, type AvailabilityZone } from "./settings";

export interface StaticPublicIpProps {
  /** Public IP resource name, 1-80 characters. Changing this replaces the IP (and its address). */
  readonly name: string;
  /** Resource group. Changing this replaces the IP (and its address). */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the IP (and its address). */
  readonly location: string;
  /**
   * Zones the address is served from; all three makes it zone-redundant. Pass `[]` only in a
   * region without availability zones. Changing this replaces the IP (and its address).
   * @default ["1", "2", "3"]
   */
  readonly zones?: readonly AvailabilityZone[];
  /**
   * IP version. Changing this replaces the IP.
   * @default "IPv4"
   */
  readonly ipVersion?: IpVersion;
  /**
   * DNS label giving `<label>.<region>.cloudapp.azure.com`: 3-63 lowercase letters, digits and
   * hyphens, starting with a letter.
   * @default - no Azure-provided DNS name
   */
  readonly domainNameLabel?: string;
  /**
   * Refuse plans that destroy the address. Partners allow-list ingress addresses and DNS points
   * at them, so losing one is an outage; turn off only for throwaway environments.
   * @default true
   */
  readonly preventDestroy?: boolean;
  /** FinOps tags; `submodule = "public-ip"` is added. */
  readonly tags: Tags;
}

const DOMAIN_NAME_LABEL = /^[a-z][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * A Standard, static, zone-redundant public IP, e.g. the ingress address an AKS load balancer
 * Service binds to. Standard SKU is fixed: Basic public IPs were retired in September 2025 and
 * cannot be used with a Standard load balancer.
 */
export class StaticPublicIp extends Construct {
  readonly publicIp: PublicIp;
  /** Resource ID. */
  readonly id: string;
  /** The allocated address (known after apply). */
  readonly ipAddress: string;
  /** Resource name (a reference, so users depend on the IP). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: StaticPublicIpProps) {
    super(scope, id);
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.publicIp, props.name);
      if (problem) throw err(problem);
    }
    const label = props.domainNameLabel;
    if (label !== undefined && !Token.isUnresolved(label) && !DOMAIN_NAME_LABEL.test(label)) {
      throw err(
        `domainNameLabel "${label}" must be 3-63 lowercase letters, digits and hyphens, ` +
          "starting with a letter and ending with a letter or digit",
      );
    }
    const zones = props.zones ?? ["1", "2", "3"];
    if (!Token.isUnresolved(zones) && new Set(zones).size !== zones.length) {
      throw err(`zones [${zones.join(", ")}] lists a zone twice`);
    }

    this.publicIp = new PublicIp(this, "ip", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      sku: "Standard",
      skuTier: "Regional",
      allocationMethod: "Static",
      ipVersion: props.ipVersion ?? "IPv4",
      zones: zones.length > 0 ? [...zones] : undefined,
      domainNameLabel: label,
      tags: withSubmodule(props.tags, "public-ip"),
      lifecycle: (props.preventDestroy ?? true) ? statefulLifecycle() : undefined,
    });
    this.id = this.publicIp.id;
    this.ipAddress = this.publicIp.ipAddress;
    this.name = this.publicIp.name;
  }
}
