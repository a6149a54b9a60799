/**
 * FinOps tags (Altinn RFC 0007): every taggable resource carries the base set, merged with a
 * `submodule` tag naming the construct that created it. Keys are lowercase, English, singular.
 */

/** Environment tokens RFC 0007 allows for `finops_environment`. */
export const FINOPS_ENVIRONMENTS = [
  "dev",
  "test",
  "staging",
  "prod",
  "at22",
  "at23",
  "at24",
  "yt01",
  "tt02",
] as const;

export interface FinOpsTagProps {
  /** Environment token as used in names (`prod`, never `production`). */
  readonly environment: string;
  /** Product, e.g. `studio`, `altinn-apps`, `platform`. */
  readonly product: string;
  /** Service owner (org) code; `altinn` for shared platform resources. */
  readonly serviceOwnerCode: string;
  /** Service owner organisation number, 9 digits. */
  readonly serviceOwnerOrgnr: string;
  /** The repository that manages the resource. */
  readonly repository: string;
}

export type Tags = Readonly<Record<string, string>>;

/** The base tag map of RFC 0007, including the legacy duplicates `env`, `product` and `org`. */
export function finOpsTags(props: FinOpsTagProps): Tags {
  return {
    finops_environment: props.environment,
    finops_product: props.product,
    finops_serviceownercode: props.serviceOwnerCode,
    finops_serviceownerorgnr: props.serviceOwnerOrgnr,
    repository: props.repository,
    env: props.environment,
    product: props.product,
    org: props.serviceOwnerCode,
  };
}

/** Base tags plus the `submodule` tag of the construct that owns the resource. */
export function withSubmodule(tags: Tags, submodule: string): Tags {
  return { ...tags, submodule };
}
