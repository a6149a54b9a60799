/**
 * Checks every Helm release of a synthesized `cdktf.out` against the charts themselves: the
 * pinned version must be one the chart's repository publishes, and the values must be keys of
 * that chart version with the right types.
 *
 * The chart facts are data files that CI lays beside the checkout in `../shared/charts` (see its
 * README): `index.json` (published versions per chart) and `<chart>/<version>/` with the chart's
 * `values.yaml`, `keys.json` (every dotted key path of values.yaml) and `values.schema.json` where
 * the chart has one. Nothing of a chart is copied into this repository.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import Ajv2019 from "ajv/dist/2019";
import Ajv2020 from "ajv/dist/2020";
import { parse } from "yaml";
import { REPO_ROOT } from "./run-cli";

/**
 * `../shared/charts` relative to the repository root; `FLEET_SHARED_DIR` names another `shared`
 * folder (for a checkout whose parent has none, e.g. a git worktree).
 */
export const CHARTS_DIR = join(process.env.FLEET_SHARED_DIR ?? join(REPO_ROOT, "..", "shared"), "charts");

/** The chart facts folder, or a clear failure when it is absent. */
export function chartsDir(): string {
  if (!existsSync(join(CHARTS_DIR, "index.json"))) {
    throw new Error(
      `../shared/charts is missing (looked for ${join(CHARTS_DIR, "index.json")}): CI lays shared/ beside the checkout; ` +
        "put the shared folder next to this repository, or name it with FLEET_SHARED_DIR, to run the chart tests",
    );
  }
  return CHARTS_DIR;
}

export interface ChartVersionEntry {
  readonly version: string;
  readonly appVersion?: string;
  readonly digest?: string;
}

export interface ChartIndexEntry {
  readonly repository: string;
  readonly chart: string;
  readonly pinned: string;
  readonly pinnedExists: boolean | null;
  readonly evidence: string;
  readonly versions: readonly ChartVersionEntry[];
  readonly recorded: readonly string[];
}

export function loadChartIndex(dir = chartsDir()): Record<string, ChartIndexEntry> {
  return (
    JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { charts: Record<string, ChartIndexEntry> }
  ).charts;
}

/**
 * Charts whose pinned version the folder could not check, with how it was confirmed instead.
 * An entry is only accepted while index.json itself marks the chart unchecked
 * (`pinnedExists: null`, nothing recorded); once the folder has data, the normal checks apply.
 */
export const UNCHECKED_CHARTS: Readonly<
  Record<string, { readonly version: string; readonly evidence: string }>
> = {
  "azure-service-operator": {
    version: "2.14.0",
    evidence:
      "Azure/azure-service-operator publishes v2/charts/azure-service-operator-2.14.0.tgz (commit 5272f4c3) next to its index.yaml; see constructs/services/README.md",
  },
};

/** Kubernetes objects most charts pass through with `toYaml`: their fields are the API's, not the chart's. */
const KUBERNETES_PASSTHROUGH: Readonly<Record<string, string>> = {
  "**resources": "Kubernetes ResourceRequirements (requests, limits), rendered with toYaml",
  "**annotations": "Kubernetes annotations: any key",
  "**extraEnv": "a list of Kubernetes EnvVar, rendered with toYaml",
  "**podSecurityContext": "Kubernetes PodSecurityContext, rendered with toYaml",
  "**securityContext": "Kubernetes SecurityContext, rendered with toYaml",
  "**topologySpreadConstraints": "a list of Kubernetes TopologySpreadConstraint, rendered with toYaml",
  "**tls": "a list of Kubernetes IngressTLS (secretName, hosts), rendered with toYaml",
  "**tolerations": "a list of Kubernetes Toleration, rendered with toYaml",
};

/** ORY's charts: the service's own configuration file, validated by the service's config schema at start. */
const ORY_CONFIG = "the service's configuration file, rendered as given and validated by the service itself";

/**
 * Paths whose contents a chart takes as free-form maps or lists (the path itself must be a key
 * of the chart; what is below it is not checked against the key list): one list per chart, each
 * with the reason. Patterns: `*` is one key, `**` any run of keys.
 */
