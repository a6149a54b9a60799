import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { normalizeTerraformJson, readNormalizedStack } from "../../cli/shared/normalize";
import { canonicalJson } from "../../cli/shared/sorted-json";
import { tempDir } from "./fixtures";

describe("normalizeTerraformJson", () => {
  it("drops cdktf metadata comments at every depth", () => {
    const normalized = normalizeTerraformJson({
      "//": { metadata: { version: "0.21.0", stackName: "org-ttd" } },
      resource: {
        azurerm_resource_group: { rg: { "//": { metadata: { path: "org-ttd/rg" } }, name: "rg" } },
      },
    });
    expect(normalized).toEqual({ resource: { azurerm_resource_group: { rg: { name: "rg" } } } });
  });

  it("sorts keys so that key order never makes two stacks differ", () => {
    const a = normalizeTerraformJson({ b: 1, a: { y: 2, x: [3, { d: 4, c: 5 }] } });
    const b = normalizeTerraformJson({ a: { x: [3, { c: 5, d: 4 }], y: 2 }, b: 1 });
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(Object.keys(a as object)).toEqual(["a", "b"]);
  });

  it("keeps list order, which is meaningful in Terraform", () => {
    expect(canonicalJson(normalizeTerraformJson({ zones: ["1", "2"] }))).not.toBe(
      canonicalJson(normalizeTerraformJson({ zones: ["2", "1"] })),
    );
  });

  it("masks the path of the tree the stack was synthesized in", () => {
    const json = {
      terraform: { backend: { local: { path: "/tmp/fleet-base-x/project/.state/a.tfstate" } } },
    };
    expect(normalizeTerraformJson(json, { treeRoot: "/tmp/fleet-base-x/project" })).toEqual({
      terraform: { backend: { local: { path: "<tree>/.state/a.tfstate" } } },
    });
  });

  it("masks the tree path only as a whole path or path prefix", () => {
    const mask = (v: string) => normalizeTerraformJson({ v }, { treeRoot: "/srv/checkout" });
    expect(mask("/srv/checkout")).toEqual({ v: "<tree>" });
    expect(mask(`\${file("/srv/checkout/x.txt")}`)).toEqual({ v: `\${file("<tree>/x.txt")}` });
    expect(mask("/srv/checkoutline/x")).toEqual({ v: "/srv/checkoutline/x" });
    expect(mask("/other/srv/checkout/x")).toEqual({ v: "/other/srv/checkout/x" });
  });

  it("masks nothing without a tree path", () => {
    expect(normalizeTerraformJson({ v: "/tmp" })).toEqual({ v: "/tmp" });
  });

  it("keeps semantic values unchanged", () => {
    const json = { resource: { t: { n: { count: 2, enabled: false, tags: { a: null } } } } };
    expect(normalizeTerraformJson(json)).toEqual(json);
  });
});

describe("readNormalizedStack", () => {
  it("fails with the file name when the JSON is broken", () => {
    const file = join(tempDir(), "cdk.tf.json");
    writeFileSync(file, "{ not json");
    expect(() => readNormalizedStack(file)).toThrow(file);
  });
});
