import { POD_SECURITY_LABELS } from "../../in-cluster/pod-security";
import { isReference, type ResourceView, UNKNOWN } from "../attributes";
import {
  allOf,
  expectBool,
  expectPresent,
  fail,
  NOT_APPLICABLE,
  PASS,
  prefixDetails,
  show,
  UNKNOWN_VERDICT,
} from "../checks";
import type { RulePack, Verdict } from "../rule";
import { checkov, kubernetesDocs, trivy } from "./sources";

/** Workload types and where their pod spec sits. */
const POD_SPEC_PATHS: Readonly<Record<string, string>> = {
  kubernetes_deployment_v1: "spec.template.spec",
  kubernetes_daemon_set_v1: "spec.template.spec",
  kubernetes_stateful_set_v1: "spec.template.spec",
  kubernetes_job_v1: "spec.template.spec",
  kubernetes_cron_job_v1: "spec.job_template.spec.template.spec",
  kubernetes_pod_v1: "spec",
  kubernetes_deployment: "spec.template.spec",
  kubernetes_daemonset: "spec.template.spec",
  kubernetes_stateful_set: "spec.template.spec",
  kubernetes_job: "spec.template.spec",
  kubernetes_cron_job: "spec.job_template.spec.template.spec",
  kubernetes_pod: "spec",
};
export const WORKLOAD_TYPES: readonly string[] = Object.keys(POD_SPEC_PATHS);
/** Workloads that run continuously (probes apply to them, not to jobs). */
const LONG_RUNNING = WORKLOAD_TYPES.filter((t) => !/job/.test(t));

const ROLE_TYPES = [
  "kubernetes_role",
  "kubernetes_role_v1",
  "kubernetes_cluster_role",
  "kubernetes_cluster_role_v1",
];
const BINDING_TYPES = [
  "kubernetes_role_binding",
  "kubernetes_role_binding_v1",
  "kubernetes_cluster_role_binding",
  "kubernetes_cluster_role_binding_v1",
];
const NAMESPACED_TYPES = [
  ...WORKLOAD_TYPES,
  "kubernetes_service",
  "kubernetes_service_v1",
  "kubernetes_service_account",
  "kubernetes_service_account_v1",
  "kubernetes_role",
  "kubernetes_role_v1",
  "kubernetes_role_binding",
  "kubernetes_role_binding_v1",
  "kubernetes_config_map",
  "kubernetes_config_map_v1",
  "kubernetes_secret",
  "kubernetes_secret_v1",
];
const NAMESPACE_TYPES = ["kubernetes_namespace", "kubernetes_namespace_v1"];

interface Container {
  readonly view: ResourceView;
  readonly label: string;
  readonly init: boolean;
}

function podSpec(r: ResourceView): ResourceView | "unknown" | undefined {
  const path = POD_SPEC_PATHS[r.type];
  if (!path) return undefined;
  const specs = r.blocks(path);
  if (specs === UNKNOWN) return "unknown";
  return specs[0];
}

function containersOf(pod: ResourceView): readonly Container[] | "unknown" {
  const main = pod.blocks("container");
  const init = pod.blocks("init_container");
  if (main === UNKNOWN || init === UNKNOWN) return "unknown";
  const label = (c: ResourceView, kind: string) => {
    const name = c.str("name");
    return `${kind} ${typeof name === "string" ? `"${name}"` : "(unnamed)"}`;
  };
  return [
    ...main.map((view) => ({ view, label: label(view, "container"), init: false })),
    ...init.map((view) => ({ view, label: label(view, "init_container"), init: true })),
  ];
}

/** Applies a check to every container (and init container) of a workload, with the pod spec at hand. */
function eachContainer(
  r: ResourceView,
  check: (c: Container, pod: ResourceView) => Verdict,
  options: { readonly includeInit?: boolean } = {},
): Verdict {
  const pod = podSpec(r);
  if (pod === "unknown") return UNKNOWN_VERDICT;
  if (pod === undefined) return NOT_APPLICABLE;
  const containers = containersOf(pod);
  if (containers === "unknown") return UNKNOWN_VERDICT;
  const selected = containers.filter((c) => options.includeInit !== false || !c.init);
  if (selected.length === 0) return NOT_APPLICABLE;
  return allOf(...selected.map((c) => prefixDetails(check(c, pod), c.label)));
}

function onPod(r: ResourceView, check: (pod: ResourceView) => Verdict): Verdict {
  const pod = podSpec(r);
  if (pod === "unknown") return UNKNOWN_VERDICT;
  if (pod === undefined) return NOT_APPLICABLE;
  return check(pod);
}

