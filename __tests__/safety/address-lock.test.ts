/**
 * The address lock: the committed lock matches the representatives synthesized from the current
 * code; a renamed stateful construct is caught with a message that names the address and how to
 * proceed; the same rename with a cdktf move (a `moved` block) or a reasoned removal passes.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import { HardenedStorageAccount } from "../../constructs/storage";
import {
  ADDRESS_LOCK_FILE,
  type AddressLock,
  checkAddressLock,
  formatLockProblems,
  readAddressLock,
  renderAddressLock,
  type SynthesizedConfig,
  statefulAddresses,
  updateLock,
} from "../../safety/address-lock";
import { synthStack, testApp } from "../../testing";
import { synthFleetStacks } from "../../testing/fleet-synth";

describe("the committed lock", () => {
  const lock = readAddressLock();
  const synthesized = synthFleetStacks(Object.keys(lock.stacks));
  const configs = new Map([...synthesized].map(([id, s]) => [id, s.parsed as SynthesizedConfig]));

  test("every locked stateful address still exists, or carries a move or a reasoned removal", () => {
    const check = checkAddressLock(lock, configs);
    if (check.problems.length > 0) throw new Error(formatLockProblems(check.problems));
    if (check.additions.length > 0) {
      console.warn(
        `New stateful addresses, not locked yet (run \`npm run update-lock\`):\n${check.additions
          .map((a) => `  ${a.stack}: ${a.address}`)
          .join("\n")}`,
      );
    }
  });

  test("is written the way npm run update-lock writes it (sorted, stable)", () => {
    expect(JSON.parse(readFileSync(ADDRESS_LOCK_FILE, "utf8"))).toEqual(JSON.parse(renderAddressLock(lock)));
    for (const locked of Object.values(lock.stacks)) {
      expect([...locked.addresses].sort()).toEqual(locked.addresses);
    }
  });

  test("locks a representative of every stack kind, including the state storage", () => {
    const kinds = new Set(Object.values(lock.stacks).map((s) => s.kind));
    for (const kind of ["org", "apps", "apps-k8s"]) expect(kinds).toContain(kind);
    expect(lock.stacks["apps-ttd-tt02"]?.addresses).toContain(
      "azurerm_storage_account.apps-storage_account_1F36B279",
    );
  });
});

// ---- A throwaway stack with one stateful construct, renamed between "commits".

interface Version {
  readonly id: string;
  /** Calls moveFromId on the renamed account and container, pointing at the old addresses. */
  readonly moveFrom?: { readonly account: string; readonly container: string };
}

function throwaway(version: Version): SynthesizedConfig {
  const stack = new TerraformStack(testApp(), "apps-tst-tt02");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const storage = new HardenedStorageAccount(stack, version.id, {
    name: "tstaltinntt02strg01",
    resourceGroupName: "rg",
    location: "norwayeast",
    replication: "ZRS",
    containers: ["tst-tt02-appsdata-blob-db"],
    tags: {},
  });
  if (version.moveFrom) {
    storage.account.moveFromId(version.moveFrom.account);
    storage.containers["tst-tt02-appsdata-blob-db"]!.moveFromId(version.moveFrom.container);
  }
  return synthStack(stack).parsed as SynthesizedConfig;
}

function lockOf(config: SynthesizedConfig): AddressLock {
  return {
    version: 1,
    stacks: { "apps-tst-tt02": { kind: "apps", addresses: statefulAddresses(config) } },
    removals: [],
  };
}

