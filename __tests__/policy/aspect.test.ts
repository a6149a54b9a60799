/**
 * The policy aspect on real constructs: violations fail synth with the address, rule, why and
 * fix; nested blocks and references are read as synthesized; production-only rules apply to
 * production stacks only; suppressions are explicit, reasoned and reported when unused.
 */
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { StorageAccount, type StorageAccountConfig } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Aspects, TerraformStack, TerraformVariable, Testing } from "cdktf";
import { Construct } from "constructs";
import { formatSynthError } from "../../cli/policy/policy-synth-errors";
import { statefulLifecycle } from "../../constructs/common";
import {
  type FleetSuppression,
  MIN_REASON_LENGTH,
  PolicyAspect,
  type PolicyEnvironment,
  policyAspectsOf,
  suppress,
} from "../../constructs/policy";
import { STORAGE_PACK } from "../../constructs/policy/packs";
import { collectPolicyReport } from "../../constructs/policy/report";
import { FleetStack, policyEnvironmentOf } from "../../stacks/fleet-stack";
import { synthStack, testApp } from "../../testing";
import { committedFleet } from "../../testing/fleet-synth";

const COMPLIANT: Omit<StorageAccountConfig, "name"> = {
  resourceGroupName: "rg",
  location: "norwayeast",
  accountTier: "Standard",
  accountKind: "StorageV2",
  accountReplicationType: "ZRS",
  allowNestedItemsToBePublic: false,
  sharedAccessKeyEnabled: false,
  localUserEnabled: false,
  infrastructureEncryptionEnabled: true,
  publicNetworkAccessEnabled: false,
  networkRules: { defaultAction: "Deny", bypass: ["AzureServices"] },
  blobProperties: {
    versioningEnabled: true,
    deleteRetentionPolicy: { days: 30 },
    containerDeleteRetentionPolicy: { days: 30 },
  },
  lifecycle: statefulLifecycle(),
};

function policyStack(
  environment: PolicyEnvironment = "test",
  fleetSuppressions: readonly FleetSuppression[] = [],
): TerraformStack {
  const stack = new TerraformStack(testApp(), "policy-test");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  Aspects.of(stack).add(new PolicyAspect({ environment, fleetSuppressions }));
  return stack;
}

function account(scope: Construct, id: string, change: Partial<StorageAccountConfig> = {}): StorageAccount {
  return new StorageAccount(scope, id, {
    name: `${id.replace(/[^a-z0-9]/g, "")}strg`,
    ...COMPLIANT,
    ...change,
  });
}

