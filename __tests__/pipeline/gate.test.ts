/**
 * The gate between apply slots: clusters applied earlier must report a healthy state (`az aks
 * show` through a fake Azure CLI on PATH), a slot that never ran stops the scope, and the
 * clusters come from the applied plan.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { clustersInPlan } from "../../cli/pipeline/aks-health";
import { main } from "../../cli/pipeline/command";
import { ROLLOUT_FILE, type RolloutRecord } from "../../cli/pipeline/pipeline-gate";
import type { Json } from "../../cli/shared/json";
import { captureIO, tempDir } from "../cli/fixtures";

const RECORD: RolloutRecord = {
  scope: "prod",
  pass: 1,
  canaries: ["ttd"],
  failureBudget: { stacks: 1 },
  slots: [
    { index: 0, label: "wave 0 canaries", stacks: ["apps-ttd-prod"], artifacts: ["plan_prod_a_1_1"] },
    {
      index: 1,
      label: "wave 0 all",
      stacks: ["apps-skd-prod", "apps-brg-prod"],
      artifacts: ["plan_prod_b_1_1"],
    },
    { index: 2, label: "wave 1 canaries", stacks: ["apps-ttd-prod-k8s"], artifacts: ["plan_prod_c_1_1"] },
  ],
};

const TTD_CLUSTER = {
  address: "azurerm_kubernetes_cluster.aks",
  name: "ttd-prod-aks",
  resourceGroup: "altinnapps-ttd-prod-rg",
  subscription: "11111111-2222-3333-4444-555555555555",
};

/** A directory like the downloaded applied_<scope>_* artifacts. */
function appliedDir(
  root: string,
  results: Record<string, { outcome: string; clusters?: unknown[] }>,
): string {
  const dir = join(root, "applied");
  for (const [stack, r] of Object.entries(results)) {
    const d = join(dir, `applied_prod_${stack}_1_1`, stack);
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, "apply-result.json"), JSON.stringify({ stack, command: "apply", ...r }));
  }
  return dir;
}

/** A fake `az` that answers `aks show` with the provisioning state named in $FAKE_AKS_STATE and logs its arguments. */
function fakeAz(root: string): string {
  const bin = join(root, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, "az"),
    `#!/bin/sh
echo "$@" >> "${join(root, "az.log")}"
if [ "$1 $2" != "aks show" ]; then echo "unexpected: $*" >&2; exit 2; fi
cat <<EOF
{"name": "ttd-prod-aks", "provisioningState": "$FAKE_AKS_STATE", "powerState": {"code": "Running"},
 "agentPoolProfiles": [{"name": "syspool", "provisioningState": "Succeeded"},
                       {"name": "workpool", "provisioningState": "$FAKE_AKS_STATE"}]}
EOF
`,
  );
  chmodSync(join(bin, "az"), 0o755);
  return bin;
}

async function runGate(root: string, slot: number, applied: string, state = "Succeeded") {
  const decisions = join(root, "decisions");
  mkdirSync(decisions, { recursive: true });
  writeFileSync(join(decisions, ROLLOUT_FILE), JSON.stringify(RECORD));
  const env = {
    ...process.env,
    PATH: `${fakeAz(root)}${delimiter}${process.env.PATH ?? ""}`,
    FAKE_AKS_STATE: state,
  };
  const io = captureIO(root, undefined, env);
  const code = await main(
    [
      "gate",
      "--scope",
      "prod",
      "--slot",
      String(slot),
      "--applied",
      applied,
      "--decisions",
      decisions,
      "--ado",
    ],
    io,
  );
  return { code, out: io.stdout() };
}