export const FREE_FORM_PATHS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  traefik: {
    ...KUBERNETES_PASSTHROUGH,
    "service.spec": "merged into the Service spec as given (externalTrafficPolicy, ...)",
    tlsOptions: "TLSOption resources by name; the chart renders one per key",
  },
  "cert-manager": KUBERNETES_PASSTHROUGH,
  kured: KUBERNETES_PASSTHROUGH,
  "argo-cd": {
    ...KUBERNETES_PASSTHROUGH,
    "configs.cm": "entries of the argocd-cm ConfigMap (keys such as users.anonymous.enabled contain dots)",
    "configs.params": "entries of the argocd-cmd-params-cm ConfigMap",
  },
  grafana: {
    ...KUBERNETES_PASSTHROUGH,
    datasources: "provisioning files by file name, each in Grafana's datasource provisioning format",
    "grafana.ini": "sections of grafana.ini, rendered as INI",
  },
  loki: {
    ...KUBERNETES_PASSTHROUGH,
    "loki.compactor": "a block of Loki's configuration file, validated by Loki at start",
    "loki.limits_config": "a block of Loki's configuration file, validated by Loki at start",
    "loki.schemaConfig": "a block of Loki's configuration file, validated by Loki at start",
  },
  "kube-prometheus-stack": {
    ...KUBERNETES_PASSTHROUGH,
    "prometheus.prometheusSpec.storageSpec":
      "a prometheus-operator StorageSpec, passed into the Prometheus resource",
    "alertmanager.alertmanagerSpec.storage":
      "a prometheus-operator StorageSpec, passed into the Alertmanager resource",
    "kube-state-metrics": "values of the kube-state-metrics subchart, whose values.yaml is not recorded",
    "prometheus-node-exporter":
      "values of the prometheus-node-exporter subchart, whose values.yaml is not recorded",
  },
  hydra: { ...KUBERNETES_PASSTHROUGH, "hydra.config": ORY_CONFIG },
  keto: { ...KUBERNETES_PASSTHROUGH, "keto.config": ORY_CONFIG },
  kratos: {
    ...KUBERNETES_PASSTHROUGH,
    "kratos.config": ORY_CONFIG,
    "kratos.identitySchemas": "identity schema files by file name",
  },
  oathkeeper: { ...KUBERNETES_PASSTHROUGH, "oathkeeper.config": ORY_CONFIG },
  "nginx-ingress": {
    ...KUBERNETES_PASSTHROUGH,
    "controller.config.entries": "entries of the controller's ConfigMap (NGINX ConfigMap keys)",
  },
  postgresql: { ...KUBERNETES_PASSTHROUGH, "primary.initdb.scripts": "init scripts by file name" },
  redis: KUBERNETES_PASSTHROUGH,
  raw: { resources: "the Kubernetes objects the chart renders as given" },
};

/**
 * Keys a chart's templates read that its values.yaml only documents as a comment (so keys.json,
 * taken from values.yaml, lacks them). The chart test checks each appears commented in values.yaml.
 */
export const COMMENTED_KEYS: Readonly<Record<string, readonly string[]>> = {
  grafana: ["ingress.ingressClassName"],
  hydra: ["ingress.public.tls"],
  oathkeeper: ["ingress.proxy.tls"],
};

export interface HelmReleaseFact {
  readonly stack: string;
  readonly id: string;
  readonly name: string;
  readonly namespace: string;
  readonly repository: string;
  readonly chart: string;
  readonly version: string;
  readonly values: readonly string[];
  readonly set: readonly { name: string; value: unknown; type?: string }[];
  /** The release as synthesized. */
  readonly raw: Record<string, unknown>;
}

/** Every helm_release of every stack in a synthesized output directory. */
export function collectReleases(outdir: string): HelmReleaseFact[] {
  const stacksDir = join(outdir, "stacks");
  const out: HelmReleaseFact[] = [];
  for (const stack of readdirSync(stacksDir).sort()) {
    const file = join(stacksDir, stack, "cdk.tf.json");
    if (!existsSync(file)) continue;
    const json = JSON.parse(readFileSync(file, "utf8")) as {
      resource?: Record<string, Record<string, Record<string, unknown>>>;
    };
    for (const [id, r] of Object.entries(json.resource?.helm_release ?? {})) {
      out.push(releaseFact(stack, id, r));
    }
  }
  return out;
}

