/**
 * The secret and path scan on planted fixtures: each kind of credential, machine path, exposed
 * output and weak backend is found and reported with its file and JSON path; references and
 * container paths are not.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { formatScanFindings, type ScanFinding, scanOutputDir } from "../../safety/output-scan";

const REPO_ROOT = join(__dirname, "..", "..");

/** A clean stack: azurerm backend with Entra ID, references only, a container mounting /tmp. */
function cleanStack(): Record<string, unknown> {
  return {
    terraform: {
      backend: {
        azurerm: {
          storage_account_name: "altinnfleettfstate01",
          container_name: "tfstate-tt02",
          key: "apps-ttd-tt02.tfstate",
          use_azuread_auth: true,
          use_oidc: true,
        },
      },
    },
    resource: {
      azurerm_storage_account: { data: { name: "ttdaltinntt02strg01", shared_access_key_enabled: false } },
      kubernetes_deployment_v1: {
        app: {
          spec: {
            template: {
              spec: {
                container: [
                  {
                    name: "app",
                    image: "ghcr.io/altinn/app:1.0.0",
                    env: [
                      { name: "HOME", value: "/tmp" },
                      { name: "CACHE_DIR", value: "/tmp/cache" },
                      {
                        name: "DB_PASSWORD",
                        value_from: { secret_key_ref: { name: "db", key: "password" } },
                      },
                    ],
                    volume_mount: [{ name: "tmp", mount_path: "/tmp" }],
                  },
                ],
              },
            },
          },
        },
      },
      azurerm_key_vault_secret: {
        conn: { name: "conn", value: `\${azurerm_storage_account.data.primary_connection_string}` },
      },
    },
    output: {
      client_id: { value: `\${azurerm_user_assigned_identity.i.client_id}` },
      storage_connection: {
        value: `\${azurerm_storage_account.data.primary_connection_string}`,
        sensitive: true,
      },
    },
  };
}

function outDir(stacks: Record<string, Record<string, unknown>>): string {
  const dir = mkdtempSync(join(tmpdir(), "scan-fixture-"));
  const manifest: Record<string, unknown> = { version: "stubbed", stacks: {} };
  for (const [id, config] of Object.entries(stacks)) {
    mkdirSync(join(dir, "stacks", id), { recursive: true });
    writeFileSync(join(dir, "stacks", id, "cdk.tf.json"), JSON.stringify(config, null, 2));
    (manifest.stacks as Record<string, unknown>)[id] = {
      name: id,
      workingDirectory: `stacks/${id}`,
      synthesizedStackPath: `stacks/${id}/cdk.tf.json`,
    };
  }
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return dir;
}

function scan(config: Record<string, unknown>): ScanFinding[] {
  return scanOutputDir(outDir({ "apps-ttd-tt02": config }), { repoRoot: REPO_ROOT });
}

function planted(path: readonly string[], value: unknown): Record<string, unknown> {
  const config = cleanStack();
  let at: Record<string, unknown> = config;
  for (const key of path.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]!] = value;
  return config;
}

const STORAGE_KEY = `${"Zm9vYmFy".repeat(10)}AbCdEf==`;
const CLIENT_SECRET = "abc8Q~Zx0123456789abcdefghijklmnopqrstuv";

describe("a clean output passes", () => {
  test("references, Entra ID backends, sensitive outputs and container paths are fine", () => {
    expect(formatScanFindings(scan(cleanStack()))).toBe("");
  });
});

describe("fails on a planted secret, naming the file and the JSON path", () => {
  test("a storage account key in a container's environment", () => {
    const config = cleanStack();
    const container = (config.resource as any).kubernetes_deployment_v1.app.spec.template.spec.container[0];
    container.env.push({ name: "STORAGE", value: STORAGE_KEY });
    expect(scan(config)).toEqual([
      {
        file: "stacks/apps-ttd-tt02/cdk.tf.json",
        jsonPath: "resource.kubernetes_deployment_v1.app.spec.template.spec.container[0].env[3].value",
        check: "secret",
        message: "looks like an Azure account key (88-character base64)",
      },
    ]);
  });

  test.each([
    [
      "a connection string with an account key",
      `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${STORAGE_KEY}`,
    ],
    ["a SAS token", "https://x.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=AbCdEfGhIjKlMnOpQrStUv%3D"],
    [
      "an instrumentation key",
      "InstrumentationKey=0f6b3a52-8a7e-4c1b-9b2e-5f3c2d1a0e9f;IngestionEndpoint=https://x",
    ],
    ["a PEM private key", "-----BEGIN RSA PRIVATE KEY-----\nMIIE...\n-----END RSA PRIVATE KEY-----"],
    ["an Entra client secret", CLIENT_SECRET],
    ["a JWT", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJlc2lnbmF0dXJl"],
    ["a connection string password", "Server=db;Database=app;User Id=app;Password=hunter2hunter2;"],
  ])("%s in a resource attribute", (_what, value) => {
    const findings = scan(planted(["resource", "azurerm_app_configuration_key", "k", "value"], value));
    expect(findings.map((f) => [f.file, f.jsonPath, f.check])).toContainEqual([
      "stacks/apps-ttd-tt02/cdk.tf.json",
      "resource.azurerm_app_configuration_key.k.value",
      "secret",
    ]);
  });

  test("a literal password, client secret or key attribute", () => {
    const findings = scan(
      planted(["resource", "azurerm_postgresql_flexible_server", "pg"], {
        administrator_login: "admin",
        administrator_password: "correct-horse-battery",
      }),
    );
    expect(findings.map((f) => f.jsonPath)).toEqual([
      "resource.azurerm_postgresql_flexible_server.pg.administrator_password",
    ]);
    const provider = scan(planted(["provider"], { azurerm: [{ client_id: "x", client_secret: "plain" }] }));
    expect(provider.map((f) => f.jsonPath)).toEqual(["provider.azurerm[0].client_secret"]);
  });

  test("a literal Key Vault secret value, Kubernetes secret data and Helm set_sensitive value", () => {
    const config = cleanStack();
    const resources = config.resource as Record<string, unknown>;
    resources.azurerm_key_vault_secret = { s: { name: "s", value: "literal" } };
    resources.kubernetes_secret_v1 = { s: { metadata: { name: "s" }, data: { token: "literal" } } };
    resources.helm_release = {
      r: {
        name: "r",
        set_sensitive: [{ name: "auth.username", value: "literal" }],
        set: [{ name: "db.password", value: "x" }],
      },
    };
    expect(
      scan(config)
        .map((f) => f.jsonPath)
        .sort(),
    ).toEqual([
      "resource.azurerm_key_vault_secret.s.value",
      "resource.helm_release.r.set[0].value",
      "resource.helm_release.r.set_sensitive[0].value",
      "resource.kubernetes_secret_v1.s.data.token",
    ]);
  });

  test("a secret in Helm values YAML", () => {
    const config = cleanStack();
    (config.resource as Record<string, unknown>).helm_release = {
      r: { name: "r", values: [`auth:\n  connection: "AccountKey=${STORAGE_KEY}"\n`] },
    };
    expect(scan(config).map((f) => f.jsonPath)).toContain("resource.helm_release.r.values[0]");
  });

  test("a planted secret in the manifest is found too", () => {
    const dir = outDir({ "apps-ttd-tt02": cleanStack() });
    writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: { x: { note: CLIENT_SECRET } } }));
    expect(scanOutputDir(dir).map((f) => [f.file, f.jsonPath])).toEqual([["manifest.json", "stacks.x.note"]]);
  });
});

