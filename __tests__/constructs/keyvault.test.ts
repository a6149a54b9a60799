import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack, Token } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { HardenedKeyVault, type HardenedKeyVaultProps } from "../../constructs/keyvault";
import { onlyResource, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "at22", org: "ttd" };
const TENANT = "cd0026d8-283b-4a55-9bfa-d0ef4a8ba21c";

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function vaultProps(overrides: Partial<HardenedKeyVaultProps> = {}): HardenedKeyVaultProps {
  return {
    name: "ttd-at22-keyvault",
    resourceGroupName: "altinnapps-ttd-at22-rg",
    location: "norwayeast",
    tenantId: TENANT,
    tags: TAGS,
    ...overrides,
  };
}

function synthVault(props: HardenedKeyVaultProps = vaultProps()) {
  const stack = newStack();
  const vault = new HardenedKeyVault(stack, "keyvault", props);
  return { vault, synth: synthStack(stack) };
}

function vaultResource(props?: HardenedKeyVaultProps): Record<string, unknown> {
  return onlyResource(synthVault(props).synth, KeyVault.tfResourceType);
}

function failsWith(props: HardenedKeyVaultProps, message: RegExp): void {
  expect(() => new HardenedKeyVault(newStack(), "keyvault", props)).toThrow(ConstructValidationError);
  expect(() => new HardenedKeyVault(newStack(), "keyvault", props)).toThrow(message);
}

describe("HardenedKeyVault", () => {
  test("authorises with Azure RBAC under the non-deprecated attribute", () => {
    const vault = vaultResource();
    expect(vault.rbac_authorization_enabled).toBe(true);
    expect(vault.enable_rbac_authorization).toBeUndefined();
    expect(vault.access_policy).toBeUndefined();
  });

  test("enables purge protection and 90 days of soft delete", () => {
    expect(synthVault().synth.json).toHaveResourceWithProperties(KeyVault, {
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
    });
  });

  test("defaults to the standard SKU in the given tenant", () => {
    expect(synthVault().synth.json).toHaveResourceWithProperties(KeyVault, {
      sku_name: "standard",
      tenant_id: TENANT,
    });
  });

  test("has no public endpoint by default, and a firewall that admits nothing", () => {
    const vault = vaultResource();
    expect(vault.network_acls).toEqual({
      default_action: "Deny",
      bypass: "AzureServices",
      virtual_network_subnet_ids: [],
      ip_rules: [],
    });
    expect(vault.public_network_access_enabled).toBe(false);
  });

  test("admits the given subnets and addresses on the public endpoint, which they keep open", () => {
    const vault = vaultResource(vaultProps({ allowedSubnetIds: ["/subnets/aks"], ipRules: ["203.0.113.7"] }));
    expect(vault.network_acls).toEqual(
      expect.objectContaining({ virtual_network_subnet_ids: ["/subnets/aks"], ip_rules: ["203.0.113.7"] }),
    );
    expect(vault.public_network_access_enabled).toBe(true);
  });

  test("refuses firewall rules together with publicNetworkAccess: false", () => {
    failsWith(
      vaultProps({ publicNetworkAccess: false, ipRules: ["203.0.113.7"] }),
      /publicNetworkAccess: false turns off/,
    );
  });

  test("takes SKU, retention and network settings", () => {
    const vault = vaultResource(
      vaultProps({
        sku: "premium",
        softDeleteRetentionDays: 7,
        networkDefaultAction: "Allow",
        publicNetworkAccess: false,
      }),
    );
    expect(vault).toEqual(
      expect.objectContaining({
        sku_name: "premium",
        soft_delete_retention_days: 7,
        public_network_access_enabled: false,
      }),
    );
    expect((vault.network_acls as Record<string, unknown>).default_action).toBe("Allow");
  });

  test("carries prevent_destroy and the submodule tag", () => {
    const vault = vaultResource();
    expect(vault.lifecycle).toEqual({ prevent_destroy: true });
    expect(vault.tags).toEqual({ ...TAGS, submodule: "key-vault" });
  });

  test("exposes ID, name and URI as references", () => {
    const { vault } = synthVault();
    for (const value of [vault.id, vault.name, vault.vaultUri]) expect(Token.isUnresolved(value)).toBe(true);
  });

  describe("validation", () => {
    test("fails if the name is too short or too long", () => {
      failsWith(vaultProps({ name: "kv" }), /3-24 characters/);
      failsWith(vaultProps({ name: "ttd-at22-keyvault-shared1" }), /3-24 characters/);
    });

    test("fails if the name starts with a digit or ends with a hyphen", () => {
      failsWith(vaultProps({ name: "1ttd-kv" }), /starting with a letter/);
      failsWith(vaultProps({ name: "ttd-kv-" }), /ending with a letter or digit/);
    });

    test("fails if the name has consecutive hyphens", () => {
      failsWith(vaultProps({ name: "ttd--kv" }), /consecutive hyphens/);
    });

    test("fails if soft delete retention is outside 7-90 days", () => {
      failsWith(vaultProps({ softDeleteRetentionDays: 6 }), /softDeleteRetentionDays 6/);
      failsWith(vaultProps({ softDeleteRetentionDays: 91 }), /softDeleteRetentionDays 91/);
    });

    test("fails if an IP rule is malformed", () => {
      failsWith(vaultProps({ ipRules: ["203.0.113"] }), /not an IPv4 address or CIDR/);
      failsWith(vaultProps({ ipRules: ["203.0.113.7/24"] }), /not a network address/);
    });
  });
});
