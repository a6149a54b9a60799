/** What callers may set, as data the fleet's settings schema reuses. Loads neither cdktf nor the provider. */

/** Kinds of Entra principal. Stating it lets Azure skip the directory lookup that fails for new principals. */
export const PRINCIPAL_TYPES = ["Group", "User", "ServicePrincipal"] as const;
export type PrincipalType = (typeof PRINCIPAL_TYPES)[number];
