import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import { RoleV1 } from "@cdktf/provider-kubernetes/lib/role-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { TerraformStack } from "cdktf";
import { ConstructValidationError } from "../../constructs/common/errors";
import {
  ClusterConnection,
  imageProblem,
  KUBERNETES_WRAPPER_DEFAULT_IMAGE,
  KubernetesWrapper,
  type KubernetesWrapperProps,
} from "../../constructs/in-cluster";
import { onlyResource, type SynthesizedStack, synthStack, testApp } from "../../testing";

const DIGEST_IMAGE = `ghcr.io/altinn/altinn-studio/kubernetes-wrapper@sha256:${"a".repeat(64)}`;

function build(props: KubernetesWrapperProps = {}) {
  const stack = new TerraformStack(testApp(), "apps-ttd-tt02-k8s");
  new AzurermProvider(stack, "azurerm", { features: [{}] });
  const connection = new ClusterConnection(stack, "cluster", {
    clusterName: "ttd-tt02-aks",
    resourceGroupName: "altinnapps-ttd-tt02-rg",
  });
  const wrapper = new KubernetesWrapper(stack, "kubernetes-wrapper", { connection, ...props });
  return { stack, wrapper };
}

function synth(props: KubernetesWrapperProps = {}): SynthesizedStack {
  return synthStack(build(props).stack);
}

type Json = any;

function deployment(props: KubernetesWrapperProps = {}): Json {
  return onlyResource(synth(props), "kubernetes_deployment_v1");
}

function podSpec(props: KubernetesWrapperProps = {}): Json {
  return deployment(props).spec.template.spec;
}

function container(props: KubernetesWrapperProps = {}): Json {
  const containers = podSpec(props).container;
  expect(containers).toHaveLength(1);
  return containers[0];
}

describe("KubernetesWrapper RBAC", () => {
  test("creates ServiceAccount kuberneteswrappersa in default", () => {
    expect(synth().json).toHaveResourceWithProperties(ServiceAccountV1, {
      metadata: expect.objectContaining({ name: "kuberneteswrappersa", namespace: "default" }),
    });
  });

  test("does not automount the token for other users of the ServiceAccount", () => {
    expect(onlyResource(synth(), "kubernetes_service_account_v1").automount_service_account_token).toBe(
      false,
    );
  });

  test("creates Role kubernetes-read-role in default", () => {
    expect(synth().json).toHaveResourceWithProperties(RoleV1, {
      metadata: expect.objectContaining({ name: "kubernetes-read-role", namespace: "default" }),
    });
  });

  test("grants exactly get and list on deployments and daemonsets", () => {
    expect(onlyResource(synth(), "kubernetes_role_v1").rule).toEqual([
      { api_groups: ["apps"], resources: ["deployments", "daemonsets"], verbs: ["get", "list"] },
    ]);
  });

  test("adds watch only when allowWatch is set", () => {
    expect(onlyResource(synth({ allowWatch: true }), "kubernetes_role_v1").rule).toEqual([
      { api_groups: ["apps"], resources: ["deployments", "daemonsets"], verbs: ["get", "list", "watch"] },
    ]);
  });

  test("binds the Role to the ServiceAccount in the same namespace", () => {
    const binding: Json = onlyResource(synth(), "kubernetes_role_binding_v1");
    expect(binding.metadata.namespace).toBe("default");
    expect(binding.role_ref).toEqual({
      api_group: "rbac.authorization.k8s.io",
      kind: "Role",
      name: expect.stringMatching(/^\$\{kubernetes_role_v1\..+\.metadata\[0\]\.name\}$/),
    });
    expect(binding.subject).toEqual([
      {
        kind: "ServiceAccount",
        name: expect.stringMatching(/^\$\{kubernetes_service_account_v1\..+\.metadata\[0\]\.name\}$/),
        namespace: "default",
      },
    ]);
  });

  test("creates no cluster-wide RBAC", () => {
    const resources = synth().parsed.resource ?? {};
    expect(resources.kubernetes_cluster_role_v1).toBeUndefined();
    expect(resources.kubernetes_cluster_role_binding_v1).toBeUndefined();
  });
});

