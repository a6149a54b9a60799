/**
 * Every rule, on its own: a compliant and a non-compliant configuration each (rule-fixtures.ts),
 * unresolved references never reported as violations, every attribute it reads present in the
 * azurerm/kubernetes/helm schemas the provider bindings were generated from, and complete
 * metadata (sources, why, fix).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ALL_PACKS,
  ALL_RULES,
  isViolation,
  type PolicyRule,
  ResourceView,
  statusOf,
} from "../../constructs/policy";
import { hasAttributePath, resourceSchema } from "./provider-schema";
import { CASE_TYPE, RULE_FIXTURES, type RuleFixture } from "./rule-fixtures";

type Attrs = Record<string, unknown>;

function asList(value: Attrs | readonly Attrs[]): readonly Attrs[] {
  return Array.isArray(value) ? value : [value as Attrs];
}

function typeOf(rule: PolicyRule, fixture: RuleFixture, attrs: Attrs): string {
  return (
    ((attrs as Record<symbol, unknown>)[CASE_TYPE] as string | undefined) ??
    fixture.type ??
    rule.resourceTypes[0]!
  );
}

/** Runs one rule on one configuration, recording every attribute path it reads. */
function run(rule: PolicyRule, fixture: RuleFixture, attrs: Attrs, paths?: Set<string>) {
  const type = typeOf(rule, fixture, attrs);
  const env = fixture.env ?? (rule.environments === "prod" ? "prod" : "test");
  const view = new ResourceView(type, attrs, "", (p) => paths?.add(`${type} ${p}`));
  return rule.check(view, { environment: env, resourceType: type, address: `${type}.fixture` });
}

/** Replaces every scalar with a Terraform reference: what a config full of unknowns looks like. */
function referencesOnly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(referencesOnly);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, referencesOnly(v)]));
  }
  return value === undefined ? undefined : `\${var.unknown}`;
}

const cases = ALL_RULES.map((rule) => [rule.id, rule] as const);

describe("every rule has fixtures", () => {
  test("a compliant and a non-compliant configuration for every rule, and no fixture without a rule", () => {
    const ids = new Set(ALL_RULES.map((r) => r.id));
    expect(ALL_RULES.filter((r) => !RULE_FIXTURES[r.id]).map((r) => r.id)).toEqual([]);
    expect(Object.keys(RULE_FIXTURES).filter((id) => !ids.has(id))).toEqual([]);
    for (const [id, fixture] of Object.entries(RULE_FIXTURES)) {
      expect([
        id,
        asList(fixture.compliant).length > 0,
        Object.keys(fixture.nonCompliant).length > 0,
      ]).toEqual([id, true, true]);
    }
  });
});

describe.each(cases)("%s", (_id, rule) => {
  const fixture = RULE_FIXTURES[rule.id]!;

  test(`passes when compliant: ${rule.title}`, () => {
    const [first, ...others] = asList(fixture.compliant);
    expect(statusOf(run(rule, fixture, first!))).toBe("pass");
    for (const attrs of others) expect(isViolation(run(rule, fixture, attrs))).toBe(false);
  });

  test.each(Object.entries(fixture.nonCompliant))("fails if %s", (_what, attrs) => {
    const verdict = run(rule, fixture, attrs);
    expect(isViolation(verdict)).toBe(true);
    for (const detail of verdict as readonly string[]) expect(detail.trim().length).toBeGreaterThan(5);
  });

  test("treats unresolved references as unknown, never as a violation", () => {
    for (const attrs of asList(fixture.compliant)) {
      const unknown = { ...(referencesOnly(attrs) as Attrs), [CASE_TYPE]: typeOf(rule, fixture, attrs) };
      expect([rule.id, run(rule, fixture, unknown)]).not.toEqual([
        rule.id,
        expect.arrayContaining([expect.any(String)]),
      ]);
    }
  });
});

