/** Rules for the Platform settings that reach outside the fleet. */
import { isAccessRestrictedRegion, REGION_ACCESS_REQUEST_URL } from "../../constructs/common/regions";
import { GATEWAY_CERTIFICATE_NAME } from "../../constructs/naming";
import { FILES } from "../files";
import type { FleetEnvironment, FleetSettings } from "../model";
import { type FleetProblem, notice, problem } from "../problems";
import type { SourceFile } from "../source";

/**
 * What the Platform needs from outside the fleet before an apply can succeed, reported on every
 * run: the gateway certificate of each environment (a second phase, README "Platform gateway
 * certificate") and access to an access-restricted Cosmos DB failover region.
 */
export function checkPlatformPrerequisites(
  environments: readonly FleetEnvironment[],
  settings: FleetSettings,
  settingsSource: SourceFile,
): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const certificate = settings.platform.gatewayCertificate;
  const names = new Set(environments.map((e) => e.name));
  certificate.imported.forEach((name, i) => {
    if (names.has(name)) return;
    problems.push(
      problem({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "gatewayCertificate", "imported", i]),
        environment: name,
        field: `platform.gatewayCertificate.imported[${i}]`,
        value: name,
        message: "names an environment the fleet does not define",
        fix: `use an environment name from ${FILES.environments}: ${[...names].join(", ")}`,
      }),
    );
  });
  const waiting = environments.filter((e) => !certificate.imported.includes(e.name));
  if (waiting.length > 0) {
    problems.push(
      notice({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "gatewayCertificate", "imported"]),
        field: "platform.gatewayCertificate.imported",
        value: certificate.imported,
        message:
          `API Management of ${waiting.map((e) => e.name).join(", ")} gets no custom domain yet: ` +
          `platform.{hostname} resolves to its gateway, which answers only on <name>.azure-api.net until ` +
          `the certificate "${GATEWAY_CERTIFICATE_NAME}" is imported into the Platform Key Vault`,
        fix: 'import it (README "Platform gateway certificate"), then add the environment to the list',
      }),
    );
  }
  const failover = settings.platform.cosmosFailoverLocation;
  if (isAccessRestrictedRegion(failover)) {
    problems.push(
      notice({
        file: FILES.settings,
        line: settingsSource.lineOf(["platform", "cosmosFailoverLocation"]),
        field: "platform.cosmosFailoverLocation",
        value: failover,
        message:
          "is an access-restricted Azure region: Cosmos DB accounts fail to create there until Microsoft " +
          "grants the Platform subscriptions access",
        fix: `request access for every Platform subscription before the first apply (${REGION_ACCESS_REQUEST_URL}), or choose a region without restrictions`,
      }),
    );
  }
  return problems;
}
