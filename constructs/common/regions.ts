/**
 * Azure regions whose access is restricted to specific customer scenarios, such as in-country
 * disaster recovery: a subscription may deploy there only after Microsoft grants a region
 * access request. Source: Learn "Azure regions list" (regions marked access-restricted),
 * https://learn.microsoft.com/azure/reliability/regions-list, and the request process,
 * https://learn.microsoft.com/troubleshoot/azure/general/region-access-request-process.
 */
export const ACCESS_RESTRICTED_REGIONS: ReadonlySet<string> = new Set([
  "australiacentral",
  "australiacentral2",
  "francesouth",
  "germanynorth",
  "norwaywest",
  "southafricawest",
  "switzerlandwest",
  "uaecentral",
]);

/** Where to ask for access to a restricted region. */
export const REGION_ACCESS_REQUEST_URL =
  "https://learn.microsoft.com/troubleshoot/azure/general/region-access-request-process";

/** Whether a region (programmatic or display name) needs an access request before use. */
export function isAccessRestrictedRegion(region: string): boolean {
  return ACCESS_RESTRICTED_REGIONS.has(region.toLowerCase().replace(/\s+/g, ""));
}
