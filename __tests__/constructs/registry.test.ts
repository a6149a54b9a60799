import { ContainerRegistry as AzureContainerRegistry } from "@cdktf/provider-azurerm/lib/container-registry";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common";
import { ContainerRegistry, type ContainerRegistryProps } from "../../constructs/registry";
import { onlyResource, synthStack, testApp } from "../../testing";

const TAGS = { finops_environment: "prod", org: "ttd" };

function newStack(): TerraformStack {
  const stack = new TerraformStack(testApp(), "test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  return stack;
}

function registryProps(overrides: Partial<ContainerRegistryProps> = {}): ContainerRegistryProps {
  return {
    name: "ttdaltinnregistry01",
    resourceGroupName: "altinnapps-ttd-acr-rg",
    location: "westeurope",
    tags: TAGS,
    ...overrides,
  };
}

function registryResource(props: ContainerRegistryProps = registryProps()): Record<string, unknown> {
  const stack = newStack();
  new ContainerRegistry(stack, "registry", props);
  return onlyResource(synthStack(stack), AzureContainerRegistry.tfResourceType);
}

function failsWith(props: ContainerRegistryProps, message: RegExp): void {
  expect(() => new ContainerRegistry(newStack(), "registry", props)).toThrow(ConstructValidationError);
  expect(() => new ContainerRegistry(newStack(), "registry", props)).toThrow(message);
}

describe("ContainerRegistry", () => {
  test("defaults to a zone-redundant Premium registry", () => {
    expect(registryResource()).toEqual(
      expect.objectContaining({ sku: "Premium", zone_redundancy_enabled: true }),
    );
  });

  test("has no admin user and no anonymous pull", () => {
    expect(registryResource()).toEqual(
      expect.objectContaining({ admin_enabled: false, anonymous_pull_enabled: false }),
    );
  });

  test("has no public endpoint, no export and dedicated data endpoints by default (Premium)", () => {
    expect(registryResource()).toEqual(
      expect.objectContaining({
        public_network_access_enabled: false,
        export_policy_enabled: false,
        data_endpoint_enabled: true,
        network_rule_bypass_option: "AzureServices",
      }),
    );
  });

  test("keeps the public endpoint below Premium, which has no private endpoints", () => {
    const standard = registryResource(registryProps({ sku: "Standard" }));
    expect(standard).toEqual(
      expect.objectContaining({ public_network_access_enabled: true, export_policy_enabled: true }),
    );
    expect(standard.data_endpoint_enabled).toBeUndefined();
  });

  test("keeps untagged manifests unless a retention is given", () => {
    expect(registryResource().retention_policy_in_days).toBeUndefined();
    expect(registryResource(registryProps({ retentionDays: 30 })).retention_policy_in_days).toBe(30);
  });

  test("disables export together with public access", () => {
    expect(registryResource(registryProps({ publicNetworkAccess: false }))).toEqual(
      expect.objectContaining({ public_network_access_enabled: false, export_policy_enabled: false }),
    );
  });

  test("drops zone redundancy and anonymous pull settings below Premium", () => {
    const basic = registryResource(registryProps({ sku: "Basic" }));
    expect(basic).toEqual(
      expect.objectContaining({ sku: "Basic", zone_redundancy_enabled: false, admin_enabled: false }),
    );
    expect(basic.anonymous_pull_enabled).toBeUndefined();
    expect(registryResource(registryProps({ sku: "Standard" })).anonymous_pull_enabled).toBe(false);
  });

  test("carries prevent_destroy and the submodule tag", () => {
    const registry = registryResource();
    expect(registry.lifecycle).toEqual({ prevent_destroy: true });
    expect(registry.tags).toEqual({ ...TAGS, submodule: "container-registry" });
  });

  test("exposes the login server as a reference", () => {
    const stack = newStack();
    const registry = new ContainerRegistry(stack, "registry", registryProps());
    new TerraformOutput(stack, "login", { value: registry.loginServer });
    expect(synthStack(stack).parsed.output?.login?.value).toMatch(
      /^\$\{azurerm_container_registry\.registry_[0-9A-F]+\.login_server\}$/,
    );
  });

  describe("validation", () => {
    test("fails if the name breaks Azure's rule", () => {
      failsWith(registryProps({ name: "ttd" }), /5-50 characters/);
      failsWith(registryProps({ name: "ttd-altinn-registry" }), /letters and digits only/);
    });

    test("fails if zone redundancy is requested below Premium", () => {
      failsWith(
        registryProps({ sku: "Standard", zoneRedundant: true }),
        /zoneRedundant needs the Premium SKU/,
      );
    });

    test("fails if a retention is requested below Premium", () => {
      failsWith(registryProps({ sku: "Standard", retentionDays: 7 }), /retentionDays needs the Premium SKU/);
    });

    test("fails if the retention is out of range", () => {
      failsWith(registryProps({ retentionDays: 366 }), /retentionDays 366/);
    });

    test("fails if public access is turned off below Premium", () => {
      failsWith(registryProps({ sku: "Basic", publicNetworkAccess: false }), /needs the Premium SKU/);
    });
  });
});
