import { ApiManagement as ApiManagementService } from "@cdktf/provider-azurerm/lib/api-management";
import { ApiManagementCustomDomain } from "@cdktf/provider-azurerm/lib/api-management-custom-domain";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { type ITerraformDependable, Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { roleAssignment } from "../identity/role-assignment";
import { checkName, NAMING_RULES } from "../naming/rules";
import type { AvailabilityZone } from "../network/static-public-ip";

/**
 * Pricing tier and units, `<tier>_<units>`. Only Developer (no SLA, for test) and Premium
 * support VNet injection and zones; Basic and Standard run without a VNet.
 */
export type ApiManagementSku =
  | "Developer_1"
  | `Premium_${number}`
  | "Basic_1"
  | "Basic_2"
  | "Standard_1"
  | "Standard_2"
  | "Standard_3"
  | "Standard_4";

/** How the gateway sits in the VNet. */
export type ApiManagementVirtualNetworkType = "External" | "Internal";

/** The NSG of the API Management subnet, to which the construct adds the rules it needs. */
export interface ApiManagementNsgRef {
  /** Name of the NSG attached to the API Management subnet. */
  readonly name: string;
  readonly resourceGroupName: string;
  /**
   * The subnet-NSG association (`ClusterNetwork.networkSecurityGroupAssociation`). On stv2 Azure
   * refuses to inject API Management into a subnet without an NSG, and the service references
   * only the subnet, so without this it could be created before the NSG is attached.
   */
  readonly association: ITerraformDependable;
  /**
   * First rule priority; the construct uses this and the next ones in each direction
   * (`APIM_NSG_RULES`).
   * @default 200
   */
  readonly priority?: number;
}

/**
 * VNet injection: `External` keeps a public gateway and reaches backends in the VNet;
 * `Internal` exposes the gateway only inside the VNet. `None` must be chosen explicitly.
 */
export type ApiManagementVirtualNetwork =
  | {
      readonly type: ApiManagementVirtualNetworkType;
      /**
       * The dedicated API Management subnet. Moving to another subnet replaces the service
       * (Azure holds the old subnet for hours).
       */
      readonly subnetId: string;
      /**
       * The subnet's NSG. The construct adds the rules of `APIM_NSG_RULES` to it and creates the
       * service only after them and after the NSG's association with the subnet.
       */
      readonly networkSecurityGroup: ApiManagementNsgRef;
    }
  | { readonly type: "None" };

/**
 * A custom gateway host name whose certificate (PFX) is a Key Vault certificate. The service's
 * identity gets `Key Vault Secrets User` on that one certificate's secret, not on the vault.
 */
export interface ApiManagementGatewayDomain {
  /** Host name, e.g. `platform.at22.altinn.cloud`. */
  readonly hostName: string;
  /** Resource ID of the vault (Azure RBAC). */
  readonly keyVaultId: string;
  /** The vault URI, `https://<vault>.vault.azure.net/`. */
  readonly keyVaultUri: string;
  /**
   * Name of the Key Vault certificate (and of its secret). It must exist before the custom
   * domain is created: API Management reads it at once and the update fails otherwise.
   */
  readonly certificateName: string;
}

/** One NSG rule API Management needs on its subnet (classic tiers, stv2). */
export interface ApiManagementNsgRule {
  /** Construct id of the `azurerm_network_security_rule`. */
  readonly id: string;
  readonly name: string;
  readonly direction: "Inbound" | "Outbound";
  /** Service tag at the far end: the source of inbound rules, the destination of outbound ones. */
  readonly serviceTag: string;
  readonly ports: readonly string[];
  /** Offset from the first priority, unique per direction. */
  readonly offset: number;
  /** Only for `External` injection. */
  readonly externalOnly?: boolean;
  readonly description: string;
}

/**
 * The rules of Learn "Virtual network configuration reference: API Management" (required ports,
 * https://learn.microsoft.com/azure/api-management/virtual-network-reference) that deployment
 * and operation need. Optional ones (Event Hubs logging, Git, Redis, Traffic Manager for
 * multi-region) are left out.
 */
export const APIM_NSG_RULES: readonly ApiManagementNsgRule[] = [
  {
    id: "nsg-rule-management",
    name: "allow-apim-management-inbound",
    direction: "Inbound",
    serviceTag: "ApiManagement",
    ports: ["3443"],
    offset: 0,
    description: "API Management control plane (required)",
  },
  {
    id: "nsg-rule-gateway",
    name: "allow-internet-apim-gateway-inbound",
    direction: "Inbound",
    serviceTag: "Internet",
    ports: ["443"],
    offset: 1,
    externalOnly: true,
    description: "Public API gateway",
  },
  {
    id: "nsg-rule-load-balancer",
    name: "allow-azure-load-balancer-inbound",
    direction: "Inbound",
    serviceTag: "AzureLoadBalancer",
    ports: ["6390"],
    offset: 2,
    description: "Azure infrastructure load balancer health probes (required)",
  },
  {
    id: "nsg-rule-storage-outbound",
    name: "allow-apim-storage-outbound",
    direction: "Outbound",
    serviceTag: "Storage",
    ports: ["443"],
    offset: 0,
    description: "API Management's dependency on Azure Storage (required)",
  },
  {
    id: "nsg-rule-sql-outbound",
    name: "allow-apim-sql-outbound",
    direction: "Outbound",
    serviceTag: "Sql",
    ports: ["1433"],
    offset: 1,
    description: "API Management's configuration database (required)",
  },
  {
    id: "nsg-rule-key-vault-outbound",
    name: "allow-apim-key-vault-outbound",
    direction: "Outbound",
    serviceTag: "AzureKeyVault",
    ports: ["443"],
    offset: 2,
    description: "Certificates and named values from Key Vault (required)",
  },
  {
    id: "nsg-rule-monitor-outbound",
    name: "allow-apim-monitor-outbound",
    direction: "Outbound",
    serviceTag: "AzureMonitor",
    ports: ["1886", "443"],
    offset: 3,
    description: "Diagnostic logs, metrics and resource health (required)",
  },
  {
    id: "nsg-rule-certificate-validation-outbound",
    name: "allow-apim-certificate-validation-outbound",
    direction: "Outbound",
    serviceTag: "Internet",
    ports: ["80"],
    offset: 4,
    description: "Certificate revocation and chain checks of custom domain certificates",
  },
];

export interface ApiManagementProps {
  /** Service name: 1-50 letters, digits and hyphens, starting with a letter, globally unique. Changing this replaces the service. */
  readonly name: string;
  /** Resource group. Changing this replaces the service. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the service. */
  readonly location: string;
  /** Tier and units, e.g. `Developer_1` in test and `Premium_2` in production. */
  readonly sku: ApiManagementSku;
  /** Organisation shown in the developer portal and notification mails. */
  readonly publisherName: string;
  /** Address that receives system notifications. */
  readonly publisherEmail: string;
  /** VNet injection; see `ApiManagementVirtualNetwork`. */
  readonly virtualNetwork: ApiManagementVirtualNetwork;
  /**
   * Availability zones of the gateway units (Premium only; the units must divide evenly over
   * the zones).
   * @default - no zone pinning
   */
  readonly zones?: readonly AvailabilityZone[];
  /**
   * A Standard-SKU public IP with a DNS label for a VNet-injected service.
   * @default - an Azure-managed address
   */
  readonly publicIpAddressId?: string;
  /**
   * Custom host name of the gateway (`platform.{hostname}`).
   * @default - only the default `<name>.azure-api.net`
   */
  readonly gateway?: ApiManagementGatewayDomain;
  /**
   * Oldest management API version the service accepts. Older versions can return secrets in
   * responses (Azure Policy "API Management minimum API version should be set to 2019-12-01 or
   * higher").
   * @default "2019-12-01"
   */
  readonly minApiVersion?: string;
  /** FinOps tags; `submodule = "api-management"` is added. */
  readonly tags: Tags;
}

const SKU = /^(Developer_1|Basic_[12]|Standard_[1-4]|Premium_[1-9][0-9]?)$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;
const HOST_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** Key Vault object names: 1-127 letters, digits and hyphens. */
const KEY_VAULT_OBJECT_NAME = /^[0-9a-zA-Z-]{1,127}$/;

/**
 * An API Management service with a system-assigned identity, injected into a VNet, that speaks
 * only TLS 1.2 with strong ciphers to clients and backends, optionally zone-pinned and with a
 * custom gateway host name whose certificate comes from Key Vault. It carries `prevent_destroy`:
 * it takes about 45 minutes to create, and its APIs and products live in it.
 *
 * The service is created after the NSG rules it needs and the NSG's association with its subnet
 * (`depends_on`): Azure refuses stv2 injection into a subnet without an NSG, and the provider
 * polls the create for up to three hours before reporting the failure
 * (hashicorp/terraform-provider-azurerm@v4.55.0: internal/services/apimanagement/api_management_resource.go).
 *
 * The custom domain is an `azurerm_api_management_custom_domain` rather than the service's
 * `hostname_configuration`: the system-assigned identity exists only after the service does, so
 * the certificate can only be read once the role assignment below is in place.
 */
export class ApiManagement extends Construct {
  readonly service: ApiManagementService;
  /** The gateway host name binding, when `gateway` is set. */
  readonly customDomain?: ApiManagementCustomDomain;
  /** `Key Vault Secrets User` on the certificate's secret for the service's identity, when `gateway` is set. */
  readonly certificateAccess?: RoleAssignment;
  /** The NSG rules of `APIM_NSG_RULES` this construct added, by construct id. */
  readonly nsgRules: ReadonlyMap<string, NetworkSecurityRule>;
  /** Resource ID. */
  readonly id: string;
  /** Service name (a reference, so users depend on the service). */
  readonly name: string;
  /** Object ID of the system-assigned identity, for role assignments (e.g. Key Vault named values). */
  readonly principalId: string;
  /** `https://<name>.azure-api.net`. */
  readonly gatewayUrl: string;
  /** Public addresses of the gateway (what DNS names of an `External` gateway point at). */
  readonly publicIpAddresses: string[];
  /** Private addresses of the gateway (VNet-injected services). */
  readonly privateIpAddresses: string[];

  constructor(scope: Construct, id: string, props: ApiManagementProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "api-management");
    const vnet = props.virtualNetwork;

    const rules = vnet.type === "None" ? new Map() : this.addNsgRules(vnet.type, vnet.networkSecurityGroup);
    this.nsgRules = rules;

    this.service = new ApiManagementService(this, "service", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      skuName: props.sku,
      publisherName: props.publisherName,
      publisherEmail: props.publisherEmail,
      identity: { type: "SystemAssigned" },

      virtualNetworkType: vnet.type,
      virtualNetworkConfiguration: vnet.type === "None" ? undefined : { subnetId: vnet.subnetId },
      publicIpAddressId: props.publicIpAddressId,
      zones: props.zones ? [...props.zones] : undefined,
      minApiVersion: props.minApiVersion ?? "2019-12-01",

      // TLS 1.2 only, AEAD and forward-secret ciphers only, towards clients and backends alike.
      security: {
        frontendSsl30Enabled: false,
        frontendTls10Enabled: false,
        frontendTls11Enabled: false,
        backendSsl30Enabled: false,
        backendTls10Enabled: false,
        backendTls11Enabled: false,
        tripleDesCiphersEnabled: false,
        tlsEcdheEcdsaWithAes128CbcShaCiphersEnabled: false,
        tlsEcdheEcdsaWithAes256CbcShaCiphersEnabled: false,
        tlsEcdheRsaWithAes128CbcShaCiphersEnabled: false,
        tlsEcdheRsaWithAes256CbcShaCiphersEnabled: false,
        tlsRsaWithAes128CbcSha256CiphersEnabled: false,
        tlsRsaWithAes128CbcShaCiphersEnabled: false,
        tlsRsaWithAes128GcmSha256CiphersEnabled: false,
        tlsRsaWithAes256CbcSha256CiphersEnabled: false,
        tlsRsaWithAes256CbcShaCiphersEnabled: false,
        tlsRsaWithAes256GcmSha384CiphersEnabled: false,
      },

      dependsOn:
        vnet.type === "None" ? undefined : [vnet.networkSecurityGroup.association, ...rules.values()],
      tags,
      lifecycle: statefulLifecycle(),
    });

    if (props.gateway) {
      const gateway = props.gateway;
      // Key Vault RBAC accepts a single secret as the scope; the identity reads nothing else.
      this.certificateAccess = roleAssignment(this, "certificate-access", {
        scope: `${gateway.keyVaultId}/secrets/${gateway.certificateName}`,
        roleDefinitionName: "Key Vault Secrets User",
        principalId: this.service.identity.principalId,
        principalType: "ServicePrincipal",
        description: `${props.name} reads its gateway certificate`,
      });
      this.customDomain = new ApiManagementCustomDomain(this, "custom-domain", {
        apiManagementId: this.service.id,
        gateway: [
          {
            hostName: gateway.hostName,
            // Versionless, so API Management picks up renewed versions by itself.
            keyVaultCertificateId: `${gateway.keyVaultUri}secrets/${gateway.certificateName}`,
            negotiateClientCertificate: false,
          },
        ],
        dependsOn: [this.certificateAccess],
      });
    }

    this.id = this.service.id;
    this.name = this.service.name;
    this.principalId = this.service.identity.principalId;
    this.gatewayUrl = this.service.gatewayUrl;
    this.publicIpAddresses = this.service.publicIpAddresses;
    this.privateIpAddresses = this.service.privateIpAddresses;
  }

  private addNsgRules(
    type: ApiManagementVirtualNetworkType,
    nsg: ApiManagementNsgRef,
  ): Map<string, NetworkSecurityRule> {
    const priority = nsg.priority ?? 200;
    const rules = new Map<string, NetworkSecurityRule>();
    for (const r of APIM_NSG_RULES) {
      if (r.externalOnly && type !== "External") continue;
      const inbound = r.direction === "Inbound";
      rules.set(
        r.id,
        new NetworkSecurityRule(this, r.id, {
          name: r.name,
          description: r.description,
          resourceGroupName: nsg.resourceGroupName,
          networkSecurityGroupName: nsg.name,
          priority: priority + r.offset,
          direction: r.direction,
          access: "Allow",
          protocol: "Tcp",
          sourceAddressPrefix: inbound ? r.serviceTag : "VirtualNetwork",
          sourcePortRange: "*",
          destinationAddressPrefix: inbound ? "VirtualNetwork" : r.serviceTag,
          ...(r.ports.length === 1
            ? { destinationPortRange: r.ports[0] }
            : { destinationPortRanges: [...r.ports] }),
        }),
      );
    }
    return rules;
  }

  private validate(props: ApiManagementProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.apiManagement, props.name);
      if (problem)
        throw err(`${problem}. Service names are global DNS names; derive them from the environment.`);
    }

    const sku = props.sku;
    const skuKnown = !Token.isUnresolved(sku);
    if (skuKnown && !SKU.test(sku)) {
      throw err(
        `sku "${sku}" is not an API Management SKU this construct builds; use "Developer_1", ` +
          '"Premium_<units>" (1-99), "Basic_1|2" or "Standard_1-4"',
      );
    }
    const tier = skuKnown ? sku.split("_")[0] : undefined;
    const units = skuKnown ? Number(sku.split("_")[1]) : undefined;

    const vnet = props.virtualNetwork;
    if (vnet.type !== "None" && tier !== undefined && tier !== "Developer" && tier !== "Premium") {
      throw err(
        `virtualNetwork type "${vnet.type}" needs the Developer or Premium tier; "${sku}" cannot be ` +
          'injected into a VNet. Choose another SKU or type "None"',
      );
    }
    if (vnet.type !== "None" && vnet.networkSecurityGroup.priority !== undefined) {
      const p = vnet.networkSecurityGroup.priority;
      // NSG priorities run from 100 to 4096; the construct uses p .. p + the largest offset.
      const highest = 4096 - Math.max(...APIM_NSG_RULES.map((r) => r.offset));
      if (!Token.isUnresolved(p) && (!Number.isInteger(p) || p < 100 || p > highest)) {
        throw err(
          `virtualNetwork.networkSecurityGroup.priority ${p} must be a whole number from 100 to ${highest}`,
        );
      }
    }
    if (props.publicIpAddressId !== undefined && vnet.type === "None") {
      throw err(
        'publicIpAddressId applies only to a VNet-injected service; set virtualNetwork type "External" or "Internal"',
      );
    }

    const zones = props.zones;
    if (zones !== undefined && zones.length > 0) {
      if (tier !== undefined && tier !== "Premium") {
        throw err(`zones need the Premium tier; "${sku}" cannot be zone-redundant`);
      }
      if (new Set(zones).size !== zones.length) throw err(`zones [${zones.join(", ")}] repeat a zone`);
      if (units !== undefined && units % zones.length !== 0) {
        throw err(
          `${units} units cannot be spread evenly over ${zones.length} zones; use a multiple of ` +
            `${zones.length} units (e.g. "Premium_${zones.length}")`,
        );
      }
    }

    if (!Token.isUnresolved(props.publisherEmail) && !EMAIL.test(props.publisherEmail)) {
      throw err(`publisherEmail "${props.publisherEmail}" is not an e-mail address`);
    }
    if (
      !Token.isUnresolved(props.publisherName) &&
      (props.publisherName.trim() === "" || props.publisherName.length > 100)
    ) {
      throw err("publisherName must be 1-100 characters");
    }
    const minApiVersion = props.minApiVersion;
    if (
      minApiVersion !== undefined &&
      !Token.isUnresolved(minApiVersion) &&
      !API_VERSION.test(minApiVersion)
    ) {
      throw err(`minApiVersion "${minApiVersion}" must be an API version date, e.g. "2021-08-01"`);
    }

    const gateway = props.gateway;
    if (gateway) {
      const host = gateway.hostName;
      if (!Token.isUnresolved(host)) {
        if (!HOST_NAME.test(host)) throw err(`gateway.hostName "${host}" is not a lowercase DNS host name`);
        if (host.endsWith(".azure-api.net")) {
          throw err(
            `gateway.hostName "${host}" is the default host name, which Azure creates itself; use your own domain`,
          );
        }
      }
      const name = gateway.certificateName;
      if (!Token.isUnresolved(name) && !KEY_VAULT_OBJECT_NAME.test(name)) {
        throw err(
          `gateway.certificateName "${name}" is not a Key Vault certificate name (1-127 letters, digits and hyphens)`,
        );
      }
    }
  }
}
