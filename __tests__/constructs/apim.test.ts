import { ApiManagement as ApiManagementService } from "@cdktf/provider-azurerm/lib/api-management";
import { ApiManagementCustomDomain } from "@cdktf/provider-azurerm/lib/api-management-custom-domain";
import { NetworkSecurityRule } from "@cdktf/provider-azurerm/lib/network-security-rule";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleAssignment } from "@cdktf/provider-azurerm/lib/role-assignment";
import { TerraformStack, TerraformVariable, Token } from "cdktf";
import { ApiManagement, type ApiManagementProps } from "../../constructs/apim";
import { ConstructValidationError } from "../../constructs/common";
import { onlyResource, resourcesOf, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "altinn" };
const SUBNET =
  "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/apim";
const VAULT_ID =
  "/subscriptions/0/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/altinn-platform-at22-kv";
const VAULT_URI = "https://altinn-platform-at22-kv.vault.azure.net/";
const CERT_NAME = "platform-gateway-certificate";
/** Stands in for the subnet's NSG association (anything Terraform can depend on). */
const ASSOCIATION = { fqn: "azurerm_subnet_network_security_group_association.apim" };
const NSG = {
  name: "altinnplatform-at22-vnet-apim-nsg",
  resourceGroupName: "altinnplatform-at22-rg",
  association: ASSOCIATION,
};
const GATEWAY = {
  hostName: "platform.at22.altinn.cloud",
  keyVaultId: VAULT_ID,
  keyVaultUri: VAULT_URI,
  certificateName: CERT_NAME,
};

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function apimProps(overrides: Partial<ApiManagementProps> = {}): ApiManagementProps {
  return {
    name: "altinn-platform-at22-apim",
    resourceGroupName: "altinnplatform-at22-rg",
    location: "norwayeast",
    sku: "Developer_1",
    publisherName: "Digdir",
    publisherEmail: "platform@digdir.no",
    virtualNetwork: { type: "External", subnetId: SUBNET, networkSecurityGroup: NSG },
    tags: TAGS,
    ...overrides,
  };
}

function synthApim(props: ApiManagementProps = apimProps()) {
  const stack = newStack();
  const apim = new ApiManagement(stack, "apim", props);
  return { apim, synth: synthStack(stack) };
}

function serviceResource(props?: ApiManagementProps): Record<string, unknown> {
  return onlyResource(synthApim(props).synth, ApiManagementService.tfResourceType);
}

function failsWith(props: ApiManagementProps, message: RegExp): void {
  expect(() => new ApiManagement(newStack(), "apim", props)).toThrow(ConstructValidationError);
  expect(() => new ApiManagement(newStack(), "apim", props)).toThrow(message);
}

const PREMIUM_PROD = apimProps({
  name: "altinn-platform-prod-apim",
  sku: "Premium_3",
  zones: ["1", "2", "3"],
  virtualNetwork: { type: "Internal", subnetId: SUBNET, networkSecurityGroup: NSG },
});

