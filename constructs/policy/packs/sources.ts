/** Source citations, written once: every rule names the check or document it comes from. */
import type { RuleSource } from "../rule";

/** A Checkov check (bridgecrewio/checkov), by id. */
export function checkov(id: string): RuleSource {
  const index = id.startsWith("CKV_K8S") ? "kubernetes" : "terraform";
  return { name: `Checkov ${id}`, url: `https://www.checkov.io/5.Policy%20Index/${index}.html` };
}

/** A trivy / Aqua Vulnerability Database misconfiguration check (aquasecurity/trivy-checks), by AVD id. */
export function trivy(avdId: string): RuleSource {
  return { name: `trivy ${avdId}`, url: `https://avd.aquasec.com/misconfig/${avdId.toLowerCase()}` };
}

/** Azure Verified Modules, pattern module for production AKS (its main.tf defaults). */
export const AVM_AKS_PRODUCTION: RuleSource = {
  name: "AVM avm-ptn-aks-production defaults",
  url: "https://github.com/Azure/terraform-azurerm-avm-ptn-aks-production",
};

/** Microsoft's AKS baseline reference implementation (cluster-stamp.bicep). */
export const AKS_BASELINE: RuleSource = {
  name: "Microsoft AKS baseline (mspnp/aks-baseline)",
  url: "https://github.com/mspnp/aks-baseline",
};

/** A Microsoft Learn page. */
export function learn(title: string, path: string): RuleSource {
  return { name: `Microsoft Learn: ${title}`, url: `https://learn.microsoft.com/en-us/azure/${path}` };
}

/** A kubernetes.io documentation page. */
export function kubernetesDocs(title: string, path: string): RuleSource {
  return { name: `Kubernetes docs: ${title}`, url: `https://kubernetes.io/docs/${path}` };
}
