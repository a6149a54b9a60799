/**
 * Kured (Kubernetes Reboot Daemon): drains and reboots nodes that need a reboot after unattended
 * OS upgrades, one at a time, inside a reboot window.
 *
 * Only needed when the cluster's node OS upgrade channel is `Unmanaged`. With `NodeImage` or
 * `SecurityPatch` and a node OS maintenance window, AKS itself reimages nodes and unattended
 * upgrades are disabled; that is Microsoft's recommendation, the AKS baseline dropped Kured for
 * it, and it is this library's default. Use {@link kuredRequired} to decide.
 */
import { Release } from "@cdktf/provider-helm/lib/release";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import type { ClusterConnection } from "./cluster-connection";
import {
  type ContainerResources,
  type HelmValues,
  mergeValues,
  RELEASE_DEFAULTS,
  resourcesProblem,
  toValuesYaml,
} from "./helm-values";

/**
 * The chart pin. Source: kubereboot/charts `charts/kured/Chart.yaml`, release 5.10.0 of
 * 2025-09-06 (kured 1.20.0). Bump by reading the chart's values.yaml diff, then changing this
 * constant and the tests that assert it.
 */
export const KURED_CHART_VERSION = "5.10.0";
export const KURED_CHART_REPOSITORY = "https://kubereboot.github.io/charts";
export const KURED_CHART_NAME = "kured";

/**
 * Whether a cluster needs Kured: true only for the `Unmanaged` node OS upgrade channel, where
 * the OS installs updates but nothing reboots the node. `None` applies no updates at all (Kured
 * has nothing to do), `NodeImage` and `SecurityPatch` reimage nodes through AKS.
 */
export function kuredRequired(nodeOsUpgradeChannel: string): boolean {
  return nodeOsUpgradeChannel === "Unmanaged";
}

/** Day tokens Kured accepts in `--reboot-days`. */
export type RebootDay = "su" | "mo" | "tu" | "we" | "th" | "fr" | "sa";
const REBOOT_DAYS: readonly RebootDay[] = ["su", "mo", "tu", "we", "th", "fr", "sa"];

/** When Kured may reboot nodes. */
export interface RebootWindow {
  /** Days on which a reboot may start. */
  readonly days: readonly RebootDay[];
  /** Earliest start, `HH:MM` (24 h) in `timeZone`. */
  readonly startTime: string;
  /** Latest start, `HH:MM` (24 h) in `timeZone`. */
  readonly endTime: string;
  /** IANA time zone, e.g. `Europe/Oslo`. */
  readonly timeZone: string;
}

/** Night hours early in the week, Norwegian time: outside office hours, with staff around the next day. */
export const KURED_DEFAULT_WINDOW: RebootWindow = {
  days: ["mo", "tu", "we", "th"],
  startTime: "01:00",
  endTime: "05:00",
  timeZone: "Europe/Oslo",
};

export const KURED_DEFAULT_RESOURCES: ContainerResources = {
  requests: { cpu: "10m", memory: "32Mi" },
  limits: { memory: "128Mi" },
};

export interface KuredProps {
  /**
   * The connection whose helm provider installs the release.
   * @default - the stack's default (unaliased) helm provider
   */
  readonly connection?: ClusterConnection;
  /**
   * The cluster's node OS upgrade channel. When given, anything but `Unmanaged` is rejected:
   * Kured would only duplicate (and fight) AKS's own reimaging.
   * @default - not checked
   */
  readonly nodeOsUpgradeChannel?: string;
  /**
   * When reboots may start.
   * @default KURED_DEFAULT_WINDOW (Mon-Thu 01:00-05:00 Europe/Oslo)
   */
  readonly rebootWindow?: RebootWindow;
  /**
   * How often each node checks for the reboot sentinel (Go duration).
   * @default "1h"
   */
  readonly period?: string;
  /**
   * How long a drain may take before Kured gives up on that node for now (Go duration); without
   * it a PodDisruptionBudget that can never be satisfied blocks reboots forever.
   * @default "30m"
   */
  readonly drainTimeout?: string;
  /**
   * Nodes rebooted at the same time.
   * @default 1
   */
  readonly concurrency?: number;
  /**
   * Namespace of the DaemonSet.
   * @default "kube-system"
   */
  readonly namespace?: string;
  /**
   * Container resources.
   * @default KURED_DEFAULT_RESOURCES (requests 10m/32Mi, memory limit 128Mi)
   */
  readonly resources?: ContainerResources;
  /**
   * Chart version override.
   * @default KURED_CHART_VERSION
   */
  readonly chartVersion?: string;
  /**
   * Values merged over the computed ones (maps merge, lists replace).
   * @default - none
   */
  readonly extraValues?: HelmValues;
}