describe("ApiManagement", () => {
  test("takes the SKU and publisher", () => {
    expect(synthApim().synth.json).toHaveResourceWithProperties(ApiManagementService, {
      name: "altinn-platform-at22-apim",
      sku_name: "Developer_1",
      publisher_name: "Digdir",
      publisher_email: "platform@digdir.no",
    });
  });

  test("has a system-assigned identity", () => {
    expect(serviceResource().identity).toEqual({ type: "SystemAssigned" });
  });

  test("turns off SSL 3.0, TLS 1.0 and TLS 1.1 towards clients and backends", () => {
    expect(serviceResource().security).toEqual(
      expect.objectContaining({
        frontend_ssl30_enabled: false,
        frontend_tls10_enabled: false,
        frontend_tls11_enabled: false,
        backend_ssl30_enabled: false,
        backend_tls10_enabled: false,
        backend_tls11_enabled: false,
      }),
    );
  });

  test("turns off 3DES, RSA key exchange and CBC-SHA ciphers", () => {
    const security = serviceResource().security as Record<string, unknown>;
    const ciphers = Object.entries(security).filter(([key]) => /^(tls_|triple_des)/.test(key));
    expect(ciphers.map(([key]) => key).sort()).toEqual([
      "tls_ecdhe_ecdsa_with_aes128_cbc_sha_ciphers_enabled",
      "tls_ecdhe_ecdsa_with_aes256_cbc_sha_ciphers_enabled",
      "tls_ecdhe_rsa_with_aes128_cbc_sha_ciphers_enabled",
      "tls_ecdhe_rsa_with_aes256_cbc_sha_ciphers_enabled",
      "tls_rsa_with_aes128_cbc_sha256_ciphers_enabled",
      "tls_rsa_with_aes128_cbc_sha_ciphers_enabled",
      "tls_rsa_with_aes128_gcm_sha256_ciphers_enabled",
      "tls_rsa_with_aes256_cbc_sha256_ciphers_enabled",
      "tls_rsa_with_aes256_cbc_sha_ciphers_enabled",
      "tls_rsa_with_aes256_gcm_sha384_ciphers_enabled",
      "triple_des_ciphers_enabled",
    ]);
    for (const [, enabled] of ciphers) expect(enabled).toBe(false);
  });

  test("uses only the azurerm 4.x security attribute names", () => {
    const security = serviceResource().security as Record<string, unknown>;
    expect(Object.keys(security).filter((key) => key.startsWith("enable_"))).toEqual([]);
  });

  test("injects the gateway into the VNet subnet", () => {
    const service = serviceResource();
    expect(service.virtual_network_type).toBe("External");
    expect(service.virtual_network_configuration).toEqual({ subnet_id: SUBNET });
  });

  test("runs Internal, zone-pinned Premium in production", () => {
    const service = serviceResource(PREMIUM_PROD);
    expect(service).toEqual(
      expect.objectContaining({
        sku_name: "Premium_3",
        zones: ["1", "2", "3"],
        virtual_network_type: "Internal",
      }),
    );
  });

  test("runs without a VNet only when told so", () => {
    const service = serviceResource(apimProps({ sku: "Standard_1", virtualNetwork: { type: "None" } }));
    expect(service.virtual_network_type).toBe("None");
    expect(service.virtual_network_configuration).toBeUndefined();
  });

  test("refuses management API versions before 2019-12-01 by default", () => {
    expect(serviceResource().min_api_version).toBe("2019-12-01");
    expect(serviceResource(apimProps({ minApiVersion: "2021-08-01" })).min_api_version).toBe("2021-08-01");
  });

  test("carries prevent_destroy and the submodule tag", () => {
    const service = serviceResource();
    expect(service.lifecycle).toEqual({ prevent_destroy: true });
    expect(service.tags).toEqual({ ...TAGS, submodule: "api-management" });
  });

  test("has no custom domain unless asked", () => {
    const { synth, apim } = synthApim();
    expect(Object.keys(resourcesOf(synth, ApiManagementCustomDomain.tfResourceType))).toHaveLength(0);
    expect(apim.customDomain).toBeUndefined();
  });

  describe("gateway host name", () => {
    const withGateway = apimProps({ gateway: GATEWAY });

    test("binds platform.{hostname} to the versionless Key Vault certificate", () => {
      const domain = onlyResource(synthApim(withGateway).synth, ApiManagementCustomDomain.tfResourceType);
      expect(domain.api_management_id).toMatch(/^\$\{azurerm_api_management\..*\.id\}$/);
      expect(domain.gateway).toEqual([
        {
          host_name: "platform.at22.altinn.cloud",
          key_vault_certificate_id: `${VAULT_URI}secrets/${CERT_NAME}`,
          negotiate_client_certificate: false,
        },
      ]);
    });

    test("lets the service identity read that one certificate, not the vault, before binding it", () => {
      const { synth } = synthApim(withGateway);
      const role = onlyResource(synth, RoleAssignment.tfResourceType);
      expect(role).toEqual(
        expect.objectContaining({
          scope: `${VAULT_ID}/secrets/${CERT_NAME}`,
          role_definition_name: "Key Vault Secrets User",
          principal_type: "ServicePrincipal",
          principal_id: expect.stringMatching(
            /^\$\{azurerm_api_management\..*\.identity\[0\]\.principal_id\}$/,
          ),
        }),
      );
      const domain = onlyResource(synth, ApiManagementCustomDomain.tfResourceType);
      expect(domain.depends_on).toEqual([
        expect.stringMatching(/^azurerm_role_assignment\.apim_certificate-access_/),
      ]);
    });

    test("leaves hostname_configuration on the service alone", () => {
      expect(serviceResource(withGateway).hostname_configuration).toBeUndefined();
    });
  });

  describe("NSG rules", () => {
    const rulesOf = (props: ApiManagementProps) =>
      Object.values(resourcesOf(synthApim(props).synth, NetworkSecurityRule.tfResourceType))
        .map((r) => [
          r.direction,
          r.direction === "Inbound" ? r.source_address_prefix : r.destination_address_prefix,
          r.destination_port_range ?? r.destination_port_ranges,
          r.priority,
        ])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0])) || Number(a[3]) - Number(b[3]));

    // Learn "Virtual network configuration reference: API Management", required ports.
    test("adds the rules stv2 needs to deploy and run, and 443 from the Internet for External", () => {
      const rules = Object.values(resourcesOf(synthApim().synth, NetworkSecurityRule.tfResourceType));
      for (const r of rules) {
        expect(r).toMatchObject({ network_security_group_name: NSG.name, access: "Allow", protocol: "Tcp" });
        const vnetEnd = r.direction === "Inbound" ? r.destination_address_prefix : r.source_address_prefix;
        expect(vnetEnd).toBe("VirtualNetwork");
      }
      expect(rulesOf(apimProps())).toEqual([
        ["Inbound", "ApiManagement", "3443", 200],
        ["Inbound", "Internet", "443", 201],
        ["Inbound", "AzureLoadBalancer", "6390", 202],
        ["Outbound", "Storage", "443", 200],
        ["Outbound", "Sql", "1433", 201],
        ["Outbound", "AzureKeyVault", "443", 202],
        ["Outbound", "AzureMonitor", ["1886", "443"], 203],
        ["Outbound", "Internet", "80", 204],
      ]);
    });

    test("leaves the Internet out of an Internal gateway's inbound rules", () => {
      const rules = rulesOf(
        apimProps({
          virtualNetwork: {
            type: "Internal",
            subnetId: SUBNET,
            networkSecurityGroup: { ...NSG, priority: 300 },
          },
        }),
      );
      expect(rules.filter((r) => r[0] === "Inbound")).toEqual([
        ["Inbound", "ApiManagement", "3443", 300],
        ["Inbound", "AzureLoadBalancer", "6390", 302],
      ]);
    });

    test("creates the service only after the NSG is attached to the subnet and every rule exists", () => {
      const { synth } = synthApim();
      const rules = Object.keys(resourcesOf(synth, NetworkSecurityRule.tfResourceType));
      expect(rules).toHaveLength(8);
      const service = onlyResource(synth, ApiManagementService.tfResourceType);
      expect([...(service.depends_on as string[])].sort()).toEqual(
        [ASSOCIATION.fqn, ...rules.map((r) => `${NetworkSecurityRule.tfResourceType}.${r}`)].sort(),
      );
    });

    test("adds no rules and no ordering without a VNet", () => {
      const props = apimProps({ sku: "Standard_1", virtualNetwork: { type: "None" } });
      expect(rulesOf(props)).toEqual([]);
      expect(serviceResource(props).depends_on).toBeUndefined();
    });
  });

  test("exposes ID, name, identity and gateway URL as references", () => {
    const { apim } = synthApim();
    for (const value of [apim.id, apim.name, apim.principalId, apim.gatewayUrl]) {
      expect(Token.isUnresolved(value)).toBe(true);
    }
  });

  describe("validation", () => {
    test("fails if the name breaks Azure's rule", () => {
      failsWith(apimProps({ name: "1-platform-apim" }), /starting with a letter/);
      failsWith(apimProps({ name: "platform-apim-" }), /does not match/);
      failsWith(apimProps({ name: `a${"b".repeat(50)}` }), /1-50 characters/);
    });

    test("fails if the SKU is not one the construct builds", () => {
      failsWith(apimProps({ sku: "Consumption_0" as never }), /not an API Management SKU/);
      failsWith(apimProps({ sku: "Premium_0" }), /not an API Management SKU/);
      failsWith(apimProps({ sku: "Developer_2" as never }), /not an API Management SKU/);
    });

    test("fails if a tier without VNet injection is put in a VNet", () => {
      failsWith(
        apimProps({
          sku: "Standard_1",
          virtualNetwork: { type: "Internal", subnetId: SUBNET, networkSecurityGroup: NSG },
        }),
        /needs the Developer or Premium tier; "Standard_1" cannot be injected/,
      );
    });

    test("fails if zones are asked of a non-Premium tier", () => {
      failsWith(apimProps({ zones: ["1", "2"] }), /zones need the Premium tier/);
    });

    test("fails if units do not spread evenly over the zones", () => {
      failsWith(
        apimProps({ sku: "Premium_2", zones: ["1", "2", "3"] }),
        /2 units cannot be spread evenly over 3 zones/,
      );
    });

    test("fails if a zone is repeated", () => {
      failsWith(apimProps({ sku: "Premium_2", zones: ["1", "1"] }), /repeat a zone/);
    });

    test("fails if a public IP is given without a VNet", () => {
      failsWith(
        apimProps({ sku: "Premium_1", virtualNetwork: { type: "None" }, publicIpAddressId: "/pip" }),
        /publicIpAddressId applies only to a VNet-injected service/,
      );
    });

    test("fails if the publisher e-mail or name is unusable", () => {
      failsWith(apimProps({ publisherEmail: "platform" }), /not an e-mail address/);
      failsWith(apimProps({ publisherName: " " }), /publisherName must be 1-100 characters/);
    });

    test("fails if the minimum API version is not a date", () => {
      failsWith(apimProps({ minApiVersion: "latest" }), /minApiVersion "latest"/);
    });

    test("fails if the gateway certificate name is not a Key Vault object name", () => {
      failsWith(
        apimProps({ gateway: { ...GATEWAY, certificateName: "platform_gateway.pfx" } }),
        /not a Key Vault certificate name/,
      );
    });

    test("fails if the gateway host name is invalid or the default one", () => {
      failsWith(
        apimProps({ gateway: { ...GATEWAY, hostName: "Platform_AT22" } }),
        /not a lowercase DNS host name/,
      );
      failsWith(
        apimProps({ gateway: { ...GATEWAY, hostName: "altinn-platform-at22-apim.azure-api.net" } }),
        /default host name/,
      );
    });

    test("fails if the NSG rule priority is out of range", () => {
      failsWith(
        apimProps({
          virtualNetwork: {
            type: "External",
            subnetId: SUBNET,
            networkSecurityGroup: { ...NSG, priority: 4093 },
          },
        }),
        /priority 4093 must be a whole number from 100 to 4092/,
      );
    });

    test("skips checks on unresolved tokens", () => {
      const stack = newStack();
      const name = new TerraformVariable(stack, "name", { type: "string" }).stringValue;
      const host = new TerraformVariable(stack, "host", { type: "string" }).stringValue;
      const props = apimProps({
        name,
        gateway: { ...GATEWAY, hostName: host },
      });
      expect(() => new ApiManagement(stack, "apim", props)).not.toThrow();
    });
  });
});
