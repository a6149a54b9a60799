/**
 * Scans a synthesized cdktf.out for what must never be in it: credentials (storage keys, SAS
 * tokens, connection strings, passwords, client secrets, private keys, tokens), absolute paths
 * of the machine that synthesized it, outputs that expose sensitive attributes without
 * `sensitive: true`, and backends that authenticate with anything but Entra ID / OIDC.
 *
 * Terraform references ("${azurerm_x.y.primary_access_key}") are not secrets: the value lives in
 * state, not in the configuration. They only matter in outputs, which must then be sensitive.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, relative, sep } from "node:path";

export interface ScanFinding {
  /** Path of the file, relative to the scanned directory. */
  readonly file: string;
  /** JSON path inside the file, e.g. `resource.azurerm_key_vault_secret.x.value`. */
  readonly jsonPath: string;
  readonly check: ScanCheck;
  readonly message: string;
}

export type ScanCheck = "secret" | "machine-path" | "sensitive-output" | "backend";

export interface ScanOptions {
  /** The repository root: never allowed in output, not even alone. */
  readonly repoRoot?: string;
  /**
   * Home and temp directories of this machine: flagged when followed by a path separator and more
   * (a bare "/tmp" is a common container path). Strings inside Kubernetes objects and Helm
   * releases are container-side and exempt.
   * @default [os.homedir(), os.tmpdir()]
   */
  readonly machineDirs?: readonly string[];
}

/** Secrets recognisable by their format, wherever they appear in a literal string. */
const SECRET_PATTERNS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "a PEM private key", pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/ },
  { name: "a storage account key in a connection string", pattern: /AccountKey=[A-Za-z0-9+/=]{20,}/i },
  { name: "a shared access key in a connection string", pattern: /SharedAccessKey=[A-Za-z0-9+/=]{20,}/i },
  { name: "a storage connection string", pattern: /DefaultEndpointsProtocol=https?;/i },
  {
    name: "an Application Insights instrumentation key",
    pattern: /InstrumentationKey=[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i,
  },
  { name: "a password in a connection string", pattern: /(?:^|;)\s*(?:Password|Pwd)=[^;${}\s]+/i },
  { name: "a SAS token signature", pattern: /[?&]sig=[A-Za-z0-9%+/=]{16,}/ },
  // 64 random bytes, base64: what Azure storage and Cosmos DB account keys look like.
  {
    name: "an Azure account key (88-character base64)",
    pattern: /(?<![A-Za-z0-9+/])[A-Za-z0-9+/]{86}==(?![A-Za-z0-9+/=])/,
  },
  // Entra ID client secrets created since 2021: three characters, a digit, "Q~", then 31-34 more.
  {
    name: "an Entra ID client secret",
    pattern: /(?<![A-Za-z0-9_~.-])[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}(?![A-Za-z0-9_~.-])/,
  },
  { name: "a JSON Web Token", pattern: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/ },
];

/** Attribute names whose literal value is a credential. */
const SENSITIVE_KEY =
  /(?:^|_)(password|passwd|secret|client_secret|access_key|account_key|sas_token|private_key|private_key_pem|connection_string|api_key|shared_key|primary_key|secondary_key|client_key|client_certificate_password|certificate_password|token)$/i;

/** Attributes that are credentials by resource type (their name alone is too generic). */
const SENSITIVE_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  azurerm_key_vault_secret: ["value"],
  kubernetes_secret: ["data", "binary_data"],
  kubernetes_secret_v1: ["data", "binary_data"],
  helm_release: ["set_sensitive"],
};

/** Environment variable or `set` entry names whose value is a credential. */
const SENSITIVE_NAME =
  /(password|passwd|secret|token|api[_-]?key|private[_-]?key|connection[_-]?string|access[_-]?key)$/i;

/** Attributes that reference secrets when read: outputs of them must be sensitive. */
const SENSITIVE_ATTRIBUTE =
  /\$\{[^}]*?\.(connection_string|primary_connection_string|secondary_connection_string|primary_blob_connection_string|secondary_blob_connection_string|primary_access_key|secondary_access_key|primary_key|secondary_key|primary_master_key|secondary_master_key|primary_readonly_key|secondary_readonly_key|instrumentation_key|kube_config|kube_config_raw|kube_admin_config|kube_admin_config_raw|client_certificate|client_key|password|administrator_password|admin_password|client_secret|private_key_pem|private_key_openssh|private_key|sas|value)\b/;

