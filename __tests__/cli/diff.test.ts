import { main } from "../../cli/diff/command";
import { diffAttributes, diffStack, type Risk } from "../../cli/diff/diff";
import { renderMarkdown, renderText } from "../../cli/diff/diff-render";
import { ATTRIBUTE_RULES } from "../../cli/diff/risk-rules";
import type { JsonObject } from "../../cli/shared/json";
import { normalizeTerraformJson } from "../../cli/shared/normalize";
import { STATEFUL_RESOURCE_TYPES } from "../../constructs/common/stateful";
import { captureIO, stackJson, tempDir, writeOut } from "./fixtures";

const PROTECT = { lifecycle: { prevent_destroy: true } };

function aks(overrides: JsonObject = {}, pool: JsonObject = {}): JsonObject {
  return {
    name: "ttd-at22-aks",
    location: "norwayeast",
    resource_group_name: "altinnapps-ttd-at22-rg",
    dns_prefix: "ttd-at22",
    default_node_pool: { name: "syspool", vm_size: "Standard_D2s_v5", zones: ["1", "2", "3"], ...pool },
    ...PROTECT,
    ...overrides,
  };
}

function storage(overrides: JsonObject = {}): JsonObject {
  return {
    name: "ttdaltinnat22strg01",
    location: "norwayeast",
    resource_group_name: "altinnapps-ttd-at22-rg",
    account_kind: "StorageV2",
    account_tier: "Standard",
    account_replication_type: "ZRS",
    ...PROTECT,
    ...overrides,
  };
}

type Resources = Record<string, Record<string, JsonObject>>;

function baseResources(): Resources {
  return {
    azurerm_kubernetes_cluster: { aks: aks() },
    azurerm_storage_account: { storage: storage() },
    azurerm_subnet: { aks: { name: "aks", address_prefixes: ["10.0.0.0/22"] } },
  };
}

/** Diff of apps-ttd-at22 between the base resources and `change(resources)`. */
function diffOf(change: (r: Resources) => void, extra: JsonObject = {}) {
  const before = baseResources();
  const after = baseResources();
  change(after);
  const id = "apps-ttd-at22";
  return diffStack(
    id,
    normalizeTerraformJson(stackJson(id, before)),
    normalizeTerraformJson(stackJson(id, after, extra)),
  );
}

const kinds = (risks: readonly Risk[]) => risks.map((r) => `${r.kind} ${r.address ?? ""}`.trim());

describe("diffAttributes", () => {
  it("reports changed leaves as dotted paths with list indices", () => {
    expect(
      diffAttributes({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { b: 2, c: [1] }, d: "x", e: true }),
    ).toEqual([
      { path: "a.b", before: 1, after: 2 },
      { path: "a.c.1", before: 2 },
      { path: "e", after: true },
    ]);
  });
});