describe("rule metadata", () => {
  test("ids are unique and follow the pack's prefix", () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of ALL_RULES)
      expect(rule.id).toMatch(/^(AZ-[A-Z]+-\d{3}|K8S-\d{3}|HELM-\d{3}|SAFE-\d{3})$/);
  });

  test("every rule cites at least one source with a URL, says why it exists and how to fix a violation", () => {
    for (const rule of ALL_RULES) {
      expect([rule.id, rule.sources.length > 0]).toEqual([rule.id, true]);
      for (const s of rule.sources) {
        expect([rule.id, s.name.length > 5, /^https:\/\//.test(s.url)]).toEqual([rule.id, true, true]);
      }
      expect([rule.id, rule.why.length > 20, rule.fix.length > 10, rule.title.length > 10]).toEqual([
        rule.id,
        true,
        true,
        true,
      ]);
    }
  });

  test("constructs/policy/README.md lists every rule", () => {
    const readme = readFileSync(join(__dirname, "..", "..", "constructs", "policy", "README.md"), "utf8");
    // Table rows, however the formatter pads them: | id | title | ...
    const rows = new Set(
      readme
        .split("\n")
        .filter((l) => l.startsWith("|"))
        .map((l) => l.split("|").map((c) => c.trim()))
        .map((cells) => `${cells[1]}|${cells[2]}`),
    );
    expect(ALL_RULES.filter((r) => !rows.has(`${r.id}|${r.title}`)).map((r) => r.id)).toEqual([]);
  });

  test("rules sit in the pack they name; packs are not empty", () => {
    for (const pack of ALL_PACKS) {
      expect(pack.rules.length).toBeGreaterThan(0);
      for (const rule of pack.rules) expect([rule.id, rule.pack]).toEqual([rule.id, pack.name]);
    }
  });

  test("production-only rules are the redundancy and backup ones", () => {
    expect(
      ALL_RULES.filter((r) => r.environments === "prod")
        .map((r) => r.id)
        .sort(),
    ).toEqual([
      "AZ-AKS-018",
      "AZ-AKS-019",
      "AZ-APIM-005",
      "AZ-COS-005",
      "AZ-COS-006",
      "AZ-NET-008",
      "AZ-PG-004",
      "AZ-PG-005",
      "AZ-ST-010",
    ]);
  });

  test("every resource type a rule names exists in the provider bindings", () => {
    const types = [...new Set(ALL_RULES.flatMap((r) => r.resourceTypes))];
    expect(types.filter((t) => resourceSchema(t) === undefined)).toEqual([]);
  });

  test("every attribute a rule reads exists in the azurerm 4.x / kubernetes / helm schema", () => {
    const paths = new Set<string>();
    for (const rule of ALL_RULES) {
      const fixture = RULE_FIXTURES[rule.id]!;
      for (const attrs of [...asList(fixture.compliant), ...Object.values(fixture.nonCompliant)]) {
        run(rule, fixture, attrs, paths);
      }
    }
    const unknown = [...paths].filter((entry) => {
      const [type, path] = entry.split(" ");
      return !hasAttributePath(type!, path!);
    });
    expect(unknown).toEqual([]);
    // The recorder did see the nested reads (not only top-level attributes).
    expect(paths).toContain("azurerm_storage_account network_rules.default_action");
    expect(paths).toContain(
      "kubernetes_deployment_v1 spec.template.spec.container.security_context.privileged",
    );
  });
});

describe("the rule set covers every resource domain the fleet emits or plans", () => {
  test.each([
    ["AKS clusters", "azurerm_kubernetes_cluster"],
    ["AKS node pools", "azurerm_kubernetes_cluster_node_pool"],
    ["storage accounts", "azurerm_storage_account"],
    ["blob containers", "azurerm_storage_container"],
    ["Key Vaults", "azurerm_key_vault"],
    ["Key Vault secrets", "azurerm_key_vault_secret"],
    ["container registries", "azurerm_container_registry"],
    ["PostgreSQL flexible servers", "azurerm_postgresql_flexible_server"],
    ["Cosmos DB accounts", "azurerm_cosmosdb_account"],
    ["API Management", "azurerm_api_management"],
    ["NSGs", "azurerm_network_security_group"],
    ["NSG rules", "azurerm_network_security_rule"],
    ["subnets", "azurerm_subnet"],
    ["public IPs", "azurerm_public_ip"],
    ["DNS zones", "azurerm_dns_zone"],
    ["CAA records", "azurerm_dns_caa_record"],
    ["role assignments", "azurerm_role_assignment"],
    ["federated identity credentials", "azurerm_federated_identity_credential"],
    ["Helm releases", "helm_release"],
    ["Kubernetes deployments", "kubernetes_deployment_v1"],
    ["Kubernetes daemon sets", "kubernetes_daemon_set_v1"],
    ["Kubernetes roles", "kubernetes_role_v1"],
    ["Kubernetes namespaces", "kubernetes_namespace_v1"],
  ])("%s (%s)", (_what, type) => {
    expect(ALL_RULES.filter((r) => r.resourceTypes.includes(type)).length).toBeGreaterThan(0);
  });
});