/** Backend and remote-state keys that carry credentials. */
const BACKEND_CREDENTIALS = [
  "access_key",
  "sas_token",
  "client_secret",
  "client_certificate",
  "client_certificate_password",
  "client_certificate_path",
  "password",
  "token",
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function jsonPathOf(parts: readonly (string | number)[]): string {
  return parts
    .map((p, i) =>
      typeof p === "number"
        ? `[${p}]`
        : /^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)
          ? `${i === 0 ? "" : "."}${p}`
          : `[${JSON.stringify(p)}]`,
    )
    .join("");
}

/** The literal part of a string: Terraform interpolations removed. */
function literalPart(value: string): string {
  return value.replace(/\$\{[^}]*\}/g, "");
}

/** Scans every JSON file of a cdktf.out directory (manifest.json, each stack's cdk.tf.json and metadata). */
export function scanOutputDir(dir: string, options: ScanOptions = {}): ScanFinding[] {
  const findings: ScanFinding[] = [];
  for (const file of jsonFiles(dir)) {
    const rel = relative(dir, file).split(sep).join("/");
    let doc: Json;
    try {
      doc = JSON.parse(readFileSync(file, "utf8")) as Json;
    } catch (e) {
      findings.push({
        file: rel,
        jsonPath: "",
        check: "secret",
        message: `not valid JSON: ${(e as Error).message}`,
      });
      continue;
    }
    findings.push(...scanDocument(rel, doc, options));
  }
  return findings;
}

function jsonFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name === ".terraform") continue;
      out.push(...jsonFiles(path));
    } else if (name.endsWith(".json")) out.push(path);
  }
  return out;
}

/** Scans one parsed document (cdk.tf.json, manifest.json or metadata). */
export function scanDocument(file: string, doc: Json, options: ScanOptions = {}): ScanFinding[] {
  const findings: ScanFinding[] = [];
  const add = (parts: readonly (string | number)[], check: ScanCheck, message: string) =>
    findings.push({ file, jsonPath: jsonPathOf(parts), check, message });
  const trim = (p: string) => p.replace(/[/\\]+$/, "");
  const repoRoot = options.repoRoot ? trim(options.repoRoot) : undefined;
  const dirs = (options.machineDirs ?? [homedir(), tmpdir()])
    .map(trim)
    .filter((d) => d.length > 1)
    .map((d) => ({ dir: d, pattern: new RegExp(`${escapeRegExp(d)}[/\\\\][^\\s"']`) }));

  const walk = (value: Json, parts: (string | number)[], resourceType: string | undefined) => {
    const key = [...parts].reverse().find((p): p is string => typeof p === "string") ?? "";
    if (typeof value === "string") {
      checkString(value, parts, key, resourceType);
      return;
    }
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...parts, i], resourceType);
      return;
    }
    if (value === null || typeof value !== "object") return;
    // name/value pairs (container env, helm set): the name says whether the value is a secret.
    const name = value.name;
    if (typeof name === "string" && SENSITIVE_NAME.test(name) && typeof value.value === "string") {
      const literal = literalPart(value.value);
      if (literal.trim() !== "" && !key.startsWith("set_sensitive")) {
        add(
          [...parts, "value"],
          "secret",
          `"${name}" has a literal value; read it from a secret, not the configuration`,
        );
      }
    }
    for (const [k, v] of Object.entries(value)) {
      const type = parts.length === 1 && (parts[0] === "resource" || parts[0] === "data") ? k : resourceType;
      walk(v, [...parts, k], type);
    }
  };

  const checkString = (
    value: string,
    parts: (string | number)[],
    key: string,
    resourceType: string | undefined,
  ) => {
    const literal = literalPart(value);
    for (const { name, pattern } of SECRET_PATTERNS) {
      if (pattern.test(literal)) add(parts, "secret", `looks like ${name}`);
    }
    const attribute = parts.length >= 4 && parts[0] === "resource" ? String(parts[3]) : undefined;
    const byType = resourceType ? (SENSITIVE_BY_TYPE[resourceType] ?? []) : [];
    // In set_sensitive only the values are secret; in a secret's data map every entry is.
    const secretByType =
      attribute !== undefined &&
      byType.includes(attribute) &&
      (attribute !== "set_sensitive" || key === "value");
    if (literal.trim() !== "" && (SENSITIVE_KEY.test(key) || secretByType)) {
      add(parts, "secret", `${key} has a literal value; use a reference, a write-only argument or Key Vault`);
    }
    // One machine-path finding per value: the checkout may itself sit under home or temp.
    const containerSide =
      resourceType !== undefined &&
      (resourceType.startsWith("kubernetes_") || resourceType === "helm_release");
    const underDir = containerSide ? undefined : dirs.find(({ pattern }) => pattern.test(value));
    if (
      repoRoot &&
      (value === repoRoot || value.includes(`${repoRoot}/`) || value.includes(`${repoRoot}\\`))
    ) {
      add(parts, "machine-path", `contains the repository's absolute path ${repoRoot}`);
    } else if (underDir) {
      add(parts, "machine-path", `contains a path under ${underDir.dir} of the machine that synthesized it`);
    } else if (/(^|[\s"'=])[A-Za-z]:\\/.test(value)) {
      add(parts, "machine-path", "contains a Windows absolute path");
    }
  };

  walk(doc, [], undefined);
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    findings.push(...scanOutputs(file, doc), ...scanBackends(file, doc));
  }
  return findings;
}

