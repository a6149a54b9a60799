import { toMermaid } from "../../docs-gen/diagram";
import { environmentDiagram, familyOf, type StackInfo } from "../../docs-gen/stack-graph";

const ORGS = ["ttd", "skd", "nav", "dat", "digdir", "brg", "buf", "dibk", "dsb", "fd"];

/** org-<org> (shared), apps-<org>-<env> and apps-<org>-<env>-k8s for each org, plus a platform stack. */
function fleetStacks(env: string, orgs: readonly string[]): StackInfo[] {
  return [
    { id: `platform-${env}`, kind: "platform", environment: env, dependencies: [] },
    ...orgs.flatMap((o) => [
      { id: `org-${o}`, kind: "org", environment: "shared", org: o, dependencies: [] },
      {
        id: `apps-${o}-${env}`,
        kind: "apps",
        environment: env,
        org: o,
        dependencies: [`org-${o}`, `platform-${env}`],
      },
      {
        id: `apps-${o}-${env}-k8s`,
        kind: "apps-k8s",
        environment: env,
        org: o,
        dependencies: [`apps-${o}-${env}`],
      },
    ]),
  ];
}

describe("familyOf", () => {
  test("replace the org in an id with a placeholder", () => {
    expect(familyOf("apps-ttd-prod-k8s", "ttd")).toBe("apps-{org}-prod-k8s");
    expect(familyOf("org-ttd", "ttd")).toBe("org-{org}");
  });
});

describe("environmentDiagram", () => {
  test("draws one row per org, with shared stacks dashed, when there are few orgs", () => {
    const d = environmentDiagram("yt01", fleetStacks("yt01", ["ttd", "skd"]));
    expect(d.groups.map((g) => g.label)).toEqual([["org skd"], ["org ttd"]]);
    expect(d.groups[1]!.nodes).toEqual(["s_org_ttd", "s_apps_ttd_yt01", "s_apps_ttd_yt01_k8s"]);
    expect(d.nodes.find((n) => n.id === "s_org_ttd")).toMatchObject({ style: "external-stack" });
    expect(d.nodes.find((n) => n.id === "s_platform_yt01")).toMatchObject({ style: "stack" });
    expect(d.edges).toContainEqual({ from: "s_org_ttd", to: "s_apps_ttd_yt01", style: "solid" });
    expect(d.edges).toContainEqual({ from: "s_platform_yt01", to: "s_apps_skd_yt01", style: "solid" });
  });

  test("draws one node per kind of per-org stack when there are many orgs", () => {
    const d = environmentDiagram("prod", fleetStacks("prod", ORGS));
    expect(d.groups).toEqual([]);
    expect(d.nodes.map((n) => n.lines[0])).toEqual([
      "apps-{org}-prod",
      "apps-{org}-prod-k8s",
      "org-{org}",
      "platform-prod",
      "10 orgs",
    ]);
    expect(d.nodes[0]!.lines[1]).toBe("apps: 10 stacks, one per org");
    // Every apps stack depends on the platform: no label needed.
    expect(d.edges).toContainEqual({ from: "s_platform_prod", to: "s_apps_org_prod", style: "solid" });
  });

  test("labels a collapsed dependency that not every org's stack has", () => {
    const stacks = fleetStacks("prod", ORGS).map((s) =>
      s.id === "apps-ttd-prod-k8s" ? { ...s, dependencies: [...s.dependencies, "platform-prod"] } : s,
    );
    const d = environmentDiagram("prod", stacks);
    expect(d.edges).toContainEqual({
      from: "s_platform_prod",
      to: "s_apps_org_prod_k8s",
      style: "solid",
      label: "1 of 10",
    });
  });

  test("renders as Mermaid without syntax Mermaid reserves in ids", () => {
    const text = toMermaid(environmentDiagram("prod", fleetStacks("prod", ORGS)));
    expect(text).toContain('s_apps_org_prod["apps-{org}-prod<br/>apps: 10 stacks, one per org"]:::stack');
    for (const line of text.split("\n").filter((l) => l.includes("-->"))) {
      expect(line).toMatch(/^ {2}s_[A-Za-z0-9_]+ -->(\|"[^"]*"\|)? s_[A-Za-z0-9_]+$/);
    }
  });
});
