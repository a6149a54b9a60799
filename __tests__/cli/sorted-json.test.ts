import { canonicalJson, sortKeys, stableJson } from "../../cli/shared/sorted-json";

describe("sorted JSON", () => {
  test("sorts object keys at every depth in code-unit order and keeps array order", () => {
    const value = { b: [{ z: 1, a: 2 }, 3], a: { "b-": null, B: true, a: "x" } };
    expect(JSON.stringify(sortKeys(value))).toBe('{"a":{"B":true,"a":"x","b-":null},"b":[{"a":2,"z":1},3]}');
    expect(stableJson(value)).toBe(JSON.stringify(sortKeys(value), null, 2));
  });

  test("equal content gives equal bytes whatever order the keys were written in", () => {
    expect(stableJson({ x: 1, y: { q: [2, 1], p: 0 } })).toBe(stableJson({ y: { p: 0, q: [2, 1] }, x: 1 }));
    expect(canonicalJson({ x: 1, y: 2 })).toBe(canonicalJson({ y: 2, x: 1 }));
    expect(canonicalJson({ zones: ["1", "2"] })).not.toBe(canonicalJson({ zones: ["2", "1"] }));
  });
});