const HH_MM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * Kured as a DaemonSet from the upstream chart, rebooting one node at a time inside a window and
 * tolerating the system pool's `CriticalAddonsOnly` taint so system nodes are patched too.
 * The container is privileged (it enters the host's mount namespace to reboot); that is why it
 * runs in `kube-system` and only when {@link kuredRequired} says so.
 */
export class Kured extends Construct {
  public readonly release: Release;
  /** The values as passed to Helm, for review and tests. */
  public readonly values: HelmValues;
  public readonly chartVersion: string;

  constructor(scope: Construct, id: string, props: KuredProps = {}) {
    super(scope, id);
    const window = props.rebootWindow ?? KURED_DEFAULT_WINDOW;
    const period = props.period ?? "1h";
    const drainTimeout = props.drainTimeout ?? "30m";
    const concurrency = props.concurrency ?? 1;
    const resources = props.resources ?? KURED_DEFAULT_RESOURCES;
    this.chartVersion = props.chartVersion ?? KURED_CHART_VERSION;
    this.validate(props, window, period, drainTimeout, concurrency, resources);

    const values: HelmValues = {
      configuration: {
        period,
        rebootDays: [...window.days],
        startTime: window.startTime,
        endTime: window.endTime,
        timeZone: window.timeZone,
        drainTimeout,
        concurrency,
        // Without a drain the reboot would kill pods without respecting PodDisruptionBudgets.
        forceReboot: false,
      },
      tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }],
      resources: { requests: { ...resources.requests }, limits: { ...resources.limits } },
    };
    this.values = mergeValues(values, props.extraValues);

    this.release = new Release(this, "release", {
      provider: props.connection?.helmProvider,
      name: "kured",
      repository: KURED_CHART_REPOSITORY,
      chart: KURED_CHART_NAME,
      version: this.chartVersion,
      namespace: props.namespace ?? "kube-system",
      ...RELEASE_DEFAULTS,
      values: [toValuesYaml(this.values)],
    });
  }

  private validate(
    props: KuredProps,
    window: RebootWindow,
    period: string,
    drainTimeout: string,
    concurrency: number,
    resources: ContainerResources,
  ): void {
    const path = this.node.path;
    const channel = props.nodeOsUpgradeChannel;
    if (channel !== undefined && !Token.isUnresolved(channel) && !kuredRequired(channel)) {
      throw new ConstructValidationError(
        path,
        `nodeOsUpgradeChannel "${channel}" does not need Kured (AKS reimages nodes itself, or applies no updates); remove Kured, or set the channel to "Unmanaged"`,
      );
    }
    if (window.days.length === 0) {
      throw new ConstructValidationError(
        path,
        "rebootWindow.days is empty, so nodes would never reboot; list at least one day",
      );
    }
    for (const day of window.days) {
      if (!(REBOOT_DAYS as readonly string[]).includes(day)) {
        throw new ConstructValidationError(
          path,
          `rebootWindow.days entry "${day}" is not a Kured day; use ${REBOOT_DAYS.join(", ")}`,
        );
      }
    }
    if (new Set(window.days).size !== window.days.length) {
      throw new ConstructValidationError(
        path,
        `rebootWindow.days [${window.days.join(", ")}] repeats a day; list each once`,
      );
    }
    for (const [field, value] of [
      ["startTime", window.startTime],
      ["endTime", window.endTime],
    ] as const) {
      if (!HH_MM.test(value)) {
        throw new ConstructValidationError(
          path,
          `rebootWindow.${field} "${value}" is not HH:MM (24 h); use e.g. "01:00"`,
        );
      }
    }
    if (window.startTime === window.endTime) {
      throw new ConstructValidationError(
        path,
        `rebootWindow starts and ends at ${window.startTime}, an empty window; give the window a length, e.g. 01:00-05:00`,
      );
    }
    if (!isTimeZone(window.timeZone)) {
      throw new ConstructValidationError(
        path,
        `rebootWindow.timeZone "${window.timeZone}" is not an IANA time zone; use e.g. "Europe/Oslo" or "UTC"`,
      );
    }
    for (const [field, value] of [
      ["period", period],
      ["drainTimeout", drainTimeout],
    ] as const) {
      if (!GO_DURATION.test(value)) {
        throw new ConstructValidationError(
          path,
          `${field} "${value}" is not a Go duration; use e.g. "1h" or "30m"`,
        );
      }
    }
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ConstructValidationError(
        path,
        `concurrency ${concurrency} must be a whole number of at least 1; use 1`,
      );
    }
    const problem = resourcesProblem(resources);
    if (problem !== undefined) {
      throw new ConstructValidationError(path, problem);
    }
  }
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return zone.trim() !== "";
  } catch {
    return false;
  }
}
