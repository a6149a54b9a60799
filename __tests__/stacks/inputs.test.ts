/**
 * Issue 15: every stack is built from a view of the fleet (stacks/inputs.ts), and its input hash
 * decides whether earlier output is reused. These tests prove that the views lose nothing a
 * stack reads, that the hash follows content, and that a code change invalidates the cache.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildSync } from "esbuild";
import { loadFleet } from "../../fleet/load";
import type { Fleet } from "../../fleet/model";
import { CODE_ENTRY_POINTS, codeFiles, codeHash } from "../../stacks/code-hash";
import { contentHash } from "../../stacks/inputs";
import { readStackMetadata } from "../../stacks/metadata";
import { currentOutput, synthFleet } from "../../stacks/synth-fleet";
import { committedFleet } from "../../testing/fleet-synth";
import { treeHash } from "../../testing/tree-hash";
import { tempDir } from "../cli/fixtures";

const ROOT = join(__dirname, "..", "..");

function load(dir: string): Fleet {
  const { fleet, problems } = loadFleet(dir);
  if (!fleet) throw new Error(problems.map((p) => p.message).join("\n"));
  return fleet;
}

describe("views", () => {
  // Every kind of stack, Studio production (reads every org) and the clusters whose zones
  // others delegate; examples/all-services for the services selections and services-* stacks.
  const cases: [string, () => Fleet, string[]][] = [
    [
      "committed fleet",
      committedFleet,
      ["bootstrap-state", "state-scopes", "apps-ttd-*", "apps-skd-prod*", "platform-tt02*", "studio-*"],
    ],
    ["examples/all-services", () => load(join(ROOT, "examples", "all-services")), []],
  ];
  test.each(cases)(
    "building from the views gives the same output as building from the whole fleet (%s)",
    (_, fleet, select) => {
      const fromViews = join(tempDir("stack-inputs-"), "out");
      const fromWhole = join(tempDir("stack-inputs-"), "out");
      synthFleet(fleet(), { outdir: fromViews, select });
      synthFleet(fleet(), { outdir: fromWhole, select, wholeFleet: true });
      // stacks.json differs only in the input hashes; the manifest and every stack are the same.
      rmSync(join(fromViews, "stacks.json"));
      rmSync(join(fromWhole, "stacks.json"));
      expect(treeHash(fromViews)).toBe(treeHash(fromWhole));
    },
  );
});

describe("contentHash", () => {
  test("follows content, not key order or identity", () => {
    expect(contentHash({ a: 1, b: [1, "x"], m: new Map([["k", { z: null }]]) })).toBe(
      contentHash({ m: new Map([["k", { z: null }]]), b: [1, "x"], a: 1 }),
    );
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
    expect(contentHash({ a: "1" })).not.toBe(contentHash({ a: 1 }));
    expect(contentHash([1, 2])).not.toBe(contentHash([2, 1]));
    expect(contentHash({ a: undefined })).toBe(contentHash({}));
  });
  test("refuses what is not data", () => {
    expect(() => contentHash({ f: () => 1 })).toThrow(/stack inputs are data/);
    expect(() => contentHash({ d: new Date(0) })).toThrow(/plain data/);
  });
});

describe("code hash", () => {
  test("covers every project file esbuild bundles for the synthesis", () => {
    const { metafile } = buildSync({
      entryPoints: CODE_ENTRY_POINTS.map((e) => join(ROOT, e)),
      bundle: true,
      write: false,
      platform: "node",
      packages: "external",
      metafile: true,
      outdir: tempDir("stack-inputs-"),
      logLevel: "silent",
    });
    const bundled = Object.keys(metafile.inputs).map((p) => p.replace(/\\/g, "/"));
    const covered = new Set(codeFiles(ROOT).keys());
    expect(bundled.length).toBeGreaterThan(50);
    expect(bundled.filter((f) => !covered.has(f))).toEqual([]);
    expect(covered.has("package-lock.json")).toBe(true);
  });

  test("a code change invalidates the cached output of the stacks that use it", () => {
    // A copy of the code the synthesis loads: same files, same hash; a construct changed, another.
    const copy = tempDir("stack-inputs-");
    for (const file of [...codeFiles(ROOT).keys()]) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      cpSync(join(ROOT, file), join(copy, file));
    }
    expect(codeHash(copy)).toBe(codeHash(ROOT));
    const construct = join(copy, "constructs", "registry", "index.ts");
    writeFileSync(construct, `${readFileSync(construct, "utf8")}\n// changed\n`);
    const changed = tempDir("stack-inputs-");
    cpSync(copy, changed, { recursive: true });
    expect(codeHash(changed)).not.toBe(codeHash(ROOT));
    // A file the synthesis does not load changes nothing.
    writeFileSync(join(copy, "unrelated.ts"), "export const x = 1;\n");
    expect(codeFiles(copy).has("unrelated.ts")).toBe(false);

    const fleet = load(join(ROOT, "examples", "all-services"));
    const first = join(tempDir("stack-inputs-"), "out");
    synthFleet(fleet, { outdir: first, codeHash: codeHash(ROOT) });
    const clean = treeHash(first);
    // What `terraform init` leaves in a stack's directory is not carried into the next output.
    const stackDir = join(first, "stacks", "bootstrap-state");
    mkdirSync(join(stackDir, ".terraform", "providers"), { recursive: true });
    writeFileSync(join(stackDir, ".terraform", "providers", "p"), "binary\n");
    writeFileSync(join(stackDir, ".terraform.lock.hcl"), "lock\n");
    const same = join(tempDir("stack-inputs-"), "out");
    const again = synthFleet(fleet, { outdir: same, codeHash: codeHash(ROOT), cacheFrom: first });
    expect(again.reused.length).toBe(again.planned.length);
    expect(treeHash(same)).toBe(clean);

    // Every stack loads the changed construct's module (the code hash is one for all stacks), so none is reused.
    const rebuilt = join(tempDir("stack-inputs-"), "out");
    const after = synthFleet(fleet, { outdir: rebuilt, codeHash: codeHash(changed), cacheFrom: first });
    expect(after.reused).toEqual([]);
    const before = readStackMetadata(first)!;
    for (const [id, m] of readStackMetadata(rebuilt)!)
      expect(m.inputHash).not.toBe(before.get(id)!.inputHash);
  });

  test("one org's changed settings invalidate that org's stacks and the stacks that read them, nothing else", () => {
    const fleet = load(join(ROOT, "examples", "all-services"));
    const out = join(tempDir("stack-inputs-"), "out");
    const first = synthFleet(fleet, { outdir: out });
    const org = fleet.apps[0]!.org.code;
    const changed: Fleet = {
      ...fleet,
      apps: fleet.apps.map((a) =>
        a.org.code === org
          ? { ...a, settings: { ...a.settings, ingress: { replicas: a.settings.ingress.replicas + 1 } } }
          : a,
      ),
    };
    const second = synthFleet(changed, { outdir: join(tempDir("stack-inputs-"), "out"), cacheFrom: out });
    const rebuilt = second.planned.map((p) => p.id).filter((id) => !second.reused.includes(id));
    const differs = [...second.inputHashes]
      .filter(([id, h]) => first.inputHashes.get(id) !== h)
      .map(([id]) => id);
    expect(rebuilt.sort()).toEqual(differs.sort());
    expect(rebuilt).toEqual(
      expect.arrayContaining(
        fleet.apps.filter((a) => a.org.code === org).map((a) => `apps-${org}-${a.environment.token}`),
      ),
    );
    expect(rebuilt).not.toContain(`org-${org}`);
    // npm run synth leaves an output that is already current as it is, and only such an output.
    expect(currentOutput(fleet, out, "azurerm")?.length).toBe(first.planned.length);
    expect(currentOutput(changed, out, "azurerm")).toBeUndefined();
    expect(currentOutput(fleet, out, "local")).toBeUndefined();
    writeFileSync(
      join(out, "stacks.json"),
      readFileSync(join(out, "stacks.json"), "utf8").replace("apps", "x"),
    );
    expect(currentOutput(fleet, out, "azurerm")).toBeUndefined();
    expect(rebuilt.every((id) => id.includes(`-${org}-`) || id === "bootstrap-state")).toBe(true);
  });
});
