/** How rules see a resource's synthesized attributes. */
import { ResourceView, UNKNOWN } from "../../constructs/policy";

const ref = (what: string) => `\${${what}}`;

describe("ResourceView", () => {
  test("follows single blocks written as objects or as one-element lists", () => {
    for (const rules of [{ default_action: "Deny" }, [{ default_action: "Deny" }]]) {
      expect(
        new ResourceView("azurerm_storage_account", { network_rules: rules }).str(
          "network_rules.default_action",
        ),
      ).toBe("Deny");
    }
  });

  test("returns list blocks as views, each reading on from its own path", () => {
    const paths: string[] = [];
    const r = new ResourceView("t", { rule: [{ verbs: ["get"] }, { verbs: ["*"] }] }, "", (p) =>
      paths.push(p),
    );
    const blocks = r.blocks("rule");
    expect(blocks === UNKNOWN ? [] : blocks.map((b) => b.list("verbs"))).toEqual([["get"], ["*"]]);
    expect(paths).toEqual(["rule", "rule.verbs", "rule.verbs"]);
  });

  test("reports references as UNKNOWN, also through blocks, and gives the reference text on request", () => {
    const r = new ResourceView("t", {
      flag: ref("var.flag"),
      block: ref("local.block"),
      list: [ref("var.a"), "b"],
      scope: ref("data.azurerm_subscription.s.id"),
    });
    expect(r.bool("flag")).toBe(UNKNOWN);
    expect(r.str("block.inner")).toBe(UNKNOWN);
    expect(r.blocks("block")).toBe(UNKNOWN);
    expect(r.list("list")).toEqual([ref("var.a"), "b"]);
    expect(r.reference("scope")).toBe(ref("data.azurerm_subscription.s.id"));
    expect(r.reference("flag.x")).toBeUndefined();
  });

  test("treats dynamic blocks as unknown, not as absent", () => {
    const r = new ResourceView("azurerm_storage_account", {
      dynamic: { network_rules: { for_each: ref("var.rules"), content: { default_action: "Deny" } } },
    });
    expect(r.str("network_rules.default_action")).toBe(UNKNOWN);
    expect(r.blocks("network_rules")).toBe(UNKNOWN);
  });

  test("converts Terraform's string forms of booleans and numbers", () => {
    const r = new ResourceView("t", { a: "true", b: "false", n: "110", s: 5 });
    expect([r.bool("a"), r.bool("b"), r.num("n"), r.str("s")]).toEqual([true, false, 110, "5"]);
  });
});
