import { parse } from "yaml";
import { mergeValues, resourcesProblem, toValuesYaml } from "../../constructs/in-cluster";

describe("toValuesYaml", () => {
  test("round-trips through a YAML parser unchanged", () => {
    const values = { a: { b: [1, "two", true] }, c: null, d: "1.20" };
    expect(parse(toValuesYaml(values))).toEqual(values);
  });

  test("double-quotes strings so YAML cannot re-type them", () => {
    expect(toValuesYaml({ ip: "20.1.2.3", version: "1.20", flag: "true" })).toBe(
      'ip: "20.1.2.3"\nversion: "1.20"\nflag: "true"\n',
    );
  });

  test("keeps keys plain for readability", () => {
    expect(toValuesYaml({ "service.beta.kubernetes.io/x": "y" })).toBe('service.beta.kubernetes.io/x: "y"\n');
  });

  test("never folds long lines", () => {
    const long = "x".repeat(200);
    expect(toValuesYaml({ long })).toBe(`long: "${long}"\n`);
  });

  test("writes a shared map twice instead of using an alias", () => {
    const shared = { k: "v" };
    expect(toValuesYaml({ a: shared, b: shared })).toBe('a:\n  k: "v"\nb:\n  k: "v"\n');
  });
});

describe("mergeValues", () => {
  test("merges nested maps key by key", () => {
    expect(mergeValues({ a: { b: 1, c: 2 } }, { a: { c: 3, d: 4 } })).toEqual({ a: { b: 1, c: 3, d: 4 } });
  });

  test("replaces lists instead of concatenating them", () => {
    expect(mergeValues({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });

  test("lets null override a map, as Helm does to remove a default", () => {
    expect(mergeValues({ a: { b: 1 } }, { a: null })).toEqual({ a: null });
  });

  test("returns the base when there is no override", () => {
    const base = { a: 1 };
    expect(mergeValues(base, undefined)).toBe(base);
  });

  test("does not modify its inputs", () => {
    const base = { a: { b: 1 } };
    mergeValues(base, { a: { b: 2 } });
    expect(base).toEqual({ a: { b: 1 } });
  });
});

describe("resourcesProblem", () => {
  test("accepts Kubernetes quantities", () => {
    expect(
      resourcesProblem({ requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1.5", memory: "1Gi" } }),
    ).toBeUndefined();
  });

  test("reports the first malformed quantity with its field", () => {
    expect(
      resourcesProblem({ requests: { cpu: "100m", memory: "128MB" }, limits: { memory: "1Gi" } }),
    ).toMatch(/^resources\.requests\.memory "128MB" is not a Kubernetes quantity/);
  });
});