function scanOutputs(file: string, doc: { [key: string]: Json }): ScanFinding[] {
  const outputs = doc.output;
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) return [];
  const findings: ScanFinding[] = [];
  for (const [name, output] of Object.entries(outputs)) {
    if (typeof output !== "object" || output === null || Array.isArray(output)) continue;
    const value = JSON.stringify(output.value ?? null);
    const match = SENSITIVE_ATTRIBUTE.exec(value);
    if (match && output.sensitive !== true) {
      findings.push({
        file,
        jsonPath: jsonPathOf(["output", name]),
        check: "sensitive-output",
        message: `output exposes ${match[1]} without sensitive = true`,
      });
    }
  }
  return findings;
}

/** Every backend, and every remote state read (it copies the backend's settings), must be Entra ID / OIDC or local-relative. */
function scanBackends(file: string, doc: { [key: string]: Json }): ScanFinding[] {
  const findings: ScanFinding[] = [];
  const check = (parts: (string | number)[], type: string, config: Json) => {
    const add = (message: string) =>
      findings.push({ file, jsonPath: jsonPathOf(parts), check: "backend", message });
    if (typeof config !== "object" || config === null || Array.isArray(config)) return;
    if (type === "azurerm") {
      for (const key of BACKEND_CREDENTIALS) {
        if (config[key] !== undefined)
          add(`azurerm backend sets ${key}; authenticate with Entra ID (use_azuread_auth / use_oidc)`);
      }
      if (config.use_azuread_auth !== true && config.use_oidc !== true) {
        add(
          "azurerm backend has neither use_azuread_auth nor use_oidc set to true (it would fall back to access keys)",
        );
      }
    } else if (type === "local") {
      const path = config.path;
      if (typeof path !== "string")
        add("local backend without a path defaults to an absolute path under the working directory");
      else if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path))
        add(`local backend path ${JSON.stringify(path)} is absolute`);
    } else {
      add(`backend "${type}" is not allowed; use azurerm (Entra ID / OIDC) or local`);
    }
  };
  const terraform = doc.terraform;
  if (typeof terraform === "object" && terraform !== null && !Array.isArray(terraform)) {
    const backend = terraform.backend;
    if (typeof backend === "object" && backend !== null && !Array.isArray(backend)) {
      for (const [type, config] of Object.entries(backend))
        check(["terraform", "backend", type], type, config);
    }
  }
  const data = doc.data;
  const remote =
    typeof data === "object" && data !== null && !Array.isArray(data)
      ? data.terraform_remote_state
      : undefined;
  if (typeof remote === "object" && remote !== null && !Array.isArray(remote)) {
    for (const [name, state] of Object.entries(remote)) {
      if (typeof state !== "object" || state === null || Array.isArray(state)) continue;
      const type = typeof state.backend === "string" ? state.backend : "?";
      check(["data", "terraform_remote_state", name, "config"], type, state.config ?? {});
    }
  }
  return findings;
}

export function formatScanFindings(findings: readonly ScanFinding[]): string {
  return findings.map((f) => `${f.file}: ${f.jsonPath}: [${f.check}] ${f.message}`).join("\n");
}
