/**
 * What every azurerm provider block in the synthesized fleet must say for the first apply to
 * succeed (issue 11, findings 1 and 2), checked over every stack of the committed fleet and of
 * examples/all-services:
 * - `features.storage.data_plane_available = false`, and no resource that needs the storage data
 *   plane (constructs/storage/data-plane.ts);
 * - `resource_provider_registrations = "none"` and the stack's state scope's subscription;
 * - the bootstrap stack registers exactly the namespaces the fleet's resource types use
 *   (fleet/resource-providers.ts), in every subscription, and EncryptionAtHost where clusters run.
 */
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encryptionAtHostScript } from "../../constructs/cluster";
import { dataPlaneUses } from "../../constructs/storage/data-plane";
import { loadFleet, subscriptionOf } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import {
  FLEET_RESOURCE_PROVIDERS,
  isAzurermType,
  namespacesToRegister,
  typesWithoutNamespace,
} from "../../fleet/resource-providers";
import { planStacks } from "../../stacks/app";
import { synthFleet } from "../../stacks/synth-fleet";
import { COMMITTED_FLEET } from "../../testing/fleet-fixture";
import { committedFleet, sharedFleetOutput } from "../../testing/fleet-synth";

type Json = Record<string, any>;

interface Output {
  readonly name: string;
  readonly fleet: Fleet;
  readonly stacks: ReadonlyMap<string, Json>;
}

function readOutput(dir: string): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const id of readdirSync(join(dir, "stacks"))) {
    out.set(id, JSON.parse(readFileSync(join(dir, "stacks", id, "cdk.tf.json"), "utf8")));
  }
  return out;
}

function examplesOutput(): Output {
  const { fleet } = loadFleet(join(COMMITTED_FLEET, "..", "examples", "all-services"));
  if (!fleet) throw new Error("examples/all-services does not load");
  const outdir = join(mkdtempSync(join(tmpdir(), "fleet-examples-")), "cdktf.out");
  synthFleet(fleet, { outdir });
  return { name: "examples/all-services", fleet, stacks: readOutput(outdir) };
}

const outputs: Output[] = [
  { name: "environments", fleet: committedFleet(), stacks: readOutput(sharedFleetOutput()) },
  examplesOutput(),
];

function providersOf(json: Json): Json[] {
  return (json.provider?.azurerm ?? []) as Json[];
}

describe.each(outputs.map((o) => [o.name, o] as const))("every stack of %s", (_name, output) => {
  const scopeOf = new Map(planStacks(output.fleet).map((p) => [p.id, p.environment]));

  test("configures every azurerm provider with the storage data plane off, no registrations and its scope's subscription", () => {
    const wrong: string[] = [];
    let providers = 0;
    for (const [id, json] of output.stacks) {
      for (const p of providersOf(json)) {
        providers++;
        const storage = p.features?.[0]?.storage?.[0];
        if (storage?.data_plane_available !== false)
          wrong.push(`${id}: features.storage.data_plane_available is not false`);
        if (p.resource_provider_registrations !== "none")
          wrong.push(`${id}: resource_provider_registrations is not "none"`);
        if (p.alias === undefined) {
          const expected = subscriptionOf(output.fleet.settings, scopeOf.get(id)!);
          if (p.subscription_id !== expected)
            wrong.push(`${id}: subscription_id ${p.subscription_id}, not ${expected}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(providers).toBeGreaterThan(output.stacks.size / 2);
  });

  test("emits nothing that needs the storage data plane", () => {
    const uses = [...output.stacks].flatMap(([id, json]) =>
      dataPlaneUses(json.resource ?? {}).map((u) => `${id}: ${u}`),
    );
    expect(uses).toEqual([]);
  });

  test("every azurerm resource type has a row in the resource provider table", () => {
    const types = [...output.stacks.values()].flatMap((json) => Object.keys(json.resource ?? {}));
    expect(typesWithoutNamespace(types)).toEqual([]);
  });

  test("reads no other scope's resource through its own provider", () => {
    // The org registry (shared scope) was read through every apps stack's provider.
    const reads = [...output.stacks]
      .filter(([id]) => id.startsWith("apps-"))
      .flatMap(([id, json]) =>
        Object.keys(json.data?.azurerm_container_registry ?? {}).map((n) => `${id}: ${n}`),
      );
    expect(reads).toEqual([]);
  });
});

describe("bootstrap-state registers what the fleet uses, once per subscription", () => {
  const fleet = committedFleet();
  const bootstrap = outputs[0]!.stacks.get("bootstrap-state")!;

  test("the registration list is exactly the namespaces of the resource types of both fleets", () => {
    const used = outputs.flatMap((o) =>
      [...o.stacks.values()].flatMap((json) => Object.keys(json.resource ?? {}).filter(isAzurermType)),
    );
    expect([...FLEET_RESOURCE_PROVIDERS]).toEqual(namespacesToRegister(used));
    for (const p of providersOf(bootstrap)) {
      expect(p.resource_providers_to_register).toEqual([...FLEET_RESOURCE_PROVIDERS]);
    }
  });

  test("has one provider per distinct subscription, each started by a read so registration runs", () => {
    const subscriptions = new Set(Object.values(fleet.settings.subscriptions).map((s) => s.toLowerCase()));
    const providers = providersOf(bootstrap);
    expect(new Set(providers.map((p) => p.subscription_id))).toEqual(subscriptions);
    expect(providers).toHaveLength(subscriptions.size);
    const reads = Object.values(bootstrap.data?.azurerm_subscription ?? {}) as Json[];
    expect(new Set(reads.map((r) => r.subscription_id))).toEqual(subscriptions);
  });

  test("registers Microsoft.Compute/EncryptionAtHost in every subscription with clusters, after its providers", () => {
    const registrations = Object.values(bootstrap.resource?.terraform_data ?? {}) as Json[];
    const clusterSubscriptions = new Set(
      [...fleet.apps.map((a) => a.environment.token), ...fleet.platforms.map((p) => p.environment.token)].map(
        (s) => subscriptionOf(fleet.settings, s),
      ),
    );
    expect(new Set(registrations.map((r) => r.triggers_replace.subscription))).toEqual(clusterSubscriptions);
    for (const r of registrations) {
      const sub = r.triggers_replace.subscription as string;
      expect(r.provisioner[0]["local-exec"].command).toBe(encryptionAtHostScript(sub));
      expect(r.depends_on).toEqual([`data.azurerm_subscription.subscription-${sub}`]);
    }
  });

  test("every node pool uses encryption at host", () => {
    const cluster = outputs[0]!.stacks.get("apps-ttd-tt02")!;
    const aks = Object.values(cluster.resource.azurerm_kubernetes_cluster)[0] as Json;
    expect(aks.default_node_pool.host_encryption_enabled).toBe(true);
    const pools = Object.values(cluster.resource.azurerm_kubernetes_cluster_node_pool) as Json[];
    expect(pools.length).toBeGreaterThan(0);
    for (const p of pools) expect(p.host_encryption_enabled).toBe(true);
  });
});
