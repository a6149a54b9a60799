/**
 * Fleet-wide suppressions: exceptions that hold for a construct wherever the fleet composes it,
 * matched by construct path (stack id first, globs allowed) against the resource and its
 * ancestors. Each carries a reason a reviewer can judge; `npm run policy` lists them with every
 * resource they cover, and flags the ones that cover nothing any more.
 *
 * Prefer fixing the construct. Use `suppress(construct, rule, reason)` where one construct makes a
 * deliberate, local exception; use this list when the exception is a fleet decision.
 */
import type { FleetSuppression } from "./suppressions";

export const FLEET_SUPPRESSIONS: readonly FleetSuppression[] = [
  {
    rule: "AZ-ACR-005",
    path: "org-*/registry",
    reason:
      "Untagged manifests are kept on purpose: a running deployment can reference an image by digest after its tag " +
      "moved, and purging it breaks the next pod restart (ContainerRegistry retentionDays docs).",
  },
  {
    rule: "AZ-ST-016",
    path: "bootstrap-*/state/account/account",
    reason:
      "The remote-state account is the one data plane the pipeline agents use (Terraform's azurerm backend), and it " +
      "exists before any fleet network: it keeps its public endpoint behind a deny-by-default firewall that admits " +
      "only the agents (state.allowedIpRanges, agent subnets), with Entra ID only and per-scope container roles. The " +
      "README's reachability table lists it as the only public-endpoint row.",
  },
  {
    rule: "AZ-NET-003",
    path: "*/environment/network/nsg-rule-ingress-http-*",
    reason:
      "Port 80 only answers with a permanent redirect to HTTPS (Traefik ports.http.redirections, " +
      "constructs/in-cluster/traefik.ts), so users typing http:// reach the site; no content is served over HTTP.",
  },
  {
    rule: "K8S-011",
    path: "*/kubernetes-wrapper",
    reason:
      "Altinn's kuberneteswrapper lives in the default namespace in Altinn's own manifests and Altinn Studio calls it " +
      "there (constructs/in-cluster/kubernetes-wrapper.ts); moving it is a change coordinated with Studio. Its pod " +
      "runs restricted: non-root, read-only root filesystem, no capabilities (K8S-002..005 pass).",
  },
];
