/** The FinOps tags of each kind of stack (Altinn RFC 0007). */
import { finOpsTags, type Tags } from "../constructs/common";
import type { Fleet, FleetOrg } from "../fleet/model";

/** Product tag of the per-org Apps environments. */
export const APPS_PRODUCT = "altinn-apps";

export function orgTags(fleet: Fleet, org: FleetOrg, environmentToken: string): Tags {
  return finOpsTags({
    environment: environmentToken,
    product: APPS_PRODUCT,
    serviceOwnerCode: org.code,
    serviceOwnerOrgnr: org.orgnr,
    repository: fleet.settings.repository,
  });
}

/**
 * Tags of the shared environments (Platform, Studio, the state storage): the service owner is
 * the platform's operator from fleet.yaml.
 */
export function operatorTags(fleet: Fleet, product: "platform" | "studio", environmentToken: string): Tags {
  return finOpsTags({
    environment: environmentToken,
    product,
    serviceOwnerCode: fleet.settings.operator.code,
    serviceOwnerOrgnr: fleet.settings.operator.orgnr,
    repository: fleet.settings.repository,
  });
}
