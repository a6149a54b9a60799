/**
 * The Helm-release skeleton every supporting service shares, defined once: the namespace and
 * release names (props or the service's defaults) and their checks, the chart pin (the
 * construct's constant, or the `chartVersion` prop for trying a bump on one cluster), the
 * namespace with its Pod Security labels, `extraValues` merged over the computed values, and the
 * release with `RELEASE_DEFAULTS` (atomic, wait, cleanup on fail, 600 s, 5 revisions) after the
 * namespace and `dependsOn`.
 *
 * A service subclass states its chart and defaults in `super(...)`, reports its own problems
 * through `validate` (together with the name checks, all at once), computes its values and calls
 * `install` once. What the providers do with the two resources: constructs/in-cluster/README.md.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { Construct } from "constructs";
import { type HelmValues, mergeValues } from "../in-cluster/helm-values";
import type { NamespacePodSecurity } from "../in-cluster/pod-security";
import {
  type ChartSource,
  createNamespace,
  defined,
  installChart,
  nameProblem,
  type ServiceBaseProps,
  throwIfProblems,
} from "./common";

/** Most service charts run non-root with RuntimeDefault seccomp and no capabilities. */
export const RESTRICTED: NamespacePodSecurity = { enforce: "restricted" };

/** What a service states about itself once, in its constructor. */
export interface HelmServiceDefaults {
  /** The pinned chart (repository, name and version constants beside the construct). */
  readonly chart: ChartSource;
  /** Namespace when the `namespace` prop is not given. */
  readonly namespace: string;
  /**
   * Release name when the `releaseName` prop is not given.
   * @default - the default namespace
   */
  readonly releaseName?: string;
  /**
   * The Secret of its ingress certificate when `ingress.tlsSecretName` is not given is
   * `<release name><suffix>` (the chart's host naming, e.g. Hydra's `-public-tls`).
   * @default "-tls"
   */
  readonly tlsSecretSuffix?: string;
}

/**
 * The namespace and release name a service gets from its props, or its defaults. The bundle
 * reads them too (the TLS Secrets it asks the pipeline for), so they are resolved here only.
 */
export function serviceNames(
  defaults: HelmServiceDefaults,
  props: Pick<ServiceBaseProps, "namespace" | "releaseName">,
): { readonly namespace: string; readonly releaseName: string; readonly tlsSecretName: string } {
  const releaseName = props.releaseName ?? defaults.releaseName ?? defaults.namespace;
  return {
    namespace: props.namespace ?? defaults.namespace,
    releaseName,
    tlsSecretName: `${releaseName}${defaults.tlsSecretSuffix ?? "-tls"}`,
  };
}

/** One service: one namespace and one pinned Helm release in it. */
export abstract class HelmService extends Construct {
  /** Namespace name (a plain string, for URLs and Secrets). */
  public readonly namespaceName: string;
  /** Helm release name; in-cluster Service names derive from it. */
  public readonly releaseName: string;
  /** The Secret of the ingress certificate unless `ingress.tlsSecretName` names another. */
  public readonly defaultTlsSecretName: string;
  /** The chart version installed: the pin, or the `chartVersion` prop. */
  public readonly chartVersion: string;
  private readonly baseProps: ServiceBaseProps;
  private readonly chart: ChartSource;
  private installed?: {
    readonly namespace: NamespaceV1;
    readonly values: HelmValues;
    readonly release: Release;
  };

  protected constructor(
    scope: Construct,
    id: string,
    props: ServiceBaseProps,
    defaults: HelmServiceDefaults,
  ) {
    super(scope, id);
    this.baseProps = props;
    this.chart = defaults.chart;
    const names = serviceNames(defaults, props);
    this.namespaceName = names.namespace;
    this.releaseName = names.releaseName;
    this.defaultTlsSecretName = names.tlsSecretName;
    this.chartVersion = props.chartVersion ?? defaults.chart.version;
  }

  /**
   * Throws one ConstructValidationError listing every problem: the namespace and release names
   * first, then the service's own; returns when there is none.
   */
  protected validate(problems: readonly (string | undefined)[]): void {
    throwIfProblems(
      this.node.path,
      defined([
        nameProblem("namespace", this.namespaceName),
        nameProblem("releaseName", this.releaseName),
        ...problems,
      ]),
    );
  }

  /**
   * Creates the namespace with its Pod Security level, merges `extraValues` over `values` and
   * installs the pinned chart into the namespace. Called once, by the subclass's constructor.
   */
  protected install(values: HelmValues, podSecurity: NamespacePodSecurity = RESTRICTED): Release {
    if (this.installed !== undefined) {
      throw new Error(`${this.node.path}: install() was called twice; a service installs one release`);
    }
    const props = this.baseProps;
    const namespace = createNamespace(this, props.connection, this.namespaceName, podSecurity);
    const merged = mergeValues(values, props.extraValues);
    const release = installChart(this, "release", {
      connection: props.connection,
      namespace,
      name: this.releaseName,
      source: { repository: this.chart.repository, chart: this.chart.chart, version: this.chartVersion },
      values: merged,
      dependsOn: props.dependsOn,
    });
    this.installed = { namespace, values: merged, release };
    return release;
  }

  /** The namespace the service runs in (created by the construct). */
  public get namespace(): NamespaceV1 {
    return this.skeleton().namespace;
  }

  /** The Helm release. */
  public get release(): Release {
    return this.skeleton().release;
  }

  /** The values as passed to Helm (`extraValues` merged), for review and tests. */
  public get values(): HelmValues {
    return this.skeleton().values;
  }

  private skeleton(): NonNullable<HelmService["installed"]> {
    if (this.installed === undefined) {
      throw new Error(
        `${this.node.path}: read before install(); the subclass constructor must call install()`,
      );
    }
    return this.installed;
  }
}