describe("machine paths", () => {
  test("fails on the repository root and on paths under home or temp outside Kubernetes objects", () => {
    const config = planted(["resource", "null_resource", "x"], {
      triggers: {
        a: `${REPO_ROOT}/cdktf.out`,
        b: join(homedir(), ".azure", "config"),
        c: join(tmpdir(), "cdktf.outdir.123"),
      },
    });
    const findings = scan(config);
    expect(findings.map((f) => [f.jsonPath, f.check])).toEqual([
      ["resource.null_resource.x.triggers.a", "machine-path"],
      ["resource.null_resource.x.triggers.b", "machine-path"],
      ["resource.null_resource.x.triggers.c", "machine-path"],
    ]);
  });

  test("container paths such as /tmp and /tmp/cache inside Kubernetes objects are not machine paths", () => {
    expect(scan(cleanStack()).filter((f) => f.check === "machine-path")).toEqual([]);
  });
});

describe("outputs", () => {
  test.each([
    ["primary_connection_string", `\${azurerm_storage_account.data.primary_connection_string}`],
    ["kube_config", `\${azurerm_kubernetes_cluster.aks.kube_config[0].client_key}`],
    [
      "password",
      `\${random_password.p.result}\${azurerm_postgresql_flexible_server.pg.administrator_password}`,
    ],
    ["value", `\${azurerm_key_vault_secret.s.value}`],
  ])("fails if an output exposes %s without sensitive = true", (attribute, value) => {
    const findings = scan(planted(["output", "leak"], { value }));
    expect(findings).toEqual([
      expect.objectContaining({
        jsonPath: "output.leak",
        check: "sensitive-output",
        message: expect.stringContaining(attribute),
      }),
    ]);
  });
});

describe("backends", () => {
  test("fails if the azurerm backend carries an access key, SAS token or client secret", () => {
    for (const key of ["access_key", "sas_token", "client_secret"]) {
      const findings = scan(planted(["terraform", "backend", "azurerm", key], `\${var.x}`));
      expect(findings.map((f) => [f.jsonPath, f.check])).toContainEqual([
        "terraform.backend.azurerm",
        "backend",
      ]);
    }
  });

  test("fails if the azurerm backend has neither use_azuread_auth nor use_oidc", () => {
    const config = cleanStack();
    const backend = (config.terraform as any).backend.azurerm;
    delete backend.use_azuread_auth;
    delete backend.use_oidc;
    expect(scan(config).map((f) => f.message)).toEqual([
      expect.stringMatching(/neither use_azuread_auth nor use_oidc/),
    ]);
  });

  test("a local backend must have a relative path", () => {
    const relative = scan(
      planted(["terraform", "backend"], { local: { path: "../../../.state/x.tfstate" } }),
    );
    expect(relative).toEqual([]);
    const absolute = scan(planted(["terraform", "backend"], { local: { path: "/var/state/x.tfstate" } }));
    expect(absolute.map((f) => f.message)).toEqual([expect.stringMatching(/is absolute/)]);
    const missing = scan(planted(["terraform", "backend"], { local: {} }));
    expect(missing.map((f) => f.message)).toEqual([expect.stringMatching(/without a path/)]);
  });

  test("remote state reads follow the same rules (they copy the backend settings)", () => {
    const findings = scan(
      planted(["data", "terraform_remote_state", "org"], {
        backend: "azurerm",
        config: { storage_account_name: "x", key: "org.tfstate", access_key: `\${var.k}` },
      }),
    );
    expect(findings.map((f) => f.jsonPath)).toContain("data.terraform_remote_state.org.config");
  });

  test("other backend types are refused", () => {
    expect(scan(planted(["terraform", "backend"], { s3: { bucket: "b" } })).map((f) => f.message)).toEqual([
      'backend "s3" is not allowed; use azurerm (Entra ID / OIDC) or local',
    ]);
  });
});