export function releaseFact(stack: string, id: string, r: Record<string, unknown>): HelmReleaseFact {
  return {
    stack,
    id,
    name: String(r.name),
    namespace: String(r.namespace),
    repository: String(r.repository),
    chart: String(r.chart),
    version: String(r.version),
    values: (r.values as string[] | undefined) ?? [],
    set: (r.set as HelmReleaseFact["set"] | undefined) ?? [],
    raw: r,
  };
}

const normalizeRepo = (repo: string) => repo.replace(/\/+$/, "");
const bare = (v: string) => v.replace(/^v/, "");

function compareVersions(a: string, b: string): number {
  const pa = bare(a).split(/[.-]/);
  const pb = bare(b).split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? "";
    const y = pb[i] ?? "";
    const nx = Number(x);
    const ny = Number(y);
    const d = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (d !== 0) return d;
  }
  return 0;
}

/** The index entry of a release's chart, matched by repository and chart name. */
export function chartEntryOf(
  release: Pick<HelmReleaseFact, "repository" | "chart">,
  index: Record<string, ChartIndexEntry>,
): ChartIndexEntry | undefined {
  return Object.values(index).find(
    (e) => normalizeRepo(e.repository) === normalizeRepo(release.repository) && e.chart === release.chart,
  );
}

function label(r: HelmReleaseFact): string {
  return `release "${r.name}" (chart ${r.chart} ${r.version}) in stack ${r.stack}`;
}

/** Problems with the release's chart version, one line each, with the fix. */
export function versionProblems(r: HelmReleaseFact, index: Record<string, ChartIndexEntry>): string[] {
  const entry = chartEntryOf(r, index);
  if (!entry) {
    return [
      `${label(r)}: chart ${r.chart} from ${r.repository} has no entry in ../shared/charts/index.json; record the chart's published versions there before using it`,
    ];
  }
  if (entry.versions.some((v) => v.version === r.version)) return [];
  const unchecked = UNCHECKED_CHARTS[entry.chart];
  if (
    unchecked &&
    unchecked.version === r.version &&
    entry.pinnedExists === null &&
    entry.recorded.length === 0
  ) {
    return [];
  }
  const sorted = [...entry.versions].map((v) => v.version).sort(compareVersions);
  const below = sorted.filter((v) => compareVersions(v, r.version) < 0).at(-1);
  const above = sorted.find((v) => compareVersions(v, r.version) > 0);
  const sameButPrefix = sorted.find((v) => bare(v) === bare(r.version));
  const hint = sameButPrefix
    ? `write it as the index does: "${sameButPrefix}"`
    : `the nearest published versions are ${[below, above].filter(Boolean).join(" and ") || "none"}; pin one of them (recorded data: ${entry.recorded.join(", ") || "none"})`;
  return [`${label(r)}: version ${r.version} is not published in ${entry.repository}; ${hint}`];
}