/** The tag of an image reference, "" for none, undefined when pinned by digest. */
export function imageTag(image: string): string | undefined {
  if (image.includes("@")) return undefined;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  return colon < 0 ? "" : lastSegment.slice(colon + 1);
}

const ALLOWED_ADDED_CAPABILITIES = new Set(["NET_BIND_SERVICE"]);

export const KUBERNETES_PACK: RulePack = {
  name: "kubernetes",
  description:
    "Kubernetes workloads, RBAC and namespaces (Checkov CKV_K8S, trivy KSV, Pod Security Standards)",
  rules: [
    {
      id: "K8S-001",
      title: "Containers are not privileged",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_K8S_16"), trivy("AVD-KSV-0017")],
      why: "A privileged container has every capability and the host's devices; escaping to the node is trivial.",
      fix: "Remove security_context.privileged (or set it false).",
      check: (r) =>
        eachContainer(r, (c) =>
          expectBool(c.view, "security_context.privileged", false, { whenUnset: "pass" }),
        ),
    },
    {
      id: "K8S-002",
      title: "Containers run as a non-root user",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_K8S_23"), trivy("AVD-KSV-0012")],
      why: "Root in a container is root on the node after any container escape.",
      fix: "Set security_context.run_as_non_root = true on the container or the pod, and no run_as_user = 0.",
      check: (r) =>
        eachContainer(r, (c, pod) => {
          const own = c.view.bool("security_context.run_as_non_root");
          const podLevel = pod.bool("security_context.run_as_non_root");
          const user = c.view.num("security_context.run_as_user");
          const podUser = pod.num("security_context.run_as_user");
          if (user === 0 || (user === undefined && podUser === 0)) return fail("run_as_user is 0");
          if (own === true) return PASS;
          if (own === false) return fail("security_context.run_as_non_root is false");
          if (own === UNKNOWN || podLevel === UNKNOWN) return UNKNOWN_VERDICT;
          return podLevel === true ? PASS : fail("run_as_non_root is not set on the container or the pod");
        }),
    },
    {
      id: "K8S-003",
      title: "Containers cannot escalate privileges",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_K8S_20"), trivy("AVD-KSV-0001")],
      why: "setuid binaries can otherwise gain more privileges than the process started with.",
      fix: "Set security_context.allow_privilege_escalation = false.",
      check: (r) =>
        eachContainer(r, (c) =>
          expectBool(c.view, "security_context.allow_privilege_escalation", false, {
            whenUnset: "fail",
            unsetNote: "Kubernetes allows escalation by default",
          }),
        ),
    },
    {
      id: "K8S-004",
      title: "Containers have a read-only root filesystem",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_K8S_22"), trivy("AVD-KSV-0014")],
      why: "A writable root filesystem lets an attacker drop and run tools; writes belong in declared volumes.",
      fix: "Set security_context.read_only_root_filesystem = true; mount an emptyDir where the app writes.",
      check: (r) =>
        eachContainer(r, (c) =>
          expectBool(c.view, "security_context.read_only_root_filesystem", true, { whenUnset: "fail" }),
        ),
    },
    {
      id: "K8S-005",
      title: "Containers drop all capabilities (adding back NET_BIND_SERVICE at most)",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_K8S_28"), checkov("CKV_K8S_37"), trivy("AVD-KSV-0003")],
      why: "Default capabilities such as NET_RAW allow spoofing and sniffing on the pod network.",
      fix: 'Set security_context.capabilities.drop = ["ALL"] and add only NET_BIND_SERVICE if needed.',
      check: (r) =>
        eachContainer(r, (c) => {
          const drop = c.view.list("security_context.capabilities.drop");
          const add = c.view.list("security_context.capabilities.add");
          if (drop === UNKNOWN || add === UNKNOWN) return UNKNOWN_VERDICT;
          const problems: string[] = [];
          const dropsAll = drop?.some((d) => typeof d === "string" && d.toUpperCase() === "ALL");
          if (!dropsAll && drop?.some(isReference)) return UNKNOWN_VERDICT;
          if (!dropsAll) {
            problems.push(`capabilities.drop is ${show(drop ?? [])}`);
          }
          const extra = (add ?? []).filter(
            (a) => typeof a === "string" && !ALLOWED_ADDED_CAPABILITIES.has(a.toUpperCase()),
          );
          if (extra.length > 0) problems.push(`capabilities.add has ${extra.join(", ")}`);
          return problems.length > 0 ? fail(...problems) : PASS;
        }),
    },
    {
      id: "K8S-006",
      title: "Containers declare CPU and memory requests and limits",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "medium",
      environments: "all",
      sources: [
        checkov("CKV_K8S_10"),
        checkov("CKV_K8S_11"),
        checkov("CKV_K8S_12"),
        checkov("CKV_K8S_13"),
        trivy("AVD-KSV-0011"),
        trivy("AVD-KSV-0018"),
      ],
      why: "Without requests the scheduler overcommits nodes; without limits one container can starve its neighbours.",
      fix: "Set resources.requests and resources.limits for cpu and memory.",
      check: (r) =>
        eachContainer(r, (c) => {
          const requests = c.view.get("resources.requests");
          const limits = c.view.get("resources.limits");
          if (requests === UNKNOWN || limits === UNKNOWN) return UNKNOWN_VERDICT;
          const missing: string[] = [];
          for (const [kind, map] of [
            ["requests", requests],
            ["limits", limits],
          ] as const) {
            const m = (typeof map === "object" && map !== null ? map : {}) as Record<string, unknown>;
            for (const resource of ["cpu", "memory"]) {
              if (m[resource] === undefined || m[resource] === "")
                missing.push(`resources.${kind}.${resource}`);
            }
          }
          return missing.length > 0 ? fail(`${missing.join(", ")} not set`) : PASS;
        }),
    },
    {
      id: "K8S-007",
      title: "Images are pinned to a tag other than latest, or to a digest",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_K8S_14"), trivy("AVD-KSV-0013")],
      why: "latest (or no tag) makes every pod restart a silent, unreviewed upgrade and rollbacks impossible.",
      fix: "Use an immutable version tag or an @sha256 digest.",
      check: (r) =>
        eachContainer(r, (c) => {
          const image = c.view.str("image");
          if (image === UNKNOWN) return UNKNOWN_VERDICT;
          if (image === undefined) return fail("image is not set");
          const tag = imageTag(image);
          if (tag === "") return fail(`image ${show(image)} has no tag`);
          if (tag === "latest") return fail(`image ${show(image)} uses latest`);
          return PASS;
        }),
    },
    {
      id: "K8S-008",
      title: "Pods do not share the host's network, PID or IPC namespaces",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_K8S_17"), checkov("CKV_K8S_18"), checkov("CKV_K8S_19"), trivy("AVD-KSV-0009")],
      why: "Host namespaces expose node traffic, node processes and shared memory to the pod.",
      fix: "Leave host_network, host_pid and host_ipc unset or false.",
      check: (r) =>
        onPod(r, (pod) =>
          allOf(
            ...["host_network", "host_pid", "host_ipc"].map((name) =>
              expectBool(pod, name, false, { whenUnset: "pass" }),
            ),
          ),
        ),
    },
    {
      id: "K8S-009",
      title: "Containers run with the RuntimeDefault seccomp profile",
      pack: "kubernetes",
      resourceTypes: WORKLOAD_TYPES,
      severity: "medium",
      environments: "all",
      sources: [checkov("CKV_K8S_31"), trivy("AVD-KSV-0030")],
      why: "Without seccomp every syscall is available to a compromised process (the Restricted Pod Security Standard requires it).",
      fix: 'Set security_context.seccomp_profile.type = "RuntimeDefault" on the pod or container.',
      check: (r) =>
        eachContainer(r, (c, pod) => {
          const own = c.view.str("security_context.seccomp_profile.type");
          const podLevel = pod.str("security_context.seccomp_profile.type");
          if (own === UNKNOWN || podLevel === UNKNOWN) return UNKNOWN_VERDICT;
          const effective = own ?? podLevel;
          return effective === "RuntimeDefault" || effective === "Localhost"
            ? PASS
            : fail(`seccomp_profile.type is ${show(effective)}`);
        }),
    },
    {
      id: "K8S-010",
      title: "Long-running containers have liveness and readiness probes",
      pack: "kubernetes",
      resourceTypes: LONG_RUNNING,
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_K8S_8"), checkov("CKV_K8S_9")],
      why: "Without probes a hung container keeps receiving traffic and is never restarted.",
      fix: "Add liveness_probe and readiness_probe.",
      check: (r) =>
        eachContainer(
          r,
          (c) => allOf(expectPresent(c.view, "liveness_probe"), expectPresent(c.view, "readiness_probe")),
          { includeInit: false },
        ),
    },
    {
      id: "K8S-011",
      title: "Objects are not placed in the default namespace",
      pack: "kubernetes",
      resourceTypes: [...NAMESPACED_TYPES, "helm_release"],
      severity: "low",
      environments: "all",
      sources: [checkov("CKV_K8S_21")],
      why: "The default namespace has no owner, no quotas and no Pod Security level; everything lands there by accident.",
      fix: "Give the object a dedicated namespace.",
      check: (r) => {
        const path = r.type === "helm_release" ? "namespace" : "metadata.namespace";
        return namespaceVerdict(r.str(path), path);
      },
    },
    {
      id: "K8S-012",
      title: "Roles grant no wildcard API groups, resources or verbs",
      pack: "kubernetes",
      resourceTypes: ROLE_TYPES,
      severity: "high",
      environments: "all",
      sources: [checkov("CKV_K8S_49")],
      why: "Wildcards grant today's and tomorrow's resources and verbs, including secrets and escalate/bind.",
      fix: "List the API groups, resources and verbs the role needs.",
      check: (r) => {
        const rules = r.blocks("rule");
        if (rules === UNKNOWN) return UNKNOWN_VERDICT;
        const problems: string[] = [];
        rules.forEach((rule, i) => {
          for (const field of ["api_groups", "resources", "verbs"]) {
            const values = rule.list(field);
            if (values !== UNKNOWN && values?.includes("*"))
              problems.push(`rule[${i}].${field} contains "*"`);
          }
        });
        return problems.length > 0 ? fail(...problems) : PASS;
      },
    },
    {
      id: "K8S-013",
      title: "Nothing is bound to cluster-admin or to anonymous users",
      pack: "kubernetes",
      resourceTypes: BINDING_TYPES,
      severity: "high",
      environments: "all",
      sources: [kubernetesDocs("RBAC good practices", "concepts/security/rbac-good-practices/")],
      why: "cluster-admin is unrestricted; system:anonymous and system:unauthenticated are everyone.",
      fix: "Bind a Role with the permissions needed, to named service accounts or Entra groups.",
      check: (r) => {
        const role = r.str("role_ref.name");
        const subjects = r.blocks("subject");
        if (role === UNKNOWN || subjects === UNKNOWN) return UNKNOWN_VERDICT;
        const problems: string[] = [];
        if (role === "cluster-admin") problems.push('role_ref.name is "cluster-admin"');
        for (const s of subjects) {
          const name = s.str("name");
          if (name === "system:anonymous" || name === "system:unauthenticated")
            problems.push(`subject ${show(name)}`);
        }
        return problems.length > 0 ? fail(...problems) : PASS;
      },
    },
    {
      id: "K8S-014",
      title: "Namespaces enforce the baseline or restricted Pod Security Standard",
      pack: "kubernetes",
      resourceTypes: NAMESPACE_TYPES,
      severity: "medium",
      environments: "all",
      sources: [kubernetesDocs("Pod Security Admission", "concepts/security/pod-security-admission/")],
      why: "Without an enforce label any pod, privileged included, is admitted into the namespace.",
      fix: 'Label the namespace pod-security.kubernetes.io/enforce = "restricted" (or "baseline").',
      check: (r) => {
        const labels = r.get("metadata.labels");
        if (labels === UNKNOWN) return UNKNOWN_VERDICT;
        const level =
          typeof labels === "object" && labels !== null
            ? (labels as Record<string, unknown>)[POD_SECURITY_LABELS.enforce]
            : undefined;
        if (isReference(level)) return UNKNOWN_VERDICT;
        return level === "restricted" || level === "baseline"
          ? PASS
          : fail(`pod-security.kubernetes.io/enforce is ${level === undefined ? "not set" : show(level)}`);
      },
    },
    {
      id: "K8S-015",
      title: "Secrets Terraform creates hold no literal values",
      pack: "kubernetes",
      resourceTypes: ["kubernetes_secret", "kubernetes_secret_v1"],
      severity: "high",
      environments: "all",
      sources: [
        kubernetesDocs("Good practices for Kubernetes Secrets", "concepts/security/secrets-good-practices/"),
      ],
      why: "A literal in data or binary_data is in the synthesized JSON, the repository and every CI log that prints it.",
      fix: "Generate the value at apply time (e.g. uuid()), copy it from another Secret, or take it from a sensitive variable the pipeline sets.",
      check: (r) => {
        const problems: string[] = [];
        for (const path of ["data", "binary_data"]) {
          const data = r.get(path);
          if (data === UNKNOWN) return UNKNOWN_VERDICT;
          if (typeof data !== "object" || data === null) continue;
          for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
            if (!isReference(value)) problems.push(`${path}["${key}"] is a literal`);
          }
        }
        return problems.length > 0 ? fail(...problems) : PASS;
      },
    },
  ],
};

function namespaceVerdict(namespace: string | undefined | typeof UNKNOWN, path: string): Verdict {
  if (namespace === UNKNOWN) return UNKNOWN_VERDICT;
  if (namespace === undefined || namespace === "" || namespace === "default") {
    return fail(`${path} is ${namespace ? show(namespace) : "not set (default)"}`);
  }
  return PASS;
}
