/**
 * Which AKS clusters an applied plan changed, and whether each reports a healthy state.
 *
 * The apply leg records the clusters (`azurerm_kubernetes_cluster` created or updated) from the
 * saved plan's JSON in `apply-result.json`; `pipeline gate` asks Azure about them with
 * `az aks show` (Managed Clusters - Get, https://learn.microsoft.com/rest/api/aks/managed-clusters/get)
 * under the scope's apply service connection, which may read its clusters.
 *
 * Why a check after a successful apply: the azurerm provider waits for the cluster's and each
 * node pool's long-running operation (`CreateOrUpdateThenPoll`, also for a `kubernetes_version`
 * change: hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/containers/kubernetes_cluster_resource.go), but the cluster can still end in
 * `Failed` afterwards, or be stopped, and a maintenance-window upgrade may have left it
 * `Upgrading`. The next slot should not build on it.
 */
import { isJsonObject, type Json, prop } from "../shared/json";
import { run, tail } from "../shared/process";

export interface ClusterRef {
  /** The Terraform address in its stack (`azurerm_kubernetes_cluster.aks`). */
  readonly address: string;
  readonly name: string;
  readonly resourceGroup: string;
  /** Absent when the plan does not say (the provider block takes it from the environment). */
  readonly subscription?: string;
}

const CLUSTER_TYPE = "azurerm_kubernetes_cluster";
const ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

function str(v: Json | undefined): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

/** The provider's `subscription_id` as the plan's configuration states it, by provider config key. */
function subscriptionOfProvider(plan: Json, key: string | undefined): string | undefined {
  const config = prop(prop(prop(plan, "configuration"), "provider_config"), key ?? "azurerm");
  return str(prop(prop(prop(config, "expressions"), "subscription_id"), "constant_value"));
}

function providerKeyOf(plan: Json, address: string): string | undefined {
  const resources = prop(prop(prop(plan, "configuration"), "root_module"), "resources");
  if (!Array.isArray(resources)) return undefined;
  const r = resources.find((x) => prop(x, "address") === address);
  return str(prop(r, "provider_config_key"));
}

/** The clusters a plan (`terraform show -json`) creates or updates. */
export function clustersInPlan(plan: Json): ClusterRef[] {
  const changes = prop(plan, "resource_changes");
  if (!Array.isArray(changes)) return [];
  const out: ClusterRef[] = [];
  for (const rc of changes) {
    if (prop(rc, "type") !== CLUSTER_TYPE || prop(rc, "mode") === "data") continue;
    const change = prop(rc, "change");
    const actions = prop(change, "actions");
    if (!Array.isArray(actions) || !actions.some((a) => a === "create" || a === "update")) continue;
    const address = str(prop(rc, "address")) ?? CLUSTER_TYPE;
    const before = prop(change, "before");
    const after = prop(change, "after");
    const id = str(prop(before, "id"))?.match(ID);
    const name = str(prop(after, "name")) ?? id?.[3];
    const resourceGroup = str(prop(after, "resource_group_name")) ?? id?.[2];
    if (name === undefined || resourceGroup === undefined) continue;
    const subscription = id?.[1] ?? subscriptionOfProvider(plan, providerKeyOf(plan, address));
    out.push({ address, name, resourceGroup, ...(subscription !== undefined ? { subscription } : {}) });
  }
  return out;
}

export interface ClusterHealth {
  readonly cluster: ClusterRef;
  readonly healthy: boolean;
  /** "Succeeded, Running; pools syspool Succeeded, workpool Succeeded" or what is wrong. */
  readonly detail: string;
}

/** Judges `az aks show -o json` output: the cluster and every node pool `Succeeded`, the cluster `Running`. */
export function judgeCluster(cluster: ClusterRef, show: Json): ClusterHealth {
  const state = str(prop(show, "provisioningState")) ?? "unknown";
  const power = str(prop(prop(show, "powerState"), "code"));
  const poolsJson = prop(show, "agentPoolProfiles");
  const pools = (Array.isArray(poolsJson) ? poolsJson : []).filter(isJsonObject).map((p) => ({
    name: str(prop(p, "name")) ?? "?",
    state: str(prop(p, "provisioningState")) ?? "unknown",
  }));
  const badPools = pools.filter((p) => p.state !== "Succeeded");
  const healthy =
    state === "Succeeded" && (power === undefined || power === "Running") && badPools.length === 0;
  const poolText = pools.map((p) => `${p.name} ${p.state}`).join(", ");
  return {
    cluster,
    healthy,
    detail: `provisioningState ${state}${power !== undefined ? `, power ${power}` : ""}${poolText !== "" ? `; node pools: ${poolText}` : ""}`,
  };
}

/** `az aks show` for one cluster (the Azure CLI on PATH, logged in by the AzureCLI@2 task). */
export async function checkCluster(cluster: ClusterRef, env: NodeJS.ProcessEnv): Promise<ClusterHealth> {
  const args = [
    "aks",
    "show",
    ...(cluster.subscription !== undefined ? ["--subscription", cluster.subscription] : []),
    "--resource-group",
    cluster.resourceGroup,
    "--name",
    cluster.name,
    "--output",
    "json",
  ];
  const r = await run("az", args, { cwd: process.cwd(), env });
  if (r.code !== 0) {
    return {
      cluster,
      healthy: false,
      detail: `az aks show failed (exit ${r.code}): ${r.spawnError ?? tail(r.stderr, 3)}`,
    };
  }
  try {
    return judgeCluster(cluster, JSON.parse(r.stdout) as Json);
  } catch {
    return { cluster, healthy: false, detail: "az aks show printed no JSON" };
  }
}