/** Values of a release: its YAML documents merged in order, then its `set` entries. */
export function releaseValues(r: HelmReleaseFact): Record<string, unknown> {
  let merged: Record<string, unknown> = {};
  for (const doc of r.values) {
    merged = mergeDeep(merged, (parse(doc) ?? {}) as Record<string, unknown>);
  }
  for (const s of r.set) {
    const parts = s.name.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
    let node = merged;
    for (const p of parts.slice(0, -1)) {
      if (typeof node[p] !== "object" || node[p] === null) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = s.type === "string" ? String(s.value) : coerce(s.value);
  }
  return merged;
}

function coerce(value: unknown): unknown {
  if (value === "true") return true;
  if (value === "false") return false;
  if (typeof value === "string" && /^-?\d+$/.test(value)) return Number(value);
  return value;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isMap(out[k]) && isMap(v) ? mergeDeep(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

interface ChartFacts {
  readonly keys: ReadonlySet<string>;
  readonly defaults: unknown;
  readonly valuesText: string;
  /** Maps the chart's schema declares with `additionalProperties` of their own schema. */
  readonly openMaps: ReadonlySet<string>;
  readonly schema?: Record<string, unknown>;
}

const factsCache = new Map<string, ChartFacts | undefined>();

function chartFacts(dir: string, chart: string, version: string): ChartFacts | undefined {
  const key = `${chart}/${version}`;
  if (!factsCache.has(key)) {
    const folder = join(dir, chart, version);
    if (!existsSync(join(folder, "keys.json"))) {
      factsCache.set(key, undefined);
    } else {
      const schemaFile = join(folder, "values.schema.json");
      const schema = existsSync(schemaFile)
        ? (JSON.parse(readFileSync(schemaFile, "utf8")) as Record<string, unknown>)
        : undefined;
      const keys = new Set(JSON.parse(readFileSync(join(folder, "keys.json"), "utf8")) as string[]);
      // Keys the chart's schema declares are keys of the chart too (values.yaml may leave them out).
      const openMaps = new Set<string>();
      if (schema) for (const k of schemaPaths(schema, openMaps)) keys.add(k);
      const valuesText = readFileSync(join(folder, "values.yaml"), "utf8");
      factsCache.set(key, { keys, defaults: parse(valuesText), valuesText, openMaps, schema });
    }
  }
  return factsCache.get(key);
}

/** Every property path a JSON schema declares, written as keys.json writes them. */
function schemaPaths(schema: Record<string, unknown>, openMaps: Set<string>): string[] {
  const out = new Set<string>();
  const resolve = (node: Record<string, unknown>): Record<string, unknown> => {
    let n = node;
    for (let i = 0; i < 20 && typeof n.$ref === "string" && n.$ref.startsWith("#/"); i++) {
      let target: unknown = schema;
      for (const part of (n.$ref as string).slice(2).split("/")) {
        target = (target as Record<string, unknown> | undefined)?.[
          part.replace(/~1/g, "/").replace(/~0/g, "~")
        ];
      }
      if (!isMap(target)) break;
      n = target;
    }
    return n;
  };
  const visit = (raw: unknown, path: string, depth: number) => {
    if (!isMap(raw) || depth > 30) return;
    const node = resolve(raw);
    if (path !== "") out.add(path);
    for (const [k, v] of Object.entries((node.properties as Record<string, unknown> | undefined) ?? {})) {
      visit(v, path === "" ? k : `${path}.${k}`, depth + 1);
    }
    if (isMap(node.items)) visit(node.items, `${path}[]`, depth + 1);
    if (path !== "" && isMap(node.additionalProperties)) openMaps.add(path);
    for (const combo of ["anyOf", "oneOf", "allOf"]) {
      for (const alt of (node[combo] as unknown[] | undefined) ?? []) visit(alt, path, depth + 1);
    }
  };
  visit(schema, "", 0);
  return [...out];
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "list";
  if (isMap(v)) return "map";
  return typeof v;
}

function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split("**")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^.]*"))
    .join(".*");
  return new RegExp(`^${body}$`);
}

/** The declared free-form path (pattern) that covers a key path, if any. */
export function freeFormPattern(chart: string, path: string): string | undefined {
  return Object.keys(FREE_FORM_PATHS[chart] ?? {}).find((pattern) => globRegExp(pattern).test(path));
}

/** Helm's coalescing: the user's maps merge over the chart's, and null removes a key. */
function coalesce(defaults: unknown, values: unknown): unknown {
  if (!isMap(defaults) || !isMap(values)) return values;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(values)) {
    if (v === null) delete out[k];
    else out[k] = coalesce(defaults[k], v);
  }
  return out;
}

/**
 * Problems with a release's values: keys the chart does not know, and wrong types (from the
 * chart's values.schema.json where it has one, else from the type of the values.yaml default).
 */
