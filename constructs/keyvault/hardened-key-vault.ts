import { KeyVault } from "@cdktf/provider-azurerm/lib/key-vault";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { parseIpv4Address, parseIpv4Cidr } from "../network/cidr";
import { type KeyVaultSku, softDeleteRetentionProblems } from "./settings";

export { KEY_VAULT_SKUS, type KeyVaultSku } from "./settings";

/** What the firewall does with traffic that matches no rule. */
export type KeyVaultNetworkDefaultAction = "Deny" | "Allow";

export interface HardenedKeyVaultProps {
  /**
   * Vault name: 3-24 letters, digits and hyphens, starting with a letter, globally unique. With
   * purge protection a deleted vault keeps its name reserved for the whole retention period.
   * Changing this replaces the vault.
   */
  readonly name: string;
  /** Resource group. Changing this replaces the vault. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the vault. */
  readonly location: string;
  /** Entra tenant that authenticates requests. */
  readonly tenantId: string;
  /**
   * Pricing tier; `premium` adds HSM-backed keys.
   * @default "standard"
   */
  readonly sku?: KeyVaultSku;
  /**
   * Days deleted vaults and objects stay recoverable (7-90). Azure fixes this at creation; a
   * later change fails.
   * @default 90
   */
  readonly softDeleteRetentionDays?: number;
  /**
   * Firewall default action. `Deny` admits only trusted Azure services, `allowedSubnetIds` and
   * `ipRules`; a CI agent that writes secrets needs to be in one of them.
   * @default "Deny"
   */
  readonly networkDefaultAction?: KeyVaultNetworkDefaultAction;
  /**
   * Subnets admitted by the firewall (they need the `Microsoft.KeyVault` service endpoint).
   * @default []
   */
  readonly allowedSubnetIds?: readonly string[];
  /**
   * Public IPv4 addresses or CIDRs admitted by the firewall.
   * @default []
   */
  readonly ipRules?: readonly string[];
  /**
   * Keep the public endpoint. Off, the vault is reachable only through private endpoints
   * (PrivateEndpoint, subresource `vault`) and the firewall settings above do not apply. The
   * provider then skips its data-plane availability poll after create and ignores a failed
   * certificate-contacts read (key_vault_resource.go, hashicorp/terraform-provider-azurerm@v4.55.0),
   * so Terraform needs no line of sight to the vault.
   * @default - false; true when `allowedSubnetIds` or `ipRules` are given (they only mean
   * something on the public endpoint)
   */
  readonly publicNetworkAccess?: boolean;
  /** FinOps tags; `submodule = "key-vault"` is added. */
  readonly tags: Tags;
}

/**
 * A Key Vault authorised by Azure RBAC (no access policies), with purge protection, soft delete,
 * public network access off (private endpoints only) unless firewall rules are given, and a
 * deny-by-default firewall. It carries `prevent_destroy`: destroying it would also reserve
 * its name for the retention period.
 */
export class HardenedKeyVault extends Construct {
  readonly vault: KeyVault;
  /** Resource ID. */
  readonly id: string;
  /** Vault name (a reference, so users depend on the vault). */
  readonly name: string;
  /** `https://<name>.vault.azure.net/`. */
  readonly vaultUri: string;

  constructor(scope: Construct, id: string, props: HardenedKeyVaultProps) {
    super(scope, id);
    this.validate(props);
    const firewallRules = (props.allowedSubnetIds ?? []).length > 0 || (props.ipRules ?? []).length > 0;

    this.vault = new KeyVault(this, "vault", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId,
      skuName: props.sku ?? "standard",
      // azurerm 4.42+ name; `enable_rbac_authorization` is deprecated.
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: true,
      softDeleteRetentionDays: props.softDeleteRetentionDays ?? 90,
      publicNetworkAccessEnabled: props.publicNetworkAccess ?? firewallRules,
      networkAcls: {
        defaultAction: props.networkDefaultAction ?? "Deny",
        bypass: "AzureServices",
        virtualNetworkSubnetIds: props.allowedSubnetIds ? [...props.allowedSubnetIds] : [],
        ipRules: props.ipRules ? [...props.ipRules] : [],
      },
      tags: withSubmodule(props.tags, "key-vault"),
      lifecycle: statefulLifecycle(),
    });
    this.id = this.vault.id;
    this.name = this.vault.name;
    this.vaultUri = this.vault.vaultUri;
  }

  private validate(props: HardenedKeyVaultProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.keyVault, props.name);
      if (problem) throw err(`${problem}. Key Vault names are global; derive them from org and environment.`);
    }
    for (const p of softDeleteRetentionProblems(props.softDeleteRetentionDays, Token.isUnresolved)) {
      throw err(p.message);
    }
    if (
      props.publicNetworkAccess === false &&
      ((props.allowedSubnetIds ?? []).length > 0 || (props.ipRules ?? []).length > 0)
    ) {
      throw err(
        "allowedSubnetIds and ipRules admit networks to the public endpoint, which publicNetworkAccess: false " +
          "turns off; reach the vault through a private endpoint instead, or keep the public endpoint",
      );
    }
    for (const rule of props.ipRules ?? []) {
      if (Token.isUnresolved(rule)) continue;
      if (rule.includes("/")) {
        const parsed = parseIpv4Cidr(rule);
        if (!parsed.ok) throw err(`ipRules: ${parsed.problem}`);
      } else if (parseIpv4Address(rule) === undefined) {
        throw err(`ipRules: "${rule}" is not an IPv4 address or CIDR`);
      }
    }
  }
}
