import { type FleetZone, fleetZones, zoneDelegations } from "../../fleet/dns-zones";
import { loadFleet } from "../../fleet/load";
import { planStacks } from "../../stacks/app";
import { COMMITTED_FLEET } from "../../testing/fleet-fixture";
import { committedFleet } from "../../testing/fleet-synth";

const zone = (name: string, stackId: string): FleetZone => ({
  name,
  resourceGroupName: `${stackId}-rg`,
  stackId,
});

describe("zoneDelegations", () => {
  test("the closest fleet zone above a zone delegates it; other zones wait for their parent domain", () => {
    const zones = [
      zone("altinn.studio", "studio-prod"),
      zone("dev.altinn.studio", "studio-dev"),
      zone("a.b.dev.altinn.studio", "deep"),
      zone("ttd.apps.at22.altinn.cloud", "apps-ttd-at22"),
    ];
    const { inFleet, external } = zoneDelegations(zones);
    expect(inFleet.map((d) => [d.child.name, d.parent.stackId, d.recordName])).toEqual([
      ["dev.altinn.studio", "studio-prod", "dev"],
      ["a.b.dev.altinn.studio", "studio-dev", "a.b"],
    ]);
    expect([...external.entries()].map(([d, z]) => [d, z.map((x) => x.name)])).toEqual([
      ["studio", ["altinn.studio"]],
      ["apps.at22.altinn.cloud", ["ttd.apps.at22.altinn.cloud"]],
    ]);
  });
});

describe("the committed fleet's DNS", () => {
  const fleet = committedFleet();

  test("Studio prod's zone delegates dev and staging, whose names its wildcard would otherwise answer", () => {
    const { inFleet } = zoneDelegations(fleetZones(fleet));
    expect(inFleet.map((d) => [d.child.name, d.parent.name, d.parent.stackId])).toEqual([
      ["dev.altinn.studio", "altinn.studio", "studio-prod"],
      ["staging.altinn.studio", "altinn.studio", "studio-prod"],
    ]);
    const studioProd = planStacks(fleet).find((p) => p.id === "studio-prod")!;
    expect(studioProd.dependsOn).toEqual(expect.arrayContaining(["studio-dev", "studio-staging"]));
  });

  test("every zone is delegated by a fleet stack or named in a notice with its parent domain", () => {
    const { external } = zoneDelegations(fleetZones(fleet));
    const n = loadFleet(COMMITTED_FLEET).problems.find(
      (p) =>
        p.severity === "notice" && /zones the fleet creates sit under domains no stack owns/.test(p.message),
    )!;
    // Counted from the fleet, so adding an org (README) keeps this green.
    const zones = [...external.values()].reduce((sum, children) => sum + children.length, 0);
    expect(n.message).toMatch(new RegExp(`^${zones} zones`));
    for (const domain of external.keys()) expect(n.message).toContain(`${domain} (`);
    expect(n.fix).toMatch(/dns_name_servers/);
  });
});
