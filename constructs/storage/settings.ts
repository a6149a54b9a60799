/** What callers may set, as data the fleet's settings schema reuses. Loads neither cdktf nor the provider. */

/** Redundancy of a storage account's data. Production wants zone or geo redundancy. */
export const STORAGE_REPLICATIONS = ["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"] as const;
export type StorageReplication = (typeof STORAGE_REPLICATIONS)[number];
