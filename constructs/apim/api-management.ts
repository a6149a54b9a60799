import { ApiManagement as ApiManagementService } from "@cdktf/provider-azurerm/lib/api-management";
import { ApiManagementCustomDomain } from "@cdktf/provider-azurerm/lib/api-management-custom-domain";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import type { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { Token } from "cdktf";
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

/** An NSG the construct adds the rules API Management needs to. */
export interface ApiManagementNsgRef {
  /** Name of the NSG attached to the API Management subnet. */
  readonly name: string;
  readonly resourceGroupName: string;
  /**
   * First rule priority; the construct uses this and the next one.
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
       * The subnet's NSG, to which the construct adds the inbound rules API Management needs:
       * TCP 3443 from the `ApiManagement` service tag (management endpoint) and, for
       * `External`, TCP 443 from the Internet. Without them deployment fails unless the rules
       * exist already.
       * @default - the caller manages the NSG rules
       */
      readonly networkSecurityGroup?: ApiManagementNsgRef;
    }
  | { readonly type: "None" };

/** A custom gateway host name with its certificate in Key Vault. */
export interface ApiManagementGatewayDomain {
  /** Host name, e.g. `platform.at22.altinn.cloud`. */
  readonly hostName: string;
  /**
   * Versionless Key Vault secret ID of the PFX certificate
   * (`https://<vault>.vault.azure.net/secrets/<name>`); API Management picks up renewed
   * versions within four hours.
   */
  readonly keyVaultCertificateId: string;
  /**
   * Resource ID of that vault (Azure RBAC). The service's identity gets `Key Vault Secrets User`
   * on it; keep the certificate in a vault that holds nothing else the gateway must not read.
   */
  readonly keyVaultId: string;
}

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
const VERSIONLESS_SECRET_ID = /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[a-zA-Z0-9-]+\/?$/;
const VERSIONED_SECRET_ID = /^https:\/\/[a-z0-9-]+\.vault\.azure\.net\/secrets\/[a-zA-Z0-9-]+\/[0-9a-f]{32}$/;

/**
 * An API Management service with a system-assigned identity, injected into a VNet, that speaks
 * only TLS 1.2 with strong ciphers to clients and backends, optionally zone-pinned and with a
 * custom gateway host name whose certificate comes from Key Vault. It carries `prevent_destroy`:
 * it takes about 45 minutes to create, and its APIs and products live in it.
 *
 * The custom domain is an `azurerm_api_management_custom_domain` rather than the service's
 * `hostname_configuration`: the system-assigned identity exists only after the service does, so
 * the certificate can only be read once the role assignment below is in place.
 */
export class ApiManagement extends Construct {
  readonly service: ApiManagementService;
  /** The gateway host name binding, when `gateway` is set. */
  readonly customDomain?: ApiManagementCustomDomain;
  /** `Key Vault Secrets User` for the service's identity, when `gateway` is set. */
  readonly certificateAccess?: RoleAssignment;
  /** Resource ID. */
  readonly id: string;
  /** Service name (a reference, so users depend on the service). */
  readonly name: string;
  /** Object ID of the system-assigned identity, for role assignments (e.g. Key Vault named values). */
  readonly principalId: string;
  /** `https://<name>.azure-api.net`. */
  readonly gatewayUrl: string;
  /** Private addresses of the gateway (VNet-injected services). */
  readonly privateIpAddresses: string[];

  constructor(scope: Construct, id: string, props: ApiManagementProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "api-management");
    const vnet = props.virtualNetwork;

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

      tags,
      lifecycle: statefulLifecycle(),
    });

    if (vnet.type !== "None" && vnet.networkSecurityGroup) {
      this.addNsgRules(vnet.type, vnet.networkSecurityGroup);
    }

    if (props.gateway) {
      this.certificateAccess = roleAssignment(this, "certificate-access", {
        scope: props.gateway.keyVaultId,
        roleDefinitionName: "Key Vault Secrets User",
        principalId: this.service.identity.principalId,
        principalType: "ServicePrincipal",
        description: `${props.name} reads its gateway certificate`,
      });
      this.customDomain = new ApiManagementCustomDomain(this, "custom-domain", {
        apiManagementId: this.service.id,
        gateway: [
          {
            hostName: props.gateway.hostName,
            keyVaultCertificateId: props.gateway.keyVaultCertificateId,
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
    this.privateIpAddresses = this.service.privateIpAddresses;
  }

  private addNsgRules(type: ApiManagementVirtualNetworkType, nsg: ApiManagementNsgRef): void {
    const priority = nsg.priority ?? 200;
    const rule = (
      id: string,
      name: string,
      source: string,
      port: string,
      offset: number,
      description: string,
    ) =>
      new NetworkSecurityRule(this, id, {
        name,
        description,
        resourceGroupName: nsg.resourceGroupName,
        networkSecurityGroupName: nsg.name,
        priority: priority + offset,
        direction: "Inbound",
        access: "Allow",
        protocol: "Tcp",
        sourceAddressPrefix: source,
        sourcePortRange: "*",
        destinationAddressPrefix: "VirtualNetwork",
        destinationPortRange: port,
      });
    rule(
      "nsg-rule-management",
      "allow-apim-management-inbound",
      "ApiManagement",
      "3443",
      0,
      "API Management control plane (required)",
    );
    if (type === "External") {
      rule(
        "nsg-rule-gateway",
        "allow-internet-apim-gateway-inbound",
        "Internet",
        "443",
        1,
        "Public API gateway",
      );
    }
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
    if (vnet.type !== "None" && vnet.networkSecurityGroup?.priority !== undefined) {
      const p = vnet.networkSecurityGroup.priority;
      if (!Token.isUnresolved(p) && (!Number.isInteger(p) || p < 100 || p > 4095)) {
        throw err(
          `virtualNetwork.networkSecurityGroup.priority ${p} must be a whole number from 100 to 4095`,
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
      const secret = gateway.keyVaultCertificateId;
      if (!Token.isUnresolved(secret)) {
        if (VERSIONED_SECRET_ID.test(secret)) {
          throw err(
            `gateway.keyVaultCertificateId "${secret}" names one version; use the versionless secret ID ` +
              "(versionless_secret_id) so renewed certificates are picked up",
          );
        }
        if (!VERSIONLESS_SECRET_ID.test(secret)) {
          throw err(
            `gateway.keyVaultCertificateId "${secret}" is not a Key Vault secret ID ` +
              "(https://<vault>.vault.azure.net/secrets/<name>)",
          );
        }
      }
    }
  }
}
