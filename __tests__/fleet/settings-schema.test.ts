/**
 * The settings schema is defined once (fleet/schemas/fleet-settings.ts, TypeBox): the JSON
 * Schema editors read (docs/fleet-settings.schema.json) is generated from it, and its enum sets
 * are the constructs' own.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";
import { AKS_SKU_TIERS, NODE_OS_UPGRADE_CHANNELS } from "../../constructs/cluster/aks-cluster";
import { POSTGRES_VERSIONS } from "../../constructs/database/postgres-flexible-server";
import { SERVICE_NAMES } from "../../constructs/services/service-names";
import { STORAGE_REPLICATIONS } from "../../constructs/storage/hardened-storage-account";
import { loadFleet } from "../../fleet/load";
import { fleetSettingsSchema, fleetSettingsSchemaJson } from "../../fleet/schemas/fleet-settings";
import { COMMITTED_FLEET, fleetFixture } from "../../testing/fleet-fixture";

const ROOT = join(__dirname, "..", "..");
const SCHEMA_FILE = join(ROOT, "docs", "fleet-settings.schema.json");

/** Validates like an editor does: the committed file alone, no project code. */
function editorValidator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")));
}

describe("docs/fleet-settings.schema.json", () => {
  test("is generated from the schema in fleet/schemas/fleet-settings.ts (regenerate with npm run docs)", () => {
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(fleetSettingsSchemaJson());
  });

  test("is the schema fleet.yaml names for editors, by a path that resolves", () => {
    const text = readFileSync(join(COMMITTED_FLEET, "fleet.yaml"), "utf8");
    const modeline = /^# yaml-language-server: \$schema=(\S+)$/m.exec(text);
    expect(modeline).not.toBeNull();
    expect(join(COMMITTED_FLEET, modeline![1]!)).toBe(SCHEMA_FILE);
  });

  test("accepts the committed fleet.yaml and the example fleet's", () => {
    const validate = editorValidator();
    for (const dir of [COMMITTED_FLEET, join(ROOT, "examples", "all-services")]) {
      const ok = validate(parse(readFileSync(join(dir, "fleet.yaml"), "utf8")));
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  test("refuses what the loader refuses, at the same field", () => {
    const dir = fleetFixture({
      settings: (s) => {
        (s.environmentClasses!.test as { skuTier: string }).skuTier = "Gold";
      },
    });
    const validate = editorValidator();
    expect(validate(parse(readFileSync(join(dir, "fleet.yaml"), "utf8")))).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain("/environmentClasses/test/skuTier");
    const loaded = loadFleet(dir).problems.filter((p) => p.severity === "error");
    expect(loaded.map((p) => p.field)).toEqual(["environmentClasses.test.skuTier"]);
  });
});

describe("the settings schema's enum sets", () => {
  const cluster = fleetSettingsSchema.definitions.clusterSettings.properties;

  const enumOf = (schema: unknown) => (schema as { enum: unknown }).enum;

  test("are the constructs' own", () => {
    expect(enumOf(cluster.skuTier)).toEqual([...AKS_SKU_TIERS]);
    expect(enumOf(cluster.nodeOsUpgradeChannel)).toEqual([...NODE_OS_UPGRADE_CHANNELS]);
    expect(enumOf(cluster.storage.properties.replication)).toEqual([...STORAGE_REPLICATIONS]);
    expect(enumOf(fleetSettingsSchema.definitions.postgres.properties.version)).toEqual([
      ...POSTGRES_VERSIONS,
    ]);
  });

  test("name every supporting service the bundle can switch on, and no other", () => {
    const validate = editorValidator();
    const doc = parse(readFileSync(join(COMMITTED_FLEET, "fleet.yaml"), "utf8"));
    for (const name of SERVICE_NAMES) {
      expect(validate({ ...doc, services: { clusters: { "apps-ttd-tt02": { [name]: true } } } })).toBe(true);
    }
    expect(validate({ ...doc, services: { clusters: { "apps-ttd-tt02": { mongodb: true } } } })).toBe(false);
  });
});
