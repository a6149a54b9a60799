/**
 * The production Studio pushes app images to every org registry, which have no public endpoint:
 * its stack declares a private endpoint to each, depends on the org stacks it reads, and stops
 * with one clear error when its endpoints subnet cannot hold them all.
 */
import { loadFleet } from "../../fleet/load";
import { planStacks } from "../../stacks/app";
import { ADDRESSES_PER_REGISTRY_ENDPOINT } from "../../stacks/studio-stack";
import { fleetFixture, registryOrg, removeFleetFixtures } from "../../testing/fleet-fixture";
import { committedFleet, synthFleetStacks } from "../../testing/fleet-synth";
import { resourcesOf } from "../../testing/index";

afterAll(removeFleetFixtures);

const registryEndpoints = (id: string) => {
  const synth = synthFleetStacks([id]).get(id)!;
  return Object.values(resourcesOf(synth, "azurerm_private_endpoint")).filter(
    (e) =>
      (e.private_service_connection as { subresource_names: string[] }).subresource_names[0] === "registry",
  );
};

describe("studio-<env> and the org registries", () => {
  test("the production Studio has a private endpoint to every org registry, and depends on the org stacks", () => {
    const fleet = committedFleet();
    const endpoints = registryEndpoints("studio-prod");
    expect(endpoints.map((e) => e.name).sort()).toEqual(
      fleet.orgs.map((o) => `${o.names.registry}-pe`).sort(),
    );
    const studioProd = planStacks(fleet).find((p) => p.id === "studio-prod")!;
    // Every org stack, plus the test Studios whose zones it delegates (fleet/dns-zones.ts).
    expect([...studioProd.dependsOn].sort()).toEqual(
      [...fleet.orgs.map((o) => `org-${o.code}`), "studio-dev", "studio-staging"].sort(),
    );
  });

  test("test Studio environments do not reach the registries", () => {
    expect(registryEndpoints("studio-dev")).toEqual([]);
    expect(planStacks(committedFleet()).find((p) => p.id === "studio-dev")!.dependsOn).toEqual([]);
  });

  test("more registries than the endpoints subnet holds stop synth with one clear error", () => {
    const dir = fleetFixture({
      allocate: true,
      orgs: (doc) => {
        for (let i = 0; i < 60; i++) doc.orgs[`zz${i}`] = registryOrg(["at22"]);
      },
    });
    const { fleet } = loadFleet(dir);
    expect(fleet).toBeDefined();
    // Counted from the fleet, so adding an org (README) keeps this green.
    const registries = fleet!.orgs.length;
    expect(() => synthFleetStacks(["studio-prod"], fleet!)).toThrow(
      new RegExp(
        `${registries} org registries need ${registries * ADDRESSES_PER_REGISTRY_ENDPOINT} addresses for Studio's private endpoints.*Fix: `,
      ),
    );
  });
});
