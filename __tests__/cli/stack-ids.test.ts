import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { filterByEnv, parseStackId, resolveEnvToken } from "../../cli/stack-ids";
import { tempDir } from "./fixtures";

describe("parseStackId", () => {
  it.each([
    ["org-ttd", { kind: "org", org: "ttd", env: "shared" }],
    ["apps-ttd-at22", { kind: "apps", org: "ttd", env: "at22" }],
    ["apps-ttd-prod-k8s", { kind: "apps-k8s", org: "ttd", env: "prod" }],
    ["apps-acme-corp-tt02", { kind: "apps", org: "acme-corp", env: "tt02" }],
    ["platform-at22", { kind: "platform", env: "at22" }],
    ["platform-prod-k8s", { kind: "platform-k8s", env: "prod" }],
    ["studio-staging", { kind: "studio", env: "staging" }],
    ["studio-dev-k8s", { kind: "studio-k8s", env: "dev" }],
    ["bootstrap-state", { kind: "bootstrap" }],
    ["state-scopes", { kind: "state", env: "state" }],
    ["state-other", { kind: "other" }],
    ["state-scopes-k8s", { kind: "other" }],
    ["something-else", { kind: "other" }],
    ["apps-ttd", { kind: "other" }],
  ])("%s", (id, parts) => {
    expect(parseStackId(id)).toEqual(parts);
  });
});

describe("filterByEnv", () => {
  const ids = [
    "org-ttd",
    "apps-ttd-at22",
    "apps-ttd-at22-k8s",
    "apps-ttd-prod",
    "platform-at22-k8s",
    "bootstrap-x",
    "state-scopes",
  ];

  it("keeps the stacks of one environment token", () => {
    expect(filterByEnv(ids, "at22")).toEqual(["apps-ttd-at22", "apps-ttd-at22-k8s", "platform-at22-k8s"]);
  });

  it("puts org stacks in shared", () => {
    expect(filterByEnv(ids, "shared")).toEqual(["org-ttd"]);
  });

  it("puts the state containers' stack in state", () => {
    expect(filterByEnv(ids, "state")).toEqual(["state-scopes"]);
  });

  it("keeps everything without an environment", () => {
    expect(filterByEnv(ids, undefined)).toEqual(ids);
  });
});

describe("resolveEnvToken", () => {
  it("translates a registry name through nameTokens of fleet.yaml", () => {
    const dir = tempDir();
    mkdirSync(join(dir, "environments"));
    writeFileSync(join(dir, "environments", "fleet.yaml"), "nameTokens:\n  production: prod\n");
    expect(resolveEnvToken("production", dir, undefined)).toBe("prod");
    expect(resolveEnvToken("at22", dir, undefined)).toBe("at22");
  });

  it("honours FLEET_DIR and keeps the token when there is no fleet.yaml", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "fleet.yaml"), "nameTokens:\n  production: prd\n");
    expect(resolveEnvToken("production", "/", dir)).toBe("prd");
    expect(resolveEnvToken("production", tempDir(), undefined)).toBe("production");
  });
});
