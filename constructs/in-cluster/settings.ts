/**
 * What the ingress controller's callers may set, as pure checks: Traefik runs them and throws;
 * the fleet loader runs them on fleet.yaml. Loads neither cdktf nor the providers.
 */
import type { FieldProblem } from "../common/problems";

/**
 * The IngressClass Traefik serves when its Ingress provider is on: the class of every Ingress
 * whose host resolves to the cluster's static IP (the DNS zone's apex and wildcard point there).
 */
export const TRAEFIK_INGRESS_CLASS = "traefik";

/**
 * Ingress replicas: at least one, and two unless a single replica is accepted explicitly (one
 * replica turns every node drain into an ingress outage). Problem at `["replicas"]`.
 */
export function ingressReplicaProblems(replicas: number, allowSingleReplica: boolean): FieldProblem[] {
  if (!Number.isInteger(replicas) || replicas < 1) {
    return [
      {
        path: ["replicas"],
        value: replicas,
        message: `replicas ${replicas} must be a whole number of at least 1`,
        fix: "run at least 2 replicas",
      },
    ];
  }
  if (replicas < 2 && !allowSingleReplica) {
    return [
      {
        path: ["replicas"],
        value: replicas,
        message: `replicas ${replicas} makes every node drain an ingress outage`,
        fix: "use at least 2, or set allowSingleReplica: true for a test cluster",
      },
    ];
  }
  return [];
}
