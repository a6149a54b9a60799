/**
 * What PostgreSQL and Redis share as Bitnami charts: the image override, its check, and the
 * warning while the frozen `bitnamilegacy` images are in use (Bitnami moved its free versioned
 * images there on 2025-08-28; they get no further updates, bitnami/charts#35164).
 */
import { Annotations } from "cdktf";
import type { IConstruct } from "constructs";
import type { HelmValues } from "../in-cluster/helm-values";

/** A Bitnami-built image: the legacy copy, a mirror of it, or a Bitnami Secure Images subscription. */
export interface BitnamiImage {
  readonly registry: string;
  readonly repository: string;
  /** A pinned tag; `latest` is rejected. */
  readonly tag: string;
}

/** Problems of a Bitnami image override. */
export function imageProblem(image: BitnamiImage): string | undefined {
  return image.tag === "" || image.tag === "latest"
    ? `image tag "${image.tag}" is not pinned; use a versioned tag such as "17.6.0-debian-12-r4"`
    : undefined;
}

/**
 * The chart values that select the image (the charts refuse non-Bitnami registries unless
 * `allowInsecureImages` is set), warning at synth time while a legacy image is in use.
 */
export function bitnamiImageValues(
  scope: IConstruct,
  service: string,
  image: BitnamiImage,
  alternative: string,
): HelmValues {
  if (image.repository.startsWith("bitnamilegacy/")) {
    Annotations.of(scope).addWarning(
      `${service} runs ${image.registry}/${image.repository}:${image.tag}, a frozen Bitnami legacy image without security updates; ${alternative} (see constructs/services/README.md)`,
    );
  }
  return {
    global: { security: { allowInsecureImages: true } },
    image: { registry: image.registry, repository: image.repository, tag: image.tag },
  };
}
