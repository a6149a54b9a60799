import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { resolveEnvToken } from "../../cli/shared/env-token";
import { inScope, readManifest } from "../../cli/shared/manifest";
import { REPO_ROOT } from "../../testing/run-cli";
import { tempDir, writeOut } from "./fixtures";

describe("stack metadata instead of stack ids", () => {
  it("selects a scope by stacks.json, whatever the id looks like", () => {
    const out = writeOut(tempDir(), "out", [
      { id: "org-ttd", json: {}, meta: { kind: "org", scope: "shared", org: "ttd" } },
      { id: "services-lab", json: {}, meta: { kind: "services", scope: "shared" } },
      // An id that reads like at22 but whose state lives in prod: the metadata decides.
      { id: "apps-ttd-at22", json: {}, meta: { kind: "apps", scope: "prod", org: "ttd" } },
      { id: "state-scopes", json: {}, meta: { kind: "state", scope: "state" } },
    ]);
    const manifest = readManifest(out);
    const ids = [...manifest.stacks.keys()];
    expect(inScope(ids, "shared", manifest).sort()).toEqual(["org-ttd", "services-lab"]);
    expect(inScope(ids, "prod", manifest)).toEqual(["apps-ttd-at22"]);
    expect(inScope(ids, "at22", manifest)).toEqual([]);
    expect(inScope(ids, "state", manifest)).toEqual(["state-scopes"]);
    expect(inScope(ids, undefined, manifest)).toEqual(ids);
  });

  it("no module outside synth parses a stack id (the old parsers are gone)", () => {
    // Synth (stacks/) names the stacks; everything else reads stacks.json through readManifest.
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith(".ts")) {
          const text = readFileSync(p, "utf8");
          const patterns = [
            /\bparseStackId\b/,
            /\bfilterByEnv\b/,
            /\bstackEnv\b/,
            /\bkindFromId\b/,
            /\bkindOf\(stackId/,
            /id\.split\("-"\)\.(includes|slice)/,
            /id\.split\("-"\)\[0\]/,
            /\.endsWith\("-k8s"\)/,
          ];
          for (const re of patterns) if (re.test(text)) offenders.push(`${relative(REPO_ROOT, p)}: ${re}`);
        }
      }
    };
    for (const d of ["cli", "docs-gen", "safety", "bin"]) walk(join(REPO_ROOT, d));
    expect(offenders).toEqual([]);
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
