import {
  addressAt,
  cidrContains,
  cidrsOverlap,
  parseCidr,
  parseIpv4Address,
  parseIpv4Cidr,
  widerBlock,
} from "../../constructs/network/cidr";
import { sourcesMatching } from "../../testing/source-files";

function cidrOf(text: string) {
  const parsed = parseIpv4Cidr(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.cidr;
}

describe("one CIDR module for constructs and the address plan", () => {
  test("a construct refuses host bits, the address plan reads them as unaligned", () => {
    expect(parseIpv4Cidr("10.0.0.5/24")).toEqual({
      ok: false,
      problem: '"10.0.0.5/24" is not a network address; the prefix /24 starts at 10.0.0.0',
    });
    const plan = parseCidr("10.0.0.5/24");
    expect(plan.ok && plan.range.aligned).toBe(false);
    expect(plan.ok && plan.range.network).toBe("10.0.0.0/24");
    expect(parseIpv4Cidr("10.0.0.0")).toEqual({
      ok: false,
      problem: '"10.0.0.0" has no prefix length; write it as a CIDR such as 10.0.0.0/24',
    });
    expect(parseIpv4Cidr("10.0.0.0/33")).toEqual({
      ok: false,
      problem: '"10.0.0.0/33" is not a valid IPv4 CIDR',
    });
  });

  test("overlap and containment agree for both callers", () => {
    expect(cidrsOverlap(cidrOf("10.0.0.0/16"), cidrOf("10.0.4.0/22"))).toBe(true);
    expect(cidrsOverlap(cidrOf("10.0.4.0/22"), cidrOf("10.0.8.0/22"))).toBe(false);
    expect(cidrContains(cidrOf("10.0.0.0/16"), cidrOf("10.0.4.0/22"))).toBe(true);
    expect(cidrContains(cidrOf("10.0.4.0/22"), cidrOf("10.0.0.0/16"))).toBe(false);
    expect(parseIpv4Address("10.0.0.010")).toBeUndefined();
    expect(parseIpv4Address("10.250.0.10")?.correctForm()).toBe("10.250.0.10");
  });

  test("the address plan's helpers: the nth address and the block one bit wider", () => {
    const service = parseCidr("10.250.0.0/16");
    expect(service.ok && addressAt(service.range.start + 10n)).toBe("10.250.0.10");
    expect(widerBlock("10.128.0.0/9")).toBe("10.0.0.0/8");
    expect(widerBlock("0.0.0.0/0")).toBeUndefined();
  });

  test("no other source file does address arithmetic with ip-address itself", () => {
    const users = sourcesMatching(
      ["cli", "bin", "constructs", "fleet", "stacks", "safety", "docs-gen", "testing"],
      // A type-only import names the parsed value; it computes nothing.
      (text) => /^import \{[^}]*\} from "ip-address";/m.test(text),
    );
    expect(users).toEqual(["constructs/network/cidr.ts"]);
  });
});