describe("diffStack", () => {
  it("lists added, removed and changed resources with the changed attributes", () => {
    const d = diffOf((r) => {
      r.azurerm_subnet!.aks!.service_endpoints = ["Microsoft.Storage"];
      r.azurerm_subnet!.extra = { name: "extra" };
    });
    expect(d.changes.map((c) => `${c.kind} ${c.address}`)).toEqual([
      "changed azurerm_subnet.aks",
      "added azurerm_subnet.extra",
    ]);
    expect(d.changes[0]!.attributes).toEqual([{ path: "service_endpoints", after: ["Microsoft.Storage"] }]);
    expect(d.risks).toEqual([]);
  });

  it("flags a stateful resource that is removed", () => {
    const d = diffOf((r) => {
      delete r.azurerm_storage_account!.storage;
    });
    expect(kinds(d.risks)).toEqual(["stateful-destroyed azurerm_storage_account.storage"]);
    expect(d.risks[0]!.message).toContain("prevent_destroy went with its block");
  });

  it("flags a rename without a moved block, suggesting the moved block", () => {
    const d = diffOf((r) => {
      r.azurerm_storage_account = { appsdata: storage() };
    });
    expect(kinds(d.risks)).toEqual(["stateful-destroyed azurerm_storage_account.storage"]);
    expect(d.risks[0]!.message).toContain("renamed to azurerm_storage_account.appsdata, add a moved block");
  });

  it("treats a removed and an added address joined by a moved block as a move, not a destroy", () => {
    const d = diffOf(
      (r) => {
        r.azurerm_storage_account = { appsdata: storage() };
      },
      { moved: [{ from: "azurerm_storage_account.storage", to: "azurerm_storage_account.appsdata" }] },
    );
    expect(d.risks).toEqual([]);
    expect(d.changes).toEqual([
      expect.objectContaining({
        kind: "moved",
        from: "azurerm_storage_account.storage",
        address: "azurerm_storage_account.appsdata",
        attributes: [],
      }),
    ]);
  });

  it("follows chained moved blocks", () => {
    const d = diffOf(
      (r) => {
        r.azurerm_storage_account = { c: storage() };
      },
      {
        moved: [
          { from: "azurerm_storage_account.storage", to: "azurerm_storage_account.b" },
          { from: "azurerm_storage_account.b", to: "azurerm_storage_account.c" },
        ],
      },
    );
    expect(d.risks).toEqual([]);
    expect(d.changes[0]).toMatchObject({ kind: "moved", address: "azurerm_storage_account.c" });
  });

  it("still checks the attributes of a moved resource", () => {
    const d = diffOf(
      (r) => {
        r.azurerm_storage_account = { appsdata: storage({ name: "other01" }) };
      },
      { moved: [{ from: "azurerm_storage_account.storage", to: "azurerm_storage_account.appsdata" }] },
    );
    expect(kinds(d.risks)).toEqual(["replacement azurerm_storage_account.appsdata"]);
  });

  it("does not flag a resource a removed block takes out of state without destroying it", () => {
    const d = diffOf(
      (r) => {
        delete r.azurerm_storage_account!.storage;
      },
      { removed: [{ from: "azurerm_storage_account.storage", lifecycle: { destroy: false } }] },
    );
    expect(d.risks).toEqual([]);
    expect(d.changes[0]).toMatchObject({ kind: "forgotten", address: "azurerm_storage_account.storage" });
  });

  it("flags prevent_destroy dropped from a stateful resource", () => {
    const d = diffOf((r) => {
      r.azurerm_storage_account!.storage = storage({ lifecycle: { ignore_changes: ["tags"] } });
    });
    expect(kinds(d.risks)).toEqual(["prevent-destroy-dropped azurerm_storage_account.storage"]);
    expect(d.risks[0]!.message).toContain("stateful azurerm_storage_account");
  });

  it("does not flag a resource without prevent_destroy in the first place", () => {
    const d = diffOf((r) => {
      r.azurerm_subnet!.aks!.name = "aks2";
    });
    expect(d.risks).toEqual([]);
  });

  it.each([
    ["dns_prefix", { dns_prefix: "ttd-at22-new" }],
    ["name", { name: "ttd-at22-aks2" }],
    ["location", { location: "westeurope" }],
  ])("flags an AKS %s change as a replacement", (attribute, overrides) => {
    const d = diffOf((r) => {
      r.azurerm_kubernetes_cluster!.aks = aks(overrides);
    });
    expect(kinds(d.risks)).toEqual(["replacement azurerm_kubernetes_cluster.aks"]);
    expect(d.risks[0]!.message).toMatch(new RegExp(`^${attribute} `));
  });

  it("says a system pool vm_size change rotates the pool when temporary_name_for_rotation is set", () => {
    const d = diffOf((r) => {
      r.azurerm_kubernetes_cluster!.aks = aks(
        {},
        { vm_size: "Standard_D4s_v5", temporary_name_for_rotation: "systmp" },
      );
    });
    expect(kinds(d.risks)).toEqual(["rebuild azurerm_kubernetes_cluster.aks"]);
    expect(d.risks[0]!.message).toContain('default_node_pool.vm_size "Standard_D2s_v5" → "Standard_D4s_v5"');
    expect(d.risks[0]!.message).toContain('temporary pool "systmp"');
  });

  it("says a system pool vm_size change without temporary_name_for_rotation risks the cluster", () => {
    const d = diffOf((r) => {
      r.azurerm_kubernetes_cluster!.aks = aks({}, { vm_size: "Standard_D4s_v5" });
    });
    expect(kinds(d.risks)).toEqual(["replacement azurerm_kubernetes_cluster.aks"]);
    expect(d.risks[0]!.message).toContain("temporary_name_for_rotation is not set");
  });

  it("flags a change of a list attribute that rebuilds the pool once, not per element", () => {
    const d = diffOf((r) => {
      r.azurerm_kubernetes_cluster!.aks = aks({}, { zones: ["1"], temporary_name_for_rotation: "t" });
    });
    expect(kinds(d.risks)).toEqual(["rebuild azurerm_kubernetes_cluster.aks"]);
  });

  it("tells an in-place replication change (ZRS → GZRS) from a replacing one (ZRS → LRS)", () => {
    const inPlace = diffOf((r) => {
      r.azurerm_storage_account!.storage = storage({ account_replication_type: "GZRS" });
    });
    expect(kinds(inPlace.risks)).toEqual(["disruptive-update azurerm_storage_account.storage"]);
    expect(inPlace.risks[0]!.message).toContain("changed in place");
    const replacing = diffOf((r) => {
      r.azurerm_storage_account!.storage = storage({ account_replication_type: "LRS" });
    });
    expect(kinds(replacing.risks)).toEqual(["replacement azurerm_storage_account.storage"]);
  });

  it.each([
    ["account_kind", { account_kind: "BlockBlobStorage" }, "replacement"],
    ["infrastructure_encryption_enabled", { infrastructure_encryption_enabled: true }, "replacement"],
    ["account_tier", { account_tier: "Premium" }, "replacement"],
  ])("flags a storage account %s change", (_attribute, overrides, kind) => {
    const d = diffOf((r) => {
      r.azurerm_storage_account!.storage = storage(overrides);
    });
    expect(kinds(d.risks)).toEqual([`${kind} azurerm_storage_account.storage`]);
  });

  it("flags a moved address block: the VNet's address_space and each subnet's address_prefixes", () => {
    const d = diffOf((r) => {
      r.azurerm_virtual_network = { vnet: { name: "ttd-at22-vnet", address_space: ["10.0.4.0/22"] } };
      r.azurerm_subnet!.aks!.address_prefixes = ["10.0.4.0/22"];
    });
    // The base has no VNet: only the subnet's change is a change of an existing resource.
    expect(kinds(d.risks)).toEqual(["refused-update azurerm_subnet.aks"]);
    expect(d.risks[0]!.message).toMatch(
      /^address_prefixes \["10\.0\.0\.0\/22"\] → \["10\.0\.4\.0\/22"\]: .*Azure refuses .*new cluster/,
    );
    const vnet = (space: string) => (r: Resources) => {
      r.azurerm_virtual_network = { vnet: { name: "ttd-at22-vnet", address_space: [space] } };
    };
    const before = baseResources();
    vnet("10.0.0.0/22")(before);
    const after = baseResources();
    vnet("10.0.4.0/22")(after);
    const id = "apps-ttd-at22";
    const moved = diffStack(
      id,
      normalizeTerraformJson(stackJson(id, before)),
      normalizeTerraformJson(stackJson(id, after)),
    );
    expect(kinds(moved.risks)).toEqual(["refused-update azurerm_virtual_network.vnet"]);
    expect(moved.risks[0]!.message).toContain("Azure refuses to remove a range its subnets still use");
  });

  it.each(["pod_cidr", "pod_cidrs", "service_cidr", "service_cidrs", "dns_service_ip"])(
    "flags an AKS network_profile.%s change as a replacement of the cluster",
    (attribute) => {
      const value = attribute.endsWith("s") ? ["10.244.0.0/16"] : "10.244.0.10";
      const d = diffOf((r) => {
        r.azurerm_kubernetes_cluster!.aks = aks({ network_profile: { [attribute]: value } });
      });
      expect(kinds(d.risks)).toEqual(["replacement azurerm_kubernetes_cluster.aks"]);
      expect(d.risks[0]!.message).toMatch(new RegExp(`^network_profile\\.${attribute} `));
    },
  );

  it("flags a backend change", () => {
    const id = "apps-ttd-at22";
    const before = stackJson(id, {});
    const after = stackJson(id, {});
    (after.terraform as JsonObject).backend = {
      azurerm: { container_name: "tfstate", key: "moved.tfstate" },
    };
    const d = diffStack(id, normalizeTerraformJson(before), normalizeTerraformJson(after));
    expect(kinds(d.risks)).toEqual(["backend-changed terraform.backend"]);
  });

  it("flags a removed stack that held resources, naming the stateful ones", () => {
    const d = diffStack(
      "apps-ttd-at22",
      normalizeTerraformJson(stackJson("apps-ttd-at22", baseResources())),
      undefined,
    );
    expect(d.status).toBe("removed");
    expect(kinds(d.risks)).toEqual(["stack-removed"]);
    expect(d.risks[0]!.message).toContain("azurerm_kubernetes_cluster.aks, azurerm_storage_account.storage");
  });

  it("raises no risk for a new stack", () => {
    const d = diffStack(
      "apps-ttd-at22",
      undefined,
      normalizeTerraformJson(stackJson("apps-ttd-at22", baseResources())),
    );
    expect(d.status).toBe("added");
    expect(d.risks).toEqual([]);
    expect(d.changes.filter((c) => c.blockKind === "resource")).toHaveLength(3);
  });
});

