/**
 * What a Key Vault's callers may set, as data and pure checks: HardenedKeyVault runs them and
 * throws; the fleet loader runs them on fleet.yaml. Loads neither cdktf nor the provider.
 */
import { ALL_RESOLVED, type FieldProblem, type IsUnresolved, wholeNumberProblems } from "../common/problems";

export const KEY_VAULT_SKUS = ["standard", "premium"] as const;
export type KeyVaultSku = (typeof KEY_VAULT_SKUS)[number];

/**
 * Days a deleted vault stays recoverable: Azure allows 7 to 90 (`soft_delete_retention_days`,
 * hashicorp/terraform-provider-azurerm@v4.55.0: internal/services/keyvault/key_vault_resource.go).
 * Problem at `["softDeleteRetentionDays"]`.
 */
export function softDeleteRetentionProblems(
  days: number | undefined,
  isUnresolved: IsUnresolved = ALL_RESOLVED,
): FieldProblem[] {
  const fix = "use a value from 7 to 90 (90 is the safe default)";
  return wholeNumberProblems("softDeleteRetentionDays", days, { min: 7, max: 90, fix }, isUnresolved);
}