describe("pipeline gate", () => {
  it("goes on when the canary's cluster reports Succeeded and Running, asking Azure by subscription, group and name", async () => {
    const root = tempDir("gate-");
    const applied = appliedDir(root, { "apps-ttd-prod": { outcome: "applied", clusters: [TTD_CLUSTER] } });
    const r = await runGate(root, 1, applied);
    expect(r.code).toBe(0);
    expect(r.out).toContain("before slot 1 (wave 0 all): go on");
    expect(r.out).toContain("cluster ttd-prod-aks (altinnapps-ttd-prod-rg): healthy");
    expect(r.out).toContain("Slot 1 applies 2 stack(s): `apps-skd-prod`, `apps-brg-prod`.");
    expect(readFileSync(join(root, "az.log"), "utf8").trim()).toBe(
      "aks show --subscription 11111111-2222-3333-4444-555555555555 --resource-group altinnapps-ttd-prod-rg --name ttd-prod-aks --output json",
    );
  });

  it("stops when a cluster applied earlier is not healthy, though every apply succeeded", async () => {
    const root = tempDir("gate-");
    const applied = appliedDir(root, { "apps-ttd-prod": { outcome: "applied", clusters: [TTD_CLUSTER] } });
    const r = await runGate(root, 1, applied, "Failed");
    expect(r.code).toBe(1);
    expect(r.out).toContain("STOP");
    expect(r.out).toContain(
      "1 cluster(s) applied earlier are not healthy: ttd-prod-aks (provisioningState Failed, power Running; node pools: syspool Succeeded, workpool Failed)",
    );
    expect(r.out).toContain("##vso[task.logissue type=error]prod slot 1:");
  });

  it("stops when an earlier slot has stacks without an apply result (its job never ran, or a gate stopped it)", async () => {
    const root = tempDir("gate-");
    // Slot 1 was stopped by its gate: its stacks have no results, so slot 2 must not run either.
    const applied = appliedDir(root, { "apps-ttd-prod": { outcome: "applied" } });
    const r = await runGate(root, 2, applied);
    expect(r.code).toBe(1);
    expect(r.out).toContain("2 stack(s) of earlier slots have no apply result");
    expect(r.out).toContain("apps-skd-prod, apps-brg-prod");
  });

  it("counts blocked stacks as not applied, not as failures", async () => {
    const root = tempDir("gate-");
    const applied = appliedDir(root, {
      "apps-ttd-prod": { outcome: "applied" },
      "apps-skd-prod": { outcome: "failed" },
      "apps-brg-prod": { outcome: "blocked" },
    });
    const r = await runGate(root, 2, applied);
    expect(r.code).toBe(0);
    expect(r.out).toContain("1 applied, 1 failed, 1 blocked, 0 without a result");
  });
});

describe("clustersInPlan", () => {
  it("finds the clusters a plan creates or updates, with the subscription from the id or the provider", () => {
    const plan: Json = {
      configuration: {
        provider_config: {
          azurerm: {
            expressions: { subscription_id: { constant_value: "aaaaaaaa-0000-0000-0000-000000000000" } },
          },
        },
        root_module: {
          resources: [
            { address: "azurerm_kubernetes_cluster.new", provider_config_key: "azurerm" },
            { address: "azurerm_kubernetes_cluster.old", provider_config_key: "azurerm" },
          ],
        },
      },
      resource_changes: [
        {
          address: "azurerm_kubernetes_cluster.new",
          type: "azurerm_kubernetes_cluster",
          mode: "managed",
          change: {
            actions: ["create"],
            before: null,
            after: { name: "new-aks", resource_group_name: "new-rg" },
          },
        },
        {
          address: "azurerm_kubernetes_cluster.old",
          type: "azurerm_kubernetes_cluster",
          mode: "managed",
          change: {
            actions: ["update"],
            before: {
              id: "/subscriptions/bbbbbbbb-0000-0000-0000-000000000000/resourceGroups/old-rg/providers/Microsoft.ContainerService/managedClusters/old-aks",
            },
            after: { name: "old-aks", resource_group_name: "old-rg" },
          },
        },
        {
          address: "azurerm_kubernetes_cluster.same",
          type: "azurerm_kubernetes_cluster",
          mode: "managed",
          change: { actions: ["no-op"], before: {}, after: { name: "same-aks", resource_group_name: "rg" } },
        },
      ],
    };
    expect(clustersInPlan(plan)).toEqual([
      {
        address: "azurerm_kubernetes_cluster.new",
        name: "new-aks",
        resourceGroup: "new-rg",
        subscription: "aaaaaaaa-0000-0000-0000-000000000000",
      },
      {
        address: "azurerm_kubernetes_cluster.old",
        name: "old-aks",
        resourceGroup: "old-rg",
        subscription: "bbbbbbbb-0000-0000-0000-000000000000",
      },
    ]);
  });
});
