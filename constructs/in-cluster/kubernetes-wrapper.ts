/**
 * Altinn's Kubernetes wrapper: a small read-only API that Altinn Studio (Designer) calls at
 * `https://{org}.apps.{host}/kuberneteswrapper/api/v1/deployments` to show which app versions run
 * in a cluster. Names, namespace, port and RBAC follow Altinn's own manifests
 * (altinn-studio `src/Runtime/kubernetes-wrapper/infra/kustomize/base`).
 */
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { RoleBindingV1 } from "@cdktf/provider-kubernetes/lib/role-binding-v1";
import { RoleV1, type RoleV1Rule } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ClusterConnection } from "./cluster-connection";
import { type ContainerResources, resourcesProblem } from "./helm-values";

/** Names Altinn's tooling depends on (Designer's URL, the Traefik route, the RBAC binding). */
export const KUBERNETES_WRAPPER_NAMES = {
  deployment: "kuberneteswrapper",
  service: "kuberneteswrapper",
  serviceAccount: "kuberneteswrappersa",
  role: "kubernetes-read-role",
  roleBinding: "kubernetes-read-rolebinding",
} as const;

/**
 * Default image. Altinn publishes the wrapper to GHCR tagged with the first 10 characters of the
 * altinn-studio commit that built it (workflow `deploy-runtime-kubernetes-wrapper.yaml`); this tag
 * is commit 186088d16b (the .NET 10 image). Verify a new tag exists (`docker manifest inspect`)
 * before bumping, and prefer `...@sha256:<digest>` in production.
 */
export const KUBERNETES_WRAPPER_DEFAULT_IMAGE = "ghcr.io/altinn/altinn-studio/kubernetes-wrapper:186088d16b";

/** The port the wrapper listens on (`ASPNETCORE_HTTP_PORTS` / `KUBERNETES_WRAPPER_LISTEN_ADDRESS`). */
export const KUBERNETES_WRAPPER_PORT = 8080;

/**
 * The RBAC rule, exactly as Altinn grants it: read deployments and daemonsets in one namespace,
 * nothing else (no secrets, no pods, no writes).
 */
export const KUBERNETES_WRAPPER_RULE: RoleV1Rule = {
  apiGroups: ["apps"],
  resources: ["deployments", "daemonsets"],
  verbs: ["get", "list"],
};

/** `nobody`: a numeric UID lets the kubelet prove `runAsNonRoot` for any image. */
const NOBODY = 65534;

export const KUBERNETES_WRAPPER_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

export interface KubernetesWrapperProps {
  /**
   * The connection whose kubernetes provider creates the resources.
   * @default - the stack's default (unaliased) kubernetes provider
   */
  readonly connection?: ClusterConnection;
  /**
   * Container image, pinned by tag or digest. `:latest` and untagged images are rejected: they
   * make a plan say nothing about what will run.
   * @default KUBERNETES_WRAPPER_DEFAULT_IMAGE
   */
  readonly image?: string;
  /**
   * Replicas. Altinn runs one: the API only feeds Designer's deployment status page, and a
   * restart costs seconds.
   * @default 1
   */
  readonly replicas?: number;
  /**
   * Namespace the wrapper runs in and may read. Altinn apps run in `default`.
   * Changing it replaces every resource of the wrapper.
   * @default "default"
   */
  readonly namespace?: string;
  /**
   * Adds `watch` to the Role. Only for wrapper builds that use informers (the Go rewrite in
   * altinn-studio lists through a watch cache); the published Role grants get and list only.
   * @default false
   */
  readonly allowWatch?: boolean;
  /**
   * Container resources.
   * @default KUBERNETES_WRAPPER_DEFAULT_RESOURCES (requests 50m/128Mi, limits 500m/256Mi)
   */
  readonly resources?: ContainerResources;
  /**
   * UID and GID the container runs as.
   * @default 65534 (nobody)
   */
  readonly runAsUser?: number;
  /**
   * Path the readiness probe requests; it must answer without calling the Kubernetes API.
   * @default "/kuberneteswrapper/swagger/v1/swagger.json"
   */
  readonly readinessPath?: string;
}

/**
 * The Kubernetes wrapper with least-privilege RBAC and a hardened pod: non-root, read-only root
 * filesystem (an emptyDir at /tmp), no privilege escalation, all capabilities dropped,
 * RuntimeDefault seccomp, probes, requests and limits, and a ClusterIP Service on 8080.
 */
export class KubernetesWrapper extends Construct {
  public readonly serviceAccount: ServiceAccountV1;
  public readonly role: RoleV1;
  public readonly roleBinding: RoleBindingV1;
  public readonly deployment: DeploymentV1;
  public readonly service: ServiceV1;
  /** The image that will run. */
  public readonly image: string;

  constructor(scope: Construct, id: string, props: KubernetesWrapperProps = {}) {
    super(scope, id);
    const namespace = props.namespace ?? "default";
    const replicas = props.replicas ?? 1;
    const runAsUser = props.runAsUser ?? NOBODY;
    const resources = props.resources ?? KUBERNETES_WRAPPER_DEFAULT_RESOURCES;
    this.image = props.image ?? KUBERNETES_WRAPPER_DEFAULT_IMAGE;
    this.validate(replicas, runAsUser, resources);

    const provider = props.connection?.kubernetesProvider;
    const labels = { app: KUBERNETES_WRAPPER_NAMES.deployment, release: KUBERNETES_WRAPPER_NAMES.deployment };

    this.serviceAccount = new ServiceAccountV1(this, "service-account", {
      provider,
      metadata: { name: KUBERNETES_WRAPPER_NAMES.serviceAccount, namespace, labels },
      // Off by default for anything else that might use this account; the pod opts in below.
      automountServiceAccountToken: false,
    });

    this.role = new RoleV1(this, "role", {
      provider,
      metadata: { name: KUBERNETES_WRAPPER_NAMES.role, namespace, labels },
      rule: [
        props.allowWatch === true
          ? { ...KUBERNETES_WRAPPER_RULE, verbs: [...KUBERNETES_WRAPPER_RULE.verbs, "watch"] }
          : KUBERNETES_WRAPPER_RULE,
      ],
    });

    this.roleBinding = new RoleBindingV1(this, "role-binding", {
      provider,
      metadata: { name: KUBERNETES_WRAPPER_NAMES.roleBinding, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: this.role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace }],
    });

