/**
 * Helm values as typed objects, rendered to one YAML document per release. A reviewer reads the
 * values the way the chart documents them, instead of dozens of `set` entries with dotted paths.
 */
import { Token } from "cdktf";
import { stringify } from "yaml";

/** A value Helm accepts: scalars, lists and maps. `null` removes a chart default (Helm semantics). */
export type HelmValue = string | number | boolean | null | readonly HelmValue[] | HelmValues;

/** A map of Helm values. */
export interface HelmValues {
  readonly [key: string]: HelmValue;
}

/**
 * Renders values as YAML for `helm_release.values`. Strings are double-quoted so that an IP
 * address, a version like `1.20` or a Terraform interpolation can never be re-typed by YAML;
 * lines are never folded so interpolations stay on one line; a map used twice is written out
 * twice rather than as a YAML anchor and alias, which reviewers rarely read correctly.
 */
export function toValuesYaml(values: HelmValues): string {
  return stringify(values, {
    lineWidth: 0,
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
    aliasDuplicateObjects: false,
  });
}

function isValuesMap(value: HelmValue | undefined): value is HelmValues {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deep-merges `override` into `base`: maps merge key by key, everything else (lists included)
 * replaces. That is how Helm itself layers values files, so overrides behave as a reviewer
 * expects from `-f extra.yaml`.
 */
export function mergeValues(base: HelmValues, override: HelmValues | undefined): HelmValues {
  if (override === undefined) {
    return base;
  }
  const out: Record<string, HelmValue> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isValuesMap(current) && isValuesMap(value) ? mergeValues(current, value) : value;
  }
  return out;
}

/** CPU and memory for one container, in Kubernetes quantity syntax (`100m`, `128Mi`). */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu?: string; readonly memory: string };
}

const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/;

/** Returns a problem description for the first malformed quantity, or undefined. */
export function resourcesProblem(resources: ContainerResources): string | undefined {
  const entries: [string, string | undefined][] = [
    ["requests.cpu", resources.requests.cpu],
    ["requests.memory", resources.requests.memory],
    ["limits.cpu", resources.limits.cpu],
    ["limits.memory", resources.limits.memory],
  ];
  for (const [field, value] of entries) {
    if (value !== undefined && !Token.isUnresolved(value) && !QUANTITY.test(value)) {
      return `resources.${field} "${value}" is not a Kubernetes quantity; use e.g. "100m" for CPU or "128Mi" for memory`;
    }
  }
  return undefined;
}

/** Helm release settings shared by every chart this library installs. */
export const RELEASE_DEFAULTS = {
  /**
   * Roll back a failed install or upgrade, so a failed CI apply leaves the previous release
   * running rather than a half-upgraded one (atomic implies wait).
   */
  atomic: true,
  /** Remove resources created by a failed upgrade. */
  cleanupOnFail: true,
  wait: true,
  /** Seconds; long enough for a rolling update of a few replicas, short enough for a CI job. */
  timeout: 600,
  /** Each revision is a Secret in the namespace; unbounded history slowly fills etcd. */
  maxHistory: 5,
} as const;