function synthError(stack: TerraformStack): string {
  try {
    synthStack(stack);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("synth succeeded, but a violation was expected");
}

describe("violations fail synth", () => {
  test("a compliant resource synthesizes", () => {
    const stack = policyStack();
    account(stack, "data");
    expect(() => synthStack(stack)).not.toThrow();
  });

  test("fails if a rule is violated, naming address, construct path, rule, why, fix and source", () => {
    const stack = policyStack();
    const group = new Construct(stack, "apps-storage");
    account(group, "account", { allowNestedItemsToBePublic: true });
    const message = synthError(stack);
    expect(message).toMatch(/policy AZ-ST-003 \(high\): Blobs cannot be made publicly readable/);
    expect(message).toMatch(/resource: azurerm_storage_account\.apps-storage_account_[0-9A-F]{8}/);
    expect(message).toContain("[policy-test/apps-storage/account]");
    expect(message).toContain("found:    allow_nested_items_to_be_public is true");
    expect(message).toContain("why:");
    expect(message).toContain("fix:      Set allow_nested_items_to_be_public = false");
    expect(message).toContain("Checkov CKV_AZURE_190");
    expect(message).toContain('suppress(<construct>, "AZ-ST-003"');
  });

  test("reads nested blocks as synthesized (network_rules, blob_properties)", () => {
    const stack = policyStack();
    account(stack, "data", {
      publicNetworkAccessEnabled: true,
      networkRules: { defaultAction: "Allow" },
      blobProperties: { versioningEnabled: false },
    });
    const message = synthError(stack);
    expect(message).toContain('network_rules.default_action is "Allow"');
    expect(message).toContain("AZ-ST-007");
    expect(message).toContain("blob_properties.versioning_enabled is false");
  });

  test("treats unresolved references as unknown, not as violations", () => {
    const stack = policyStack();
    const flag = new TerraformVariable(stack, "public_blobs", { type: "bool" });
    const tier = new TerraformVariable(stack, "tls", { type: "string" });
    account(stack, "data", {
      allowNestedItemsToBePublic: flag.booleanValue,
      minTlsVersion: tier.stringValue,
    });
    expect(() => synthStack(stack)).not.toThrow();
    const aspect = policyAspectsOf(stack)[0]!;
    expect(aspect.counts.unknown).toBeGreaterThanOrEqual(2);
    expect(aspect.findings).toEqual([]);
  });

  test("production-only rules apply to production stacks only", () => {
    const test = policyStack("test");
    account(test, "data", { accountReplicationType: "ZRS" });
    expect(() => synthStack(test)).not.toThrow();

    const prod = policyStack("prod");
    account(prod, "data", { accountReplicationType: "ZRS" });
    expect(synthError(prod)).toContain(
      "policy AZ-ST-010 (high, production): Production storage is geo-zone-redundant",
    );
  });

  test("a violation is reported once, however often the aspects run", () => {
    const stack = policyStack();
    account(stack, "data", { allowNestedItemsToBePublic: true });
    Testing.synth(stack);
    Testing.synth(stack);
    const errors = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error"));
    expect(errors).toHaveLength(1);
  });

  test("stateful resources without prevent_destroy fail SAFE-001", () => {
    const stack = policyStack();
    const a = account(stack, "data");
    new StorageContainer(stack, "container", { name: "data", storageAccountId: a.id });
    const message = synthError(stack);
    expect(message).toContain("policy SAFE-001");
    expect(message).toContain("azurerm_storage_container.container");
  });
});

describe("suppressions", () => {
  const REASON = "Public blobs serve the static status page; no app data lives in this account.";

  test("suppress() on the resource lets synth pass and records the suppression", () => {
    const stack = policyStack();
    const a = account(stack, "data", { allowNestedItemsToBePublic: true });
    suppress(a, "AZ-ST-003", REASON);
    expect(() => synthStack(stack)).not.toThrow();
    const report = collectPolicyReport([stack]);
    expect(report.violations).toEqual([]);
    expect(report.suppressions).toEqual([
      expect.objectContaining({
        rule: "AZ-ST-003",
        reason: REASON,
        origin: { kind: "construct", path: "policy-test/data" },
        covers: [expect.objectContaining({ address: "azurerm_storage_account.data" })],
      }),
    ]);
  });

  test("a suppression on a parent construct covers its children, for that rule only", () => {
    const stack = policyStack();
    const group = new Construct(stack, "static-site");
    account(group, "account", { allowNestedItemsToBePublic: true, minTlsVersion: "TLS1_0" });
    suppress(group, "AZ-ST-003", REASON);
    const message = synthError(stack);
    expect(message).not.toContain("AZ-ST-003");
    expect(message).toContain("AZ-ST-002");
  });

  test("fleet suppressions match construct paths", () => {
    const stack = policyStack("test", [{ rule: "AZ-ST-003", path: "policy-*/static-*", reason: REASON }]);
    account(new Construct(stack, "static-site"), "account", { allowNestedItemsToBePublic: true });
    expect(() => synthStack(stack)).not.toThrow();
    expect(policyAspectsOf(stack)[0]!.findings[0]!.suppression?.origin).toEqual({
      kind: "fleet",
      index: 0,
      path: "policy-*/static-*",
    });
  });

  test("fails if the reason is missing or too short", () => {
    const stack = policyStack();
    const a = account(stack, "data");
    expect(() => suppress(a, "AZ-ST-003", "")).toThrow(/needs a reason of at least/);
    expect(() => suppress(a, "AZ-ST-003", "x".repeat(MIN_REASON_LENGTH - 1))).toThrow(/needs a reason/);
  });

  test("fails if the rule does not exist", () => {
    const stack = policyStack();
    expect(() => suppress(account(stack, "data"), "AZ-ST-999", REASON)).toThrow(/unknown rule "AZ-ST-999"/);
  });

  test("fails if a fleet suppression has no reason", () => {
    expect(() => policyStack("test", [{ rule: "AZ-ST-003", path: "*", reason: "because" }])).toThrow(
      /fleet suppression #1.*needs a reason/,
    );
  });

  test("unused suppressions are reported", () => {
    const stack = policyStack();
    suppress(account(stack, "data"), "AZ-ST-003", REASON);
    Testing.synth(stack);
    const report = collectPolicyReport([stack]);
    expect(report.unusedSuppressions.map((s) => [s.rule, s.origin])).toEqual([
      ["AZ-ST-003", { kind: "construct", path: "policy-test/data" }],
    ]);
  });

  test("suppression metadata stays out of the synthesized configuration", () => {
    const stack = policyStack();
    suppress(account(stack, "data", { allowNestedItemsToBePublic: true }), "AZ-ST-003", REASON);
    expect(synthStack(stack).json).not.toContain("policy-suppression");
  });
});

describe("FleetStack attaches the policy", () => {
  test("production rules for prod, shared and bootstrap state scopes", () => {
    expect(["prod", "shared", "bootstrap", "tt02", "at22", "dev"].map(policyEnvironmentOf)).toEqual([
      "prod",
      "prod",
      "prod",
      "test",
      "test",
      "test",
    ]);
  });

  test("a FleetStack fails synth on a violation, after the FinOps tags were applied", () => {
    const stack = new FleetStack(testApp(), {
      stackId: "policy-fleet-stack",
      stateScope: "prod",
      settings: committedFleet().settings,
      backend: "local",
      tags: { finops_environment: "prod" },
    });
    expect(stack.policy.environment).toBe("prod");
    account(stack, "data", { accountReplicationType: "LRS" });
    const message = synthError(stack);
    expect(message).toContain("AZ-ST-009");
    expect(message).toContain("AZ-ST-010");
  });

  test("the real synthesizer fails too, and the synth CLI prints the findings without cdktf's bypass advice", () => {
    const stack = policyStack();
    account(stack, "data", { allowNestedItemsToBePublic: true });
    let error: unknown;
    try {
      Testing.fullSynth(stack);
    } catch (e) {
      error = e;
    }
    expect(String(error)).toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS");
    const printed = formatSynthError(error);
    expect(printed).toContain("errors in stack policy-test (1 policy finding)");
    expect(printed).toContain("policy AZ-ST-003");
    expect(printed).not.toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS");
    expect(printed).toContain("npm run policy");
  });

  test("the storage pack alone can be applied", () => {
    const stack = new TerraformStack(testApp(), "storage-only");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    const aspect = new PolicyAspect({ environment: "test", packs: [STORAGE_PACK], fleetSuppressions: [] });
    Aspects.of(stack).add(aspect);
    account(stack, "data", { lifecycle: undefined });
    expect(() => synthStack(stack)).not.toThrow(); // SAFE-001 is not in the storage pack
    expect(aspect.rules.every((r) => r.pack === "storage")).toBe(true);
  });
});
