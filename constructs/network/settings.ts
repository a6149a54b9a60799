/** What callers may set, as data the fleet's settings schema reuses. Loads neither cdktf nor the provider. */

/** Availability zones of a zonal region. */
export const AVAILABILITY_ZONES = ["1", "2", "3"] as const;
export type AvailabilityZone = (typeof AVAILABILITY_ZONES)[number];
