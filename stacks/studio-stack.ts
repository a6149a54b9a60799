/**
 * `studio-<env>`: one Altinn Studio environment (dev, staging, prod) on its cluster
 * `studio-<env>-aks`, with the PostgreSQL, storage and Key Vault that Designer and the
 * repositories need: all of it the shared environment's (stacks/shared-environment-stack.ts).
 *
 * The production Studio (altinn.studio) builds every org's app images and pushes them to the
 * org's registry. Registries have no public endpoint, so this stack declares its half of each
 * connection: a private endpoint from its own `endpoints` subnet to every org registry.
 */
import type { Construct } from "constructs";
import { ConstructValidationError } from "../constructs/common/errors";
import type { Fleet, StudioEnvironment } from "../fleet/model";
import type { BackendKind } from "./fleet-stack";
import { orgRegistryId } from "./org-stack";
import { SharedEnvironmentStack } from "./shared-environment-stack";

export interface StudioStackProps {
  readonly fleet: Fleet;
  readonly studio: StudioEnvironment;
  readonly stackId: string;
  readonly backend: BackendKind;
}

/**
 * Addresses a registry's private endpoint takes in the subnet: the login server and the data
 * endpoint of its one region (Learn: container-registry-private-link, "DNS configuration").
 */
export const ADDRESSES_PER_REGISTRY_ENDPOINT = 2;
/**
 * Addresses of the `endpoints` /24 kept for the environment's own endpoints (blob, vault and the
 * Azure Monitor Private Link Scope's endpoint, which takes one address per Azure Monitor host).
 */
const RESERVED_FOR_OWN_ENDPOINTS = 40;
/** Usable addresses of a /24: Azure keeps five of every subnet. */
const USABLE_ENDPOINT_ADDRESSES = 251;
/** How many org registries the production Studio's endpoints subnet has room for (beyond, synth refuses). */
export const MAX_ORG_REGISTRY_ENDPOINTS = Math.floor(
  (USABLE_ENDPOINT_ADDRESSES - RESERVED_FOR_OWN_ENDPOINTS) / ADDRESSES_PER_REGISTRY_ENDPOINT,
);

/** Whether a Studio environment pushes app images into the org registries. */
export function pushesToOrgRegistries(studio: StudioEnvironment): boolean {
  return studio.environment.type === "production";
}

export class StudioStack extends SharedEnvironmentStack {
  constructor(scope: Construct, props: StudioStackProps) {
    super(scope, {
      fleet: props.fleet,
      product: "studio",
      shared: props.studio,
      stackId: props.stackId,
      backend: props.backend,
      containers: ["repositories", "designer"],
    });
    if (!pushesToOrgRegistries(props.studio)) return;

    const orgs = props.fleet.orgs;
    const needed = orgs.length * ADDRESSES_PER_REGISTRY_ENDPOINT + RESERVED_FOR_OWN_ENDPOINTS;
    if (needed > USABLE_ENDPOINT_ADDRESSES) {
      throw new ConstructValidationError(
        this.node.path,
        `${orgs.length} org registries need ${orgs.length * ADDRESSES_PER_REGISTRY_ENDPOINT} addresses for ` +
          `Studio's private endpoints, more than its endpoints subnet (/24) holds beside its own endpoints. ` +
          "Fix: give Studio's image builds a network of their own with a larger endpoints subnet",
      );
    }
    for (const org of orgs) {
      // Created by org-<org> in the shared scope, applied before every environment; the id is
      // derived (the registry lives in the shared scope's subscription), as the Apps stacks do.
      this.environment.privateEndpoint(`org-registry-endpoint-${org.code}`, {
        name: `${org.names.registry}-pe`,
        targetResourceId: orgRegistryId(props.fleet, org),
        subresource: "registry",
      });
    }
  }
}