describe("KubernetesWrapper Deployment", () => {
  test("is named kuberneteswrapper in default with one replica", () => {
    const d = deployment();
    expect(d.metadata).toMatchObject({ name: "kuberneteswrapper", namespace: "default" });
    expect(d.spec.replicas).toBe("1");
  });

  test("runs the pinned default image", () => {
    expect(container().image).toBe(KUBERNETES_WRAPPER_DEFAULT_IMAGE);
    expect(KUBERNETES_WRAPPER_DEFAULT_IMAGE).toMatch(
      /^ghcr\.io\/altinn\/altinn-studio\/kubernetes-wrapper:[0-9a-f]{10}$/,
    );
  });

  test("accepts an image pinned by digest", () => {
    expect(container({ image: DIGEST_IMAGE }).image).toBe(DIGEST_IMAGE);
  });

  test("listens on port 8080", () => {
    expect(container().port).toEqual([{ name: "http", container_port: 8080, protocol: "TCP" }]);
  });

  test("uses the ServiceAccount and mounts its token", () => {
    const spec = podSpec();
    expect(spec.service_account_name).toMatch(
      /^\$\{kubernetes_service_account_v1\..+\.metadata\[0\]\.name\}$/,
    );
    expect(spec.automount_service_account_token).toBe(true);
  });

  test("runs the pod as a non-root UID with RuntimeDefault seccomp", () => {
    expect(podSpec().security_context).toEqual({
      run_as_non_root: true,
      run_as_user: "65534",
      run_as_group: "65534",
      seccomp_profile: { type: "RuntimeDefault" },
    });
  });

  test("hardens the container security context", () => {
    expect(container().security_context).toEqual({
      run_as_non_root: true,
      allow_privilege_escalation: false,
      privileged: false,
      read_only_root_filesystem: true,
      capabilities: { drop: ["ALL"] },
      seccomp_profile: { type: "RuntimeDefault" },
    });
  });

  test("mounts a size-limited emptyDir at /tmp", () => {
    expect(container().volume_mount).toEqual([{ name: "tmp", mount_path: "/tmp" }]);
    expect(podSpec().volume).toEqual([{ name: "tmp", empty_dir: { size_limit: "64Mi" } }]);
  });

  test("has an HTTP readiness probe that does not call the Kubernetes API", () => {
    expect(container().readiness_probe.http_get).toEqual({
      path: "/kuberneteswrapper/swagger/v1/swagger.json",
      port: "8080",
    });
  });

  test("has a TCP liveness probe", () => {
    expect(container().liveness_probe.tcp_socket).toEqual([{ port: "8080" }]);
  });

  test("sets resource requests and limits", () => {
    expect(container().resources).toEqual({
      requests: { cpu: "50m", memory: "128Mi" },
      limits: { cpu: "500m", memory: "256Mi" },
    });
  });

  test("rolls out without dropping below the desired replicas", () => {
    expect(deployment().spec.strategy).toEqual({
      type: "RollingUpdate",
      rolling_update: { max_unavailable: "0", max_surge: "1" },
    });
  });

  test("runs in another namespace when asked", () => {
    const s = synth({ namespace: "apps" });
    for (const type of [
      "kubernetes_service_account_v1",
      "kubernetes_role_v1",
      "kubernetes_role_binding_v1",
      "kubernetes_deployment_v1",
      "kubernetes_service_v1",
    ]) {
      expect((onlyResource(s, type) as Json).metadata.namespace).toBe("apps");
    }
  });
});

describe("KubernetesWrapper Service", () => {
  test("is a ClusterIP Service kuberneteswrapper on port 8080", () => {
    expect(synth().json).toHaveResourceWithProperties(ServiceV1, {
      metadata: expect.objectContaining({ name: "kuberneteswrapper", namespace: "default" }),
      spec: expect.objectContaining({
        type: "ClusterIP",
        selector: { app: "kuberneteswrapper" },
        port: [{ name: "http", port: 8080, target_port: "8080", protocol: "TCP" }],
      }),
    });
  });

  test("selects the Deployment's pods", () => {
    const d = deployment();
    expect(d.spec.template.metadata.labels).toMatchObject(d.spec.selector.match_labels);
  });
});

describe("KubernetesWrapper validation", () => {
  test("fails if the image uses :latest", () => {
    expect(() => build({ image: "ghcr.io/altinn/altinn-studio/kubernetes-wrapper:latest" })).toThrow(
      /uses :latest/,
    );
  });

  test("fails if the image has no tag", () => {
    expect(() => build({ image: "ghcr.io/altinn/altinn-studio/kubernetes-wrapper" })).toThrow(/has no tag/);
  });

  test("fails if the image has no tag behind a registry port", () => {
    expect(() => build({ image: "localhost:5000/kubernetes-wrapper" })).toThrow(/has no tag/);
  });

  test("fails if the image digest is malformed", () => {
    expect(() => build({ image: "ghcr.io/altinn/kubernetes-wrapper@sha256:abc" })).toThrow(
      /malformed digest/,
    );
  });

  test("fails if replicas is 0", () => {
    expect(() => build({ replicas: 0 })).toThrow(/replicas 0 must be a whole number of at least 1/);
  });

  test("fails if runAsUser is root", () => {
    expect(() => build({ runAsUser: 0 })).toThrow(/runAsUser 0 must be a non-zero UID/);
  });

  test("fails if a resource quantity is malformed", () => {
    expect(() =>
      build({ resources: { requests: { cpu: "50m", memory: "lots" }, limits: { memory: "256Mi" } } }),
    ).toThrow(ConstructValidationError);
  });

  test("imageProblem accepts a tag behind a registry port", () => {
    expect(imageProblem("localhost:5000/kubernetes-wrapper:1.2.3")).toBeUndefined();
  });
});
