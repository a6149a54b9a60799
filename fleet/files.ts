/** The four files of a fleet directory (environments/ or FLEET_DIR). */
export const FILES = {
  orgs: "altinn-orgs.json",
  environments: "environments.json",
  settings: "fleet.yaml",
  addressPlan: "address-plan.yaml",
} as const;

/** Problems are listed file by file, in this order, then by line. */
export const FILE_ORDER: readonly string[] = [
  FILES.orgs,
  FILES.environments,
  FILES.settings,
  FILES.addressPlan,
];
