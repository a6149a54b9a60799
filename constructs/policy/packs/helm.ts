import { parse } from "yaml";
import { isReference, UNKNOWN } from "../attributes";
import { fail, NOT_APPLICABLE, PASS, show, UNKNOWN_VERDICT } from "../checks";
import type { RulePack, Verdict } from "../rule";
import { imageTag } from "./kubernetes";
import { checkov, kubernetesDocs, trivy } from "./sources";

const RELEASE = "helm_release";

const HELM_RELEASE_DOCS =
  "https://registry.terraform.io/providers/hashicorp/helm/3.1.1/docs/resources/release";
/** An exact SemVer 2.0 version (a leading v is accepted, as Helm does); ranges are not. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
/** `set` names whose value is a credential. */
const SENSITIVE_NAME = /(password|passwd|secret|token|apikey|api_key|privatekey|private_key|credentials?)$/i;

/** Image references in a values document: `image: repo:tag` strings and `tag:` keys. */
function latestImages(doc: unknown, at = ""): string[] {
  if (Array.isArray(doc)) return doc.flatMap((v, i) => latestImages(v, `${at}[${i}]`));
  if (typeof doc !== "object" || doc === null) return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const path = at ? `${at}.${key}` : key;
    if (key === "tag" && value === "latest") found.push(`${path}: latest`);
    else if (
      key === "image" &&
      typeof value === "string" &&
      !isReference(value) &&
      imageTag(value) === "latest"
    ) {
      found.push(`${path}: ${value}`);
    } else found.push(...latestImages(value, path));
  }
  return found;
}

export const HELM_PACK: RulePack = {
  name: "helm",
  description: "Helm releases (terraform-provider-helm docs, Checkov CKV_K8S_14 applied to chart values)",
  rules: [
    {
      id: "HELM-001",
      title: "Charts are pinned to an exact version",
      pack: "helm",
      resourceTypes: [RELEASE],
      severity: "high",
      environments: "all",
      sources: [{ name: "terraform-provider-helm helm_release.version", url: HELM_RELEASE_DOCS }],
      why: "Without a version Helm installs whatever is latest at apply time: unreviewed upgrades and unrepeatable plans.",
      fix: "Set version to an exact chart version (a constant beside the construct, e.g. TRAEFIK_CHART_VERSION).",
      check: (r) => {
        const version = r.str("version");
        if (version === UNKNOWN) return UNKNOWN_VERDICT;
        if (version === undefined || version === "")
          return fail("version is not set (the latest chart is installed)");
        return EXACT_VERSION.test(version) ? PASS : fail(`version ${show(version)} is not an exact version`);
      },
    },
    {
      id: "HELM-002",
      title: "Charts come from an HTTPS or OCI repository",
      pack: "helm",
      resourceTypes: [RELEASE],
      severity: "high",
      environments: "all",
      sources: [
        { name: "terraform-provider-helm helm_release.repository", url: HELM_RELEASE_DOCS },
        { name: "Helm docs: chart repositories", url: "https://helm.sh/docs/topics/chart_repository/" },
      ],
      why: "A chart fetched over plain HTTP can be swapped on the way, and runs with the provider's cluster rights.",
      fix: "Use an https:// or oci:// repository.",
      check: (r): Verdict => {
        const repository = r.str("repository");
        const chart = r.str("chart");
        if (repository === UNKNOWN || chart === UNKNOWN) return UNKNOWN_VERDICT;
        const where = repository ?? chart;
        if (where === undefined) return NOT_APPLICABLE;
        const lower = where.toLowerCase();
        if (lower.startsWith("https://") || lower.startsWith("oci://")) return PASS;
        if (repository === undefined && !lower.includes("://")) return NOT_APPLICABLE; // a local chart path
        return fail(`${repository !== undefined ? "repository" : "chart"} is ${show(where)}`);
      },
    },
    {
      id: "HELM-003",
      title: "Credentials are passed with set_sensitive, not set",
      pack: "helm",
      resourceTypes: [RELEASE],
      severity: "high",
      environments: "all",
      sources: [{ name: "terraform-provider-helm helm_release.set_sensitive", url: HELM_RELEASE_DOCS }],
      why: "Values passed with set are shown in plan output and CI logs.",
      fix: "Move the entry to set_sensitive, or better, let the chart read a Kubernetes secret or Key Vault.",
      check: (r) => {
        const entries = r.blocks("set");
        if (entries === UNKNOWN) return UNKNOWN_VERDICT;
        const names = entries
          .map((e) => e.str("name"))
          .filter((n): n is string => typeof n === "string" && SENSITIVE_NAME.test(n));
        return names.length > 0 ? fail(...names.map((n) => `set "${n}" looks like a credential`)) : PASS;
      },
    },
    {
      id: "HELM-004",
      title: "Chart values do not select the latest image",
      pack: "helm",
      resourceTypes: [RELEASE],
      severity: "medium",
      environments: "all",
      sources: [
        checkov("CKV_K8S_14"),
        trivy("AVD-KSV-0013"),
        kubernetesDocs(
          "Configuration best practices: container images",
          "concepts/containers/images/#image-names",
        ),
      ],
      why: "latest makes every pod restart a silent, unreviewed upgrade.",
      fix: "Leave the image tag to the chart's appVersion, or pin a version.",
      check: (r) => {
        const values = r.list("values");
        if (values === UNKNOWN) return UNKNOWN_VERDICT;
        const problems: string[] = [];
        for (const text of values ?? []) {
          if (typeof text !== "string") continue;
          let doc: unknown;
          try {
            doc = parse(text);
          } catch {
            return UNKNOWN_VERDICT;
          }
          problems.push(...latestImages(doc));
        }
        return problems.length > 0 ? fail(...problems.map((p) => `values ${p}`)) : PASS;
      },
    },
  ],
};
