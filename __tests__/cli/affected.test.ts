import { compareOutputs } from "../../cli/affected/affected";
import { main } from "../../cli/affected/command";
import type { JsonObject } from "../../cli/shared/json";
import { SynthOutput } from "../../cli/shared/synth-output";
import { captureIO, type FixtureStack, stackJson, tempDir, writeOut } from "./fixtures";

const rg = (name: string): Record<string, Record<string, JsonObject>> => ({
  azurerm_resource_group: { rg: { name, location: "norwayeast" } },
});

/** org → apps → apps-k8s for two orgs in at22, plus a platform stack and a prod apps stack. */
function fleet(changes: { [id: string]: JsonObject | null } = {}): FixtureStack[] {
  const base: FixtureStack[] = [
    { id: "org-ttd", json: stackJson("org-ttd", rg("ttd-rg")) },
    { id: "org-brg", json: stackJson("org-brg", rg("brg-rg")) },
    {
      id: "apps-ttd-at22",
      deps: ["org-ttd"],
      json: stackJson("apps-ttd-at22", rg("altinnapps-ttd-at22-rg")),
    },
    { id: "apps-ttd-at22-k8s", deps: ["apps-ttd-at22"], json: stackJson("apps-ttd-at22-k8s", {}) },
    {
      id: "apps-brg-at22",
      deps: ["org-brg"],
      json: stackJson("apps-brg-at22", rg("altinnapps-brg-at22-rg")),
    },
    { id: "apps-brg-at22-k8s", deps: ["apps-brg-at22"], json: stackJson("apps-brg-at22-k8s", {}) },
    {
      id: "apps-ttd-prod",
      deps: ["org-ttd"],
      json: stackJson("apps-ttd-prod", rg("altinnapps-ttd-prod-rg")),
    },
    { id: "platform-at22", json: stackJson("platform-at22", rg("platform-at22-rg")) },
  ];
  const out = base
    .filter((s) => changes[s.id] !== null)
    .map((s) => (changes[s.id] ? { ...s, json: changes[s.id]! } : s));
  for (const [id, json] of Object.entries(changes)) {
    if (json !== null && !base.some((s) => s.id === id)) out.push({ id, json });
  }
  return out;
}

function outputs(changes: { [id: string]: JsonObject | null }, headDeps: Record<string, string[]> = {}) {
  const root = tempDir();
  const baseDir = writeOut(root, "base.out", fleet());
  const headStacks = fleet(changes).map((s) => (headDeps[s.id] ? { ...s, deps: headDeps[s.id] } : s));
  const headDir = writeOut(root, "head.out", headStacks);
  return { root, baseDir, headDir, base: new SynthOutput(baseDir), head: new SynthOutput(headDir) };
}

describe("compareOutputs", () => {
  it("finds nothing when only cdktf metadata and key order differ", () => {
    const json = stackJson("apps-ttd-at22", rg("altinnapps-ttd-at22-rg"));
    const reordered = Object.fromEntries(Object.entries(json).reverse()) as JsonObject;
    reordered["//"] = { metadata: { version: "0.22.0", stackName: "apps-ttd-at22" } };
    const { base, head } = outputs({ "apps-ttd-at22": reordered });
    expect(compareOutputs(base, head).all).toEqual([]);
  });

  it("lists a changed stack and its transitive dependents in dependency order", () => {
    const { base, head } = outputs({ "org-ttd": stackJson("org-ttd", rg("ttd-rg-2")) });
    const r = compareOutputs(base, head);
    expect(r.changed).toEqual(["org-ttd"]);
    expect(r.dependents).toEqual(["apps-ttd-at22", "apps-ttd-prod", "apps-ttd-at22-k8s"]);
    expect(r.all).toEqual(["org-ttd", "apps-ttd-at22", "apps-ttd-prod", "apps-ttd-at22-k8s"]);
  });

  it("lists added and removed stacks, and the former dependents of a removed one", () => {
    const { base, head } = outputs(
      { "apps-brg-at22": null, "studio-dev": stackJson("studio-dev", rg("studio-dev-rg")) },
      { "apps-brg-at22-k8s": [] },
    );
    // apps-brg-at22-k8s lost its dependency (its JSON is unchanged in this fixture).
    const r = compareOutputs(base, head);
    expect(r.added).toEqual(["studio-dev"]);
    expect(r.changed).toEqual(["studio-dev"]);
    expect(r.removed).toEqual(["apps-brg-at22"]);
    expect(r.dependents).toEqual(["apps-brg-at22-k8s"]);
    // Head's edges order head stacks (apps-brg-at22-k8s now depends on nothing); base's order removed ones.
    expect(r.all).toEqual(["apps-brg-at22-k8s", "studio-dev", "apps-brg-at22"]);
  });

  it("filters to one environment, org stacks being in shared", () => {
    const { base, head } = outputs({ "org-ttd": stackJson("org-ttd", rg("ttd-rg-2")) });
    expect(compareOutputs(base, head, { env: "at22" }).all).toEqual(["apps-ttd-at22", "apps-ttd-at22-k8s"]);
    expect(compareOutputs(base, head, { env: "prod" }).all).toEqual(["apps-ttd-prod"]);
    expect(compareOutputs(base, head, { env: "shared" }).all).toEqual(["org-ttd"]);
  });
});

describe("npm run affected", () => {
  it("prints one stack id per line, in dependency order", async () => {
    const { root, baseDir, headDir } = outputs({
      "apps-ttd-at22": stackJson("apps-ttd-at22", rg("renamed-rg")),
    });
    const io = captureIO(root);
    const code = await main(["--base-out", baseDir, "--head-out", headDir], io);
    expect(code).toBe(0);
    expect(io.stdout()).toBe("apps-ttd-at22\napps-ttd-at22-k8s\n");
    expect(io.stderr()).toContain("2 stack(s) affected");
  });

  it("prints a JSON object with --json", async () => {
    const { root, baseDir, headDir } = outputs({ "platform-at22": null });
    const io = captureIO(root);
    expect(
      await main(["--base-out", baseDir, "--head-out", headDir, "--json", "--base", "origin/main"], io),
    ).toBe(0);
    expect(JSON.parse(io.stdout())).toEqual({
      base: "origin/main",
      changed: [],
      added: [],
      removed: ["platform-at22"],
      dependents: [],
      all: ["platform-at22"],
    });
  });

  it("translates --env production to the prod token", async () => {
    const { root, baseDir, headDir } = outputs({ "org-ttd": stackJson("org-ttd", rg("x")) });
    const io = captureIO(root, undefined, { FLEET_DIR: `${__dirname}/../../environments` });
    expect(await main(["--base-out", baseDir, "--head-out", headDir, "--env", "production"], io)).toBe(0);
    expect(io.stdout()).toBe("apps-ttd-prod\n");
  });

  it("fails with exit 1 without a base", async () => {
    const io = captureIO(tempDir());
    expect(await main([], io)).toBe(1);
    expect(io.stderr()).toContain("give --base");
  });

  it("fails with exit 1 on an unknown option", async () => {
    const io = captureIO(tempDir());
    expect(await main(["--bogus"], io)).toBe(1);
    expect(io.stderr()).toContain("unknown option");
  });

  it("prints its help with exit 0", async () => {
    const io = captureIO(tempDir());
    expect(await main(["--help"], io)).toBe(0);
    expect(io.stdout()).toContain("Exit codes");
  });
});
