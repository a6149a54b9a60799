import { Traefik } from "../../constructs/in-cluster";
import { POD_SECURITY_LABELS, podSecurityNamespaceLabels } from "../../constructs/in-cluster/pod-security";
import { RedisService } from "../../constructs/services";
import { onlyResource, synthStack } from "../../testing";
import { clusterTestStack } from "../../testing/helm";
import { sourcesMatching } from "../../testing/source-files";

describe("Pod Security labels, defined once", () => {
  test("enforce one level and report another", () => {
    expect(podSecurityNamespaceLabels({ enforce: "baseline", report: "restricted" })).toEqual({
      [POD_SECURITY_LABELS.enforce]: "baseline",
      [POD_SECURITY_LABELS.audit]: "restricted",
      [POD_SECURITY_LABELS.warn]: "restricted",
    });
  });

  test("Traefik's namespace and a service's namespace get their labels from the same function", () => {
    const traefik = clusterTestStack();
    new Traefik(traefik.stack, "traefik", {
      connection: traefik.connection,
      loadBalancerIp: "20.100.1.10",
      loadBalancerResourceGroup: "test-rg",
      podSecurityLevel: "baseline",
    });
    const redis = clusterTestStack();
    new RedisService(redis.stack, "redis", { connection: redis.connection });
    const labels = (stack: ReturnType<typeof clusterTestStack>["stack"]) =>
      (
        onlyResource(synthStack(stack), "kubernetes_namespace_v1").metadata as {
          labels: Record<string, string>;
        }
      ).labels;
    expect(labels(traefik.stack)).toEqual(podSecurityNamespaceLabels({ enforce: "baseline" }));
    expect(labels(redis.stack)).toMatchObject(podSecurityNamespaceLabels({ enforce: "restricted" }));
  });

  test("no other source file spells the label keys", () => {
    const spelled = sourcesMatching(["constructs", "stacks", "cli", "fleet", "safety", "docs-gen"], (text) =>
      text.includes('"pod-security.kubernetes.io/'),
    );
    expect(spelled).toEqual(["constructs/in-cluster/pod-security.ts"]);
  });
});
