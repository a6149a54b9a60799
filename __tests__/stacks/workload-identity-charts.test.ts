/**
 * Every workload identity a Helm release runs as: the federated credential's subject must be the
 * service account the chart creates with the values given, in the namespace the release installs
 * into, and the identity's client id must reach the pods.
 */
import { parse } from "yaml";
import { resourcesOf } from "../../testing";
import { synthFleetStacks } from "../../testing/fleet-synth";

type Json = Record<string, any>;

const stacks = synthFleetStacks(["apps-ttd-tt02", "apps-ttd-tt02-k8s"]);
const apps = stacks.get("apps-ttd-tt02")!;
const k8s = stacks.get("apps-ttd-tt02-k8s")!;

/** `${kubernetes_namespace_v1.<id>.metadata[0].name}` -> that namespace's name. */
function namespaceOf(release: Json): string {
  const ref = String(release.namespace).match(
    /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/,
  );
  return ref
    ? (resourcesOf(k8s, "kubernetes_namespace_v1")[ref[1]!]!.metadata as Json).name
    : release.namespace;
}

describe("Azure Service Operator's workload identity (apps-ttd-tt02)", () => {
  const aso = Object.values(resourcesOf(k8s, "helm_release")).find(
    (r) => r.chart === "azure-service-operator",
  )!;
  const values = parse((aso.values as string[])[0]!) as Json;

  test("the federated subject is the service account the chart creates, in the release's namespace", () => {
    // The chart names its account with `serviceAccount.name` only while `serviceAccount.create`
    // is on (its serviceAccountName helper); otherwise the pods run as "default".
    expect(values.serviceAccount.create).toBe(true);
    const subject = `system:serviceaccount:${namespaceOf(aso)}:${values.serviceAccount.name}`;
    const identityName = (clientIdRef: string) => {
      const key = clientIdRef.match(/^\$\{data\.azurerm_user_assigned_identity\.([^.]+)\.client_id\}$/)![1]!;
      return (k8s.parsed.data!.azurerm_user_assigned_identity![key] as Json).name as string;
    };
    // The identity whose client id the release passes is the one federated with that subject.
    const identities = resourcesOf(apps, "azurerm_user_assigned_identity");
    const federated = Object.values(resourcesOf(apps, "azurerm_federated_identity_credential")).filter(
      (c) => c.subject === subject,
    );
    expect(federated).toHaveLength(1);
    const parentKey = String(federated[0]!.parent_id).match(
      /^\$\{azurerm_user_assigned_identity\.([^.]+)\.id\}$/,
    )![1]!;
    expect(identities[parentKey]!.name).toBe(identityName(values.azureClientID));
  });

  test("the client id reaches the manager through the chart's settings Secret, with workload identity auth", () => {
    expect(values.useWorkloadIdentityAuth).toBe(true);
    expect(values.azureClientID).toMatch(/^\$\{data\.azurerm_user_assigned_identity\..+\.client_id\}$/);
    expect(values.azureTenantID).toMatch(/tenant_id/);
  });
});
