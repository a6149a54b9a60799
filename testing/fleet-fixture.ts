/**
 * Builds a throwaway fleet directory from the committed one (environments/), with changes made
 * to the parsed files or their raw text, for tests of loading and validation.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { ADDRESS_PLAN_FILE, allocate, loadAddressPlan, renderAddressPlan } from "../fleet/address-plan";
import { loadFleet } from "../fleet/load";

export const COMMITTED_FLEET = join(__dirname, "..", "environments");

type Json = Record<string, unknown>;

export interface FleetFixtureChanges {
  /** Change the parsed altinn-orgs.json (`{ orgs: {...} }`). */
  readonly orgs?: (doc: { orgs: Record<string, Json & { environments: string[]; orgnr: string }> }) => void;
  /** Change the parsed environments.json. */
  readonly environments?: (doc: { environments: Json[] }) => void;
  /** Change the parsed fleet.yaml. */
  readonly settings?: (doc: Json & Record<string, Json>) => void;
  /** Change the parsed address-plan.yaml (`{ allocations: {...} }`). */
  readonly addressPlan?: (doc: { allocations: Record<string, string> }) => void;
  /** Replace a file's text outright (applied after the parsed changes). */
  readonly raw?: Readonly<Record<string, (text: string) => string>>;
  /** Give new clusters address blocks, as `npm run allocate` would. */
  readonly allocate?: boolean;
}

const created: string[] = [];

/** Removes every fixture directory this process made (called after each test file). */
export function removeFleetFixtures(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export function fleetFixture(changes: FleetFixtureChanges = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "fleet-fixture-"));
  created.push(dir);
  cpSync(COMMITTED_FLEET, dir, { recursive: true });
  const edit = <T>(file: string, format: "json" | "yaml", fn: ((doc: T) => void) | undefined) => {
    if (!fn) return;
    const path = join(dir, file);
    const doc = (
      format === "json" ? JSON.parse(readFileSync(path, "utf8")) : parse(readFileSync(path, "utf8"))
    ) as T;
    fn(doc);
    writeFileSync(path, format === "json" ? `${JSON.stringify(doc, null, 4)}\n` : stringify(doc));
  };
  edit("altinn-orgs.json", "json", changes.orgs);
  edit("environments.json", "json", changes.environments);
  edit("fleet.yaml", "yaml", changes.settings);
  for (const [file, fn] of Object.entries(changes.raw ?? {})) {
    const path = join(dir, file);
    writeFileSync(path, fn(readFileSync(path, "utf8")));
  }
  if (changes.allocate) {
    const { addressing } = loadFleet(dir);
    if (!addressing) throw new Error("fixture: the fleet cannot be read far enough to allocate");
    const planPath = join(dir, ADDRESS_PLAN_FILE);
    const current = loadAddressPlan(planPath).allocations;
    const { allocations } = allocate(addressing.settings, current, addressing.clusterKeys);
    writeFileSync(planPath, renderAddressPlan(allocations));
  }
  // Last, so a deliberately broken plan is not "repaired" by the allocation above.
  edit("address-plan.yaml", "yaml", changes.addressPlan);
  return dir;
}

/** A minimal registry entry for a new org. */
export function registryOrg(
  environments: string[],
  orgnr = "123456789",
): Json & {
  environments: string[];
  orgnr: string;
} {
  return { name: { en: "Test org", nb: "Test org", nn: "Test org" }, orgnr, environments };
}