describe("the risk rule table", () => {
  it("names only attributes, no list indices", () => {
    for (const rule of ATTRIBUTE_RULES) expect(rule.attribute).toMatch(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/);
  });

  it("covers name and location of every stateful type", () => {
    const generic = ATTRIBUTE_RULES.filter((r) => r.types === "stateful").map((r) => r.attribute);
    expect(generic).toEqual(expect.arrayContaining(["name", "location"]));
    expect(STATEFUL_RESOURCE_TYPES.has("azurerm_container_registry")).toBe(true);
  });
});

describe("rendering", () => {
  const d = diffOf((r) => {
    r.azurerm_kubernetes_cluster!.aks = aks({ dns_prefix: "ttd-at22-x" });
    r.azurerm_subnet!.aks!.address_prefixes = ["10.0.0.0/21"];
  });
  const fleet = { stacks: [d], risks: d.risks };

  it("renders plain text with the risks first", () => {
    const text = renderText(fleet, { base: "origin/main", head: "working tree" });
    // The dns_prefix change and the subnet's moved range.
    expect(text).toContain("1 stack(s) differ, 2 risk(s)");
    expect(text.indexOf("RISKS")).toBeLessThan(text.indexOf("apps-ttd-at22 (changed)"));
    expect(text).toContain('      dns_prefix: "ttd-at22" → "ttd-at22-x"');
    expect(text).toContain("  ~ azurerm_subnet.aks");
  });

  it("renders markdown with a risk table", () => {
    const md = renderMarkdown(fleet, { base: "origin/main", head: "working tree" });
    expect(md).toContain("### ⚠️ Risks");
    expect(md).toContain("| `apps-ttd-at22` | `azurerm_kubernetes_cluster.aks` | dns_prefix");
    expect(md).toContain(
      '- **~** `azurerm_subnet.aks`\n  - `address_prefixes.0`: `"10.0.0.0/22"` → `"10.0.0.0/21"`',
    );
  });

  it("cuts long values short", () => {
    const long = diffOf((r) => {
      r.azurerm_subnet!.aks!.name = "x".repeat(200);
    });
    const text = renderText({ stacks: [long], risks: [] }, { base: "b", head: "h" });
    expect(text).toMatch(/name: "aks" → "x{58}…/);
  });
});

describe("npm run diff", () => {
  function dirs(headResources: Resources) {
    const root = tempDir();
    const base = writeOut(root, "base.out", [
      { id: "apps-ttd-at22", json: stackJson("apps-ttd-at22", baseResources()) },
    ]);
    const head = writeOut(root, "head.out", [
      { id: "apps-ttd-at22", json: stackJson("apps-ttd-at22", headResources) },
    ]);
    return { root, args: ["--base-out", base, "--head-out", head] };
  }

  it("exits 0 without risky changes", async () => {
    const r = baseResources();
    r.azurerm_subnet!.aks!.name = "aks2";
    const { root, args } = dirs(r);
    const io = captureIO(root);
    expect(await main(args, io)).toBe(0);
    expect(io.stdout()).toContain('name: "aks" → "aks2"');
  });

  it("exits 0 when nothing differs", async () => {
    const { root, args } = dirs(baseResources());
    const io = captureIO(root);
    expect(await main(args, io)).toBe(0);
    expect(io.stdout()).toContain("No stack's configuration differs.");
  });

  it("exits 2 with risky changes, in markdown too", async () => {
    const r = baseResources();
    delete r.azurerm_storage_account;
    const { root, args } = dirs(r);
    const io = captureIO(root);
    expect(await main([...args, "--markdown"], io)).toBe(2);
    expect(io.stdout()).toContain("destroys stateful azurerm_storage_account");
  });

  it("prints JSON with --json", async () => {
    const r = baseResources();
    delete r.azurerm_storage_account;
    const { root, args } = dirs(r);
    const io = captureIO(root);
    expect(await main([...args, "--json"], io)).toBe(2);
    expect(JSON.parse(io.stdout()).risks[0]).toMatchObject({
      kind: "stateful-destroyed",
      stack: "apps-ttd-at22",
    });
  });

  it("exits 1 when an output cannot be read", async () => {
    const io = captureIO(tempDir());
    expect(await main(["--base-out", "/nonexistent", "--head-out", "/nonexistent"], io)).toBe(1);
    expect(io.stderr()).toContain("no manifest");
  });
});