describe("renaming a stateful construct", () => {
  const before = throwaway({ id: "apps-storage" });
  const lock = lockOf(before);
  const [oldAccount, oldContainer] = lock.stacks["apps-tst-tt02"]!.addresses;

  test("the lock holds the account and its container", () => {
    expect(lock.stacks["apps-tst-tt02"]!.addresses).toEqual([
      expect.stringMatching(/^azurerm_storage_account\.apps-storage_account_[0-9A-F]{8}$/),
      expect.stringMatching(
        /^azurerm_storage_container\.apps-storage_container-tst-tt02-appsdata-blob-db_[0-9A-F]{8}$/,
      ),
    ]);
  });

  test("fails if a construct id changes: the message names the address and how to proceed", () => {
    const renamed = throwaway({ id: "app-data" });
    const check = checkAddressLock(lock, new Map([["apps-tst-tt02", renamed]]));
    expect(check.problems.map((p) => p.address)).toEqual([oldAccount, oldContainer]);
    const message = formatLockProblems(check.problems);
    expect(message).toContain(`the stateful resource ${oldAccount} is gone from stack kind "apps"`);
    expect(message).toMatch(
      /New stateful address of the same type: azurerm_storage_account\.app-data_account_[0-9A-F]{8}/,
    );
    expect(message).toContain(`.moveFromId("${oldAccount}")`);
    expect(message).toContain('add to "removals" in safety/address-lock.json');
    expect(message).toContain("npm run update-lock");
  });

  test("passes when the renamed resources carry moveFromId (a moved block)", () => {
    const moved = throwaway({ id: "app-data", moveFrom: { account: oldAccount!, container: oldContainer! } });
    expect(moved.moved).toEqual([
      { from: oldAccount, to: expect.stringMatching(/^azurerm_storage_account\.app-data_account_/) },
      { from: oldContainer, to: expect.stringMatching(/^azurerm_storage_container\.app-data_container-/) },
    ]);
    const check = checkAddressLock(lock, new Map([["apps-tst-tt02", moved]]));
    expect(check.problems).toEqual([]);
    expect(check.accepted.map((a) => a.address)).toEqual([oldAccount, oldContainer]);
  });

  test("npm run update-lock then records the new addresses; it refuses while a removal is unexplained", () => {
    const renamed = throwaway({ id: "app-data" });
    const refused = updateLock(lock, new Map([["apps-tst-tt02", renamed]]));
    expect(refused.problems).toHaveLength(2);
    expect(refused.lock).toBe(lock);

    const moved = throwaway({ id: "app-data", moveFrom: { account: oldAccount!, container: oldContainer! } });
    const updated = updateLock(lock, new Map([["apps-tst-tt02", moved]]));
    expect(updated.problems).toEqual([]);
    expect(updated.lock.stacks["apps-tst-tt02"]!.addresses).toEqual(statefulAddresses(moved));
  });

  test("fails if a moved block points at an address that does not exist", () => {
    const renamed = throwaway({ id: "app-data" });
    const broken = { ...renamed, moved: [{ from: oldAccount!, to: "azurerm_storage_account.nowhere" }] };
    const check = checkAddressLock(lock, new Map([["apps-tst-tt02", broken]]));
    expect(check.problems[0]!.message).toContain("but azurerm_storage_account.nowhere is not in the stack");
  });
});

describe("removing a stateful construct", () => {
  const before = throwaway({ id: "apps-storage" });
  const lock = lockOf(before);
  const emptyStack: SynthesizedConfig = { resource: {} };

  test("fails without a removal entry", () => {
    const check = checkAddressLock(lock, new Map([["apps-tst-tt02", emptyStack]]));
    expect(check.problems).toHaveLength(2);
  });

  test("passes with a reasoned removal entry per address", () => {
    const reason = "The org left Altinn; its app data was exported and handed over (ticket 1234).";
    const withRemovals: AddressLock = {
      ...lock,
      removals: lock.stacks["apps-tst-tt02"]!.addresses.map((address) => ({
        stack: "apps-tst-tt02",
        address,
        reason,
      })),
    };
    const check = checkAddressLock(withRemovals, new Map([["apps-tst-tt02", emptyStack]]));
    expect(check.problems).toEqual([]);
    expect(check.accepted.every((a) => a.by.startsWith("removal: The org left Altinn"))).toBe(true);
  });

  test("fails if a removal entry has no reason", () => {
    const withRemovals: AddressLock = {
      ...lock,
      removals: lock.stacks["apps-tst-tt02"]!.addresses.map((address) => ({
        stack: "apps-tst-tt02",
        address,
        reason: "",
      })),
    };
    const check = checkAddressLock(withRemovals, new Map([["apps-tst-tt02", emptyStack]]));
    expect(formatLockProblems(check.problems)).toContain("needs a reason of at least");
  });

  test("fails if the representative stack is gone from the fleet", () => {
    const check = checkAddressLock(lock, new Map());
    expect(check.problems[0]!.message).toContain(
      "the representative stack apps-tst-tt02 (kind apps) is no longer in the fleet",
    );
  });
});

const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;

describe("moves through cdktf's real synthesizer", () => {
  // Moves make cdktf validate `terraform version` >= 1.5 in fullSynth (and app.synth); Testing.synth does not.
  (hasTerraform ? test : test.skip)("fullSynth writes the moved blocks into cdk.tf.json", () => {
    const stack = new TerraformStack(testApp(), "apps-tst-tt02");
    new AzurermProvider(stack, "azurerm", { features: [{}] });
    const storage = new HardenedStorageAccount(stack, "app-data", {
      name: "tstaltinntt02strg01",
      resourceGroupName: "rg",
      location: "norwayeast",
      replication: "ZRS",
      tags: {},
    });
    storage.account.moveFromId("azurerm_storage_account.apps-storage_account_00000000");
    const out = Testing.fullSynth(stack);
    const config = JSON.parse(
      readFileSync(`${out}/stacks/apps-tst-tt02/cdk.tf.json`, "utf8"),
    ) as SynthesizedConfig;
    expect(config.moved).toEqual([
      {
        from: "azurerm_storage_account.apps-storage_account_00000000",
        to: expect.stringMatching(/app-data_account/),
      },
    ]);
  });
});
