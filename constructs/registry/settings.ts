/** What callers may set, as data the fleet's settings schema reuses. Loads neither cdktf nor the provider. */

/** Container registry SKUs. */
export const REGISTRY_SKUS = ["Basic", "Standard", "Premium"] as const;
export type RegistrySku = (typeof REGISTRY_SKUS)[number];