    const port = String(KUBERNETES_WRAPPER_PORT);
    this.deployment = new DeploymentV1(this, "deployment", {
      provider,
      metadata: { name: KUBERNETES_WRAPPER_NAMES.deployment, namespace, labels },
      spec: {
        replicas: String(replicas),
        revisionHistoryLimit: 3,
        selector: { matchLabels: { app: KUBERNETES_WRAPPER_NAMES.deployment } },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "0", maxSurge: "1" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            // The wrapper reads the API with its service account token.
            automountServiceAccountToken: true,
            enableServiceLinks: false,
            nodeSelector: { "kubernetes.io/os": "linux" },
            securityContext: {
              runAsNonRoot: true,
              runAsUser: String(runAsUser),
              runAsGroup: String(runAsUser),
              seccompProfile: { type: "RuntimeDefault" },
            },
            container: [
              {
                name: KUBERNETES_WRAPPER_NAMES.deployment,
                image: this.image,
                imagePullPolicy: "IfNotPresent",
                port: [{ name: "http", containerPort: KUBERNETES_WRAPPER_PORT, protocol: "TCP" }],
                env: [
                  // The .NET build reads the first, the Go rewrite the second.
                  { name: "ASPNETCORE_HTTP_PORTS", value: port },
                  { name: "KUBERNETES_WRAPPER_LISTEN_ADDRESS", value: `:${port}` },
                  { name: "KUBERNETES_WRAPPER_NAMESPACE", value: namespace },
                  // .NET writes its diagnostics socket and key ring under HOME/TMPDIR; both point
                  // at the writable emptyDir because the root filesystem is read-only.
                  { name: "HOME", value: "/tmp" },
                  { name: "TMPDIR", value: "/tmp" },
                ],
                resources: {
                  requests: { ...resources.requests },
                  limits: { ...resources.limits },
                },
                securityContext: {
                  runAsNonRoot: true,
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                  seccompProfile: { type: "RuntimeDefault" },
                },
                readinessProbe: {
                  httpGet: {
                    path: props.readinessPath ?? "/kuberneteswrapper/swagger/v1/swagger.json",
                    port,
                  },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                // TCP only: a liveness check must not fail because the Kubernetes API is slow.
                livenessProbe: {
                  tcpSocket: [{ port }],
                  initialDelaySeconds: 10,
                  periodSeconds: 20,
                  timeoutSeconds: 2,
                  failureThreshold: 3,
                },
                volumeMount: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volume: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
          },
        },
      },
    });

    this.service = new ServiceV1(this, "service", {
      provider,
      metadata: { name: KUBERNETES_WRAPPER_NAMES.service, namespace, labels },
      spec: {
        type: "ClusterIP",
        selector: { app: KUBERNETES_WRAPPER_NAMES.deployment },
        port: [{ name: "http", port: KUBERNETES_WRAPPER_PORT, targetPort: port, protocol: "TCP" }],
      },
    });
  }

  private validate(replicas: number, runAsUser: number, resources: ContainerResources): void {
    const path = this.node.path;
    const problem = imageProblem(this.image);
    if (problem !== undefined) {
      throw new ConstructValidationError(path, problem);
    }
    if (!Number.isInteger(replicas) || replicas < 1) {
      throw new ConstructValidationError(path, `replicas ${replicas} must be a whole number of at least 1`);
    }
    if (!Number.isInteger(runAsUser) || runAsUser < 1) {
      throw new ConstructValidationError(
        path,
        `runAsUser ${runAsUser} must be a non-zero UID (0 is root); use ${NOBODY} (nobody)`,
      );
    }
    const resourceProblem = resourcesProblem(resources);
    if (resourceProblem !== undefined) {
      throw new ConstructValidationError(path, resourceProblem);
    }
  }
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/**
 * Why an image reference is not pinned, or undefined when it is: a digest always pins; otherwise
 * there must be a tag, and it must not be `latest`. The tag is looked for after the last `/` so a
 * registry port (`registry:5000/app`) is not mistaken for one.
 */
export function imageProblem(image: string): string | undefined {
  if (Token.isUnresolved(image)) {
    return undefined;
  }
  if (image.trim() === "" || /\s/.test(image)) {
    return `image "${image}" is not an image reference; pass e.g. "${KUBERNETES_WRAPPER_DEFAULT_IMAGE}"`;
  }
  if (image.includes("@")) {
    return DIGEST.test(image)
      ? undefined
      : `image "${image}" has a malformed digest; use "<repository>@sha256:<64 hex characters>"`;
  }
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  const tag = colon < 0 ? "" : lastSegment.slice(colon + 1);
  if (tag === "") {
    return `image "${image}" has no tag, so it means :latest; pin a tag or a digest (e.g. "${KUBERNETES_WRAPPER_DEFAULT_IMAGE}")`;
  }
  if (tag.toLowerCase() === "latest") {
    return `image "${image}" uses :latest, which changes under a running cluster without a plan; pin a tag or a digest (e.g. "${KUBERNETES_WRAPPER_DEFAULT_IMAGE}")`;
  }
  return undefined;
}
