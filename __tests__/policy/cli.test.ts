/**
 * `npm run policy` and `npm run synth` as a user runs them: the report lists every rule with its
 * source, every suppression with its reason; a fleet that violates a rule makes both fail with the
 * address, the rule and how to fix it.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ALL_RULES } from "../../constructs/policy";
import { fleetFixture } from "../../testing/fleet-fixture";
import { COMMITTED_FLEET_NOTICES, runCli, stderrNoticeFields } from "../../testing/run-cli";

describe("npm run policy", () => {
  test("prints every rule with its source, the findings and every suppression; exits 0 on the committed fleet", () => {
    const r = runCli("bin/policy.ts", ["--stacks", "org-ttd", "apps-ttd-tt02-k8s"]);
    expect(stderrNoticeFields(r.stderr)).toEqual(COMMITTED_FLEET_NOTICES);
    expect(r.status).toBe(0);
    const packs = new Set(ALL_RULES.map((rule) => rule.pack));
    expect(r.stdout).toContain(`Policy rules: ${ALL_RULES.length} in ${packs.size} packs`);
    for (const rule of ALL_RULES) expect(r.stdout).toContain(`  ${rule.id.padEnd(12)}${rule.severity}`);
    expect(r.stdout.match(/^ {40}source: /gm)).toHaveLength(ALL_RULES.length);
    expect(r.stdout).toContain("Findings: none unsuppressed");
    expect(r.stdout).toMatch(/AZ-ACR-005 {2}fleet suppression #1 .*path org-\*\/registry/);
    expect(r.stdout).toMatch(/reason: Untagged manifests are kept on purpose/);
    // Registries have no public endpoint any more, so nothing needs AZ-ACR-003 suppressed.
    expect(r.stdout).not.toMatch(/AZ-ACR-003 {2}fleet suppression/);
    expect(r.stdout).toContain("covers: azurerm_container_registry.registry_71CE07F6 in 1 stack (org-ttd)");
  });

  test("fails, with --json, when a production storage account is only locally redundant", () => {
    const dir = fleetFixture({
      settings: (doc) => {
        ((doc.environmentClasses as any).production.storage as { replication: string }).replication = "LRS";
      },
    });
    const r = runCli("bin/policy.ts", ["--stacks", "apps-ttd-prod", "--json"], { FLEET_DIR: dir });
    expect(r.status).toBe(1);
    const report = JSON.parse(r.stdout) as {
      violations: { rule: string; stack: string; address: string }[];
      rules: unknown[];
    };
    expect(report.rules).toHaveLength(ALL_RULES.length);
    expect(report.violations.map((v) => [v.rule, v.stack, v.address])).toEqual([
      ["AZ-ST-009", "apps-ttd-prod", "azurerm_storage_account.apps-storage_account_1F36B279"],
      ["AZ-ST-010", "apps-ttd-prod", "azurerm_storage_account.apps-storage_account_1F36B279"],
    ]);

    const synth = runCli(
      "bin/synth.ts",
      ["--stacks", "apps-ttd-prod", "-o", join(mkdtempSync(join(tmpdir(), "policy-synth-")), "out")],
      {
        FLEET_DIR: dir,
      },
    );
    expect(synth.status).toBe(1);
    expect(synth.stderr).toContain("errors in stack apps-ttd-prod (2 policy findings)");
    expect(synth.stderr).toContain(
      "resource: azurerm_storage_account.apps-storage_account_1F36B279  [apps-ttd-prod/apps-storage/account]",
    );
    expect(synth.stderr).toContain(
      "policy AZ-ST-010 (high, production): Production storage is geo-zone-redundant",
    );
    expect(synth.stderr).toContain('found:    account_replication_type is "LRS"; allowed: GZRS, RAGZRS');
    expect(synth.stderr).toContain(
      "fix:      Use GZRS or RAGZRS for the production class in environments/fleet.yaml.",
    );
    expect(synth.stderr).not.toContain("CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS");
  });
});