export function valuesProblems(r: HelmReleaseFact, dir = chartsDir()): string[] {
  if (UNCHECKED_CHARTS[r.chart]?.version === r.version) return [];
  const facts = chartFacts(dir, r.chart, r.version);
  if (!facts) {
    return [
      `${label(r)}: ../shared/charts has no recorded values for ${r.chart} ${r.version}; pin a version the folder records`,
    ];
  }
  const values = releaseValues(r);
  const problems: string[] = [];
  const commented = new Set(COMMENTED_KEYS[r.chart] ?? []);
  const walk = (value: unknown, defaults: unknown, path: string) => {
    const key = Array.isArray(value) ? `${path}[]` : path;
    if (path !== "" && !facts.keys.has(key) && !facts.keys.has(path) && !commented.has(path)) {
      problems.push(
        `${label(r)}: key ${path} is not a value of ${r.chart} ${r.version}; remove it or use the chart's key (see its values.yaml)`,
      );
      return;
    }
    // Below a free-form path (declared here, or a map the chart's schema leaves open) anything goes.
    if (path !== "" && (freeFormPattern(r.chart, path) !== undefined || facts.openMaps.has(path))) return;
    if (!facts.schema && path !== "" && value !== null && defaults !== null && defaults !== undefined) {
      const want = typeName(defaults);
      const got = typeName(value);
      // An empty string default stands for "any scalar" (e.g. a PDB's minAvailable: "" or 1).
      const anyScalar = defaults === "" && got !== "map" && got !== "list";
      if (want !== got && !anyScalar) {
        problems.push(
          `${label(r)}: ${path} is a ${got}, but the chart's default is a ${want}; give it a ${want}`,
        );
        return;
      }
    }
    if (isMap(value)) {
      for (const [k, v] of Object.entries(value)) {
        walk(v, isMap(defaults) ? defaults[k] : undefined, path === "" ? k : `${path}.${k}`);
      }
    } else if (Array.isArray(value)) {
      const first = Array.isArray(defaults) ? defaults[0] : undefined;
      for (const item of value) {
        if (isMap(item)) {
          for (const [k, v] of Object.entries(item)) {
            walk(v, isMap(first) ? first[k] : undefined, `${path}[].${k}`);
          }
        }
      }
    }
  };
  walk(values, facts.defaults, "");
  if (facts.schema) {
    for (const e of schemaErrors(facts.schema, coalesce(facts.defaults, values))) {
      problems.push(`${label(r)}: ${e}`);
    }
  }
  return problems;
}

/**
 * A commented key that values.yaml documents (`# key: ...`): the test checks it really is there.
 */
export function commentedKeyDocumented(
  chart: string,
  version: string,
  path: string,
  dir = chartsDir(),
): boolean {
  const facts = chartFacts(dir, chart, version);
  const last = path.split(".").at(-1)!;
  return (
    facts !== undefined &&
    new RegExp(`^\\s*#+\\s*${last.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:`, "m").test(facts.valuesText)
  );
}

/**
 * The schema without references outside it (e.g. the NGINX chart's links to published Kubernetes
 * API definitions): those describe Kubernetes objects, which the API server checks; the rest of
 * the schema still applies.
 */
function localRefsOnly(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(localRefsOnly);
  if (!isMap(node)) return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "$ref" && typeof v === "string" && !v.startsWith("#")) continue;
    out[k] = localRefsOnly(v);
  }
  return out;
}

const validators = new Map<Record<string, unknown>, ValidateFunction>();

function schemaErrors(schema: Record<string, unknown>, values: unknown): string[] {
  let validate = validators.get(schema);
  if (validate === undefined) {
    const meta = String(schema.$schema ?? "");
    const options = { strict: false, allErrors: true, validateFormats: false } as const;
    const ajv = meta.includes("2020-12")
      ? new Ajv2020(options)
      : meta.includes("2019-09")
        ? new Ajv2019(options)
        : new Ajv(options);
    const { $schema: _, ...rest } = schema;
    validate = ajv.compile(localRefsOnly(rest) as Record<string, unknown>);
    validators.set(schema, validate);
  }
  if (validate(values)) return [];
  return (validate.errors ?? []).map(
    (e: ErrorObject) =>
      `${e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(values)"} ${e.message}${
        e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ""
      } (values.schema.json); fix the value to match the chart's schema`,
  );
}
