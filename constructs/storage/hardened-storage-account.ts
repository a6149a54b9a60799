import { StorageAccount } from "@cdktf/provider-azurerm/lib/storage-account";
import { StorageContainer } from "@cdktf/provider-azurerm/lib/storage-container";
import { Token } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import { checkName, NAMING_RULES } from "../naming/rules";
import { parseIpv4Address, parseIpv4Cidr } from "../network/cidr";
import type { StorageReplication } from "./settings";

/** Redundancy of the account's data. Production wants zone or geo redundancy. */
export { STORAGE_REPLICATIONS, type StorageReplication } from "./settings";

export type StorageAccountTier = "Standard" | "Premium";

/** What the firewall does with traffic that matches no rule. */
export type NetworkDefaultAction = "Deny" | "Allow";

export interface HardenedStorageAccountProps {
  /** Account name: 3-24 lowercase letters and digits, globally unique. Changing this replaces the account. */
  readonly name: string;
  /** Resource group. Changing this replaces the account. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the account. */
  readonly location: string;
  /**
   * Replication. Moving between some kinds (e.g. to or from ZRS) is a Microsoft-run conversion,
   * not a Terraform update; check before changing it on a live account.
   */
  readonly replication: StorageReplication;
  /**
   * Performance tier. Premium supports only LRS and ZRS. Changing this replaces the account.
   * @default "Standard"
   */
  readonly accountTier?: StorageAccountTier;
  /**
   * Private blob containers, each protected by `prevent_destroy`.
   * @default []
   */
  readonly containers?: readonly string[];
  /**
   * Days a deleted blob stays recoverable (1-365).
   * @default 30
   */
  readonly blobSoftDeleteDays?: number;
  /**
   * Days a deleted container stays recoverable (1-365).
   * @default 30
   */
  readonly containerSoftDeleteDays?: number;
  /**
   * Keep previous versions of overwritten blobs.
   * @default true
   */
  readonly versioning?: boolean;
  /**
   * Record a change feed of blob changes, kept for the given number of days (1-146000), or
   * forever with `true`.
   * @default - no change feed
   */
  readonly changeFeed?: boolean | { readonly retentionDays: number };
  /**
   * Keep the account's public endpoint. Off, the data plane is reachable only through private
   * endpoints (PrivateEndpoint, subresource `blob`) and the firewall settings below do not
   * apply. Terraform needs no data plane either way: containers go through the management plane
   * and the provider's `features.storage.data_plane_available = false` skips the data-plane wait
   * and the queue and static-website reads of `storage_account_resource.go`
   * (hashicorp/terraform-provider-azurerm@v4.55.0).
   * @default - false; true when `allowedSubnetIds` or `ipRules` are given (they only mean
   * something on the public endpoint)
   */
  readonly publicNetworkAccess?: boolean;
  /**
   * Firewall default action of the public endpoint. `Deny` admits only trusted Azure services,
   * `allowedSubnetIds` and `ipRules`.
   * @default "Deny"
   */
  readonly networkDefaultAction?: NetworkDefaultAction;
  /**
   * Subnets admitted by the firewall (they need the `Microsoft.Storage` service endpoint).
   * @default []
   */
  readonly allowedSubnetIds?: readonly string[];
  /**
   * Public IPv4 addresses or CIDRs admitted by the firewall. Azure accepts neither private
   * ranges nor /31 and /32 prefixes here; list single addresses without a prefix.
   * @default []
   */
  readonly ipRules?: readonly string[];
  /**
   * Allow account keys and SAS tokens. Off means Entra ID only on the data plane: the azurerm
   * provider then needs `storage_use_azuread = true`, and clients use managed identities.
   * @default false
   */
  readonly allowSharedKeyAccess?: boolean;
  /**
   * Encrypt at rest a second time with a separate key (double encryption). Changing this
   * replaces the account.
   * @default true
   */
  readonly infrastructureEncryption?: boolean;
  /** FinOps tags; `submodule = "storage-account"` is added. */
  readonly tags: Tags;
}

/**
 * A StorageV2 account with a private data plane: public network access off (private endpoints
 * only) unless firewall rules are given, HTTPS and TLS 1.2 only, no public blobs, no
 * cross-tenant replication, Entra ID authentication by default, firewall deny-by-default,
 * soft delete and versioning on. The account and each container carry `prevent_destroy`.
 */
export class HardenedStorageAccount extends Construct {
  readonly account: StorageAccount;
  /** Containers by name. */
  readonly containers: Readonly<Record<string, StorageContainer>>;
  /** Resource IDs of the containers by name (for role assignments scoped to one container). */
  readonly containerIds: Readonly<Record<string, string>>;
  /** Resource ID. */
  readonly id: string;
  /** Account name (a reference, so users depend on the account). */
  readonly name: string;
  /** Blob endpoint, `https://<name>.blob.core.windows.net/`. */
  readonly primaryBlobEndpoint: string;

  constructor(scope: Construct, id: string, props: HardenedStorageAccountProps) {
    super(scope, id);
    this.validate(props);

    const tags = withSubmodule(props.tags, "storage-account");
    const publicAccess = props.publicNetworkAccess ?? hasFirewallRules(props);
    const changeFeed = props.changeFeed;
    this.account = new StorageAccount(this, "account", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountKind: "StorageV2",
      accountTier: props.accountTier ?? "Standard",
      accountReplicationType: props.replication,
      accessTier: "Hot",

      httpsTrafficOnlyEnabled: true,
      minTlsVersion: "TLS1_2",
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      sharedAccessKeyEnabled: props.allowSharedKeyAccess ?? false,
      defaultToOauthAuthentication: true,
      infrastructureEncryptionEnabled: props.infrastructureEncryption ?? true,
      // Local users are SFTP/NFS accounts with their own passwords or keys.
      localUserEnabled: false,
      sftpEnabled: false,
      publicNetworkAccessEnabled: publicAccess,

      networkRules: {
        defaultAction: props.networkDefaultAction ?? "Deny",
        bypass: ["AzureServices"],
        virtualNetworkSubnetIds: props.allowedSubnetIds ? [...props.allowedSubnetIds] : [],
        ipRules: props.ipRules ? [...props.ipRules] : [],
      },
      blobProperties: {
        versioningEnabled: props.versioning ?? true,
        changeFeedEnabled: changeFeed !== undefined && changeFeed !== false,
        changeFeedRetentionInDays: typeof changeFeed === "object" ? changeFeed.retentionDays : undefined,
        deleteRetentionPolicy: { days: props.blobSoftDeleteDays ?? 30 },
        containerDeleteRetentionPolicy: { days: props.containerSoftDeleteDays ?? 30 },
      },

      tags,
      lifecycle: statefulLifecycle(),
    });

    const containers: Record<string, StorageContainer> = {};
    const containerIds: Record<string, string> = {};
    for (const name of props.containers ?? []) {
      const container = new StorageContainer(this, `container-${name}`, {
        name,
        // storage_account_id goes through the management plane (azurerm 4.x), so neither the
        // firewall nor disabled shared keys get in Terraform's way.
        storageAccountId: this.account.id,
        containerAccessType: "private",
        lifecycle: statefulLifecycle(),
      });
      containers[name] = container;
      containerIds[name] = container.id;
    }
    this.containers = containers;
    this.containerIds = containerIds;

    this.id = this.account.id;
    this.name = this.account.name;
    this.primaryBlobEndpoint = this.account.primaryBlobEndpoint;
  }

  private validate(props: HardenedStorageAccountProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);
    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.storageAccount, props.name);
      if (problem)
        throw err(`${problem}. Storage account names are global; derive them from org and environment.`);
    }
    if ((props.accountTier ?? "Standard") === "Premium" && !["LRS", "ZRS"].includes(props.replication)) {
      throw err(`Premium accounts support only LRS and ZRS replication, not ${props.replication}`);
    }

    const seen = new Set<string>();
    for (const name of props.containers ?? []) {
      if (Token.isUnresolved(name)) {
        throw err("container names must be literal strings: they are part of the Terraform address");
      }
      if (seen.has(name)) throw err(`container "${name}" is listed twice`);
      seen.add(name);
      const problem = checkName(NAMING_RULES.blobContainer, name);
      if (problem) throw err(problem);
      // Every hyphen must sit between letters or digits, so none at the end either.
    }

    if (props.publicNetworkAccess === false && hasFirewallRules(props)) {
      throw err(
        "allowedSubnetIds and ipRules admit networks to the public endpoint, which publicNetworkAccess: false " +
          "turns off; reach the account through a private endpoint instead, or keep the public endpoint",
      );
    }
    checkDays(err, "blobSoftDeleteDays", props.blobSoftDeleteDays, 1, 365);
    checkDays(err, "containerSoftDeleteDays", props.containerSoftDeleteDays, 1, 365);
    if (typeof props.changeFeed === "object") {
      checkDays(err, "changeFeed.retentionDays", props.changeFeed.retentionDays, 1, 146000);
    }

    for (const rule of props.ipRules ?? []) {
      if (Token.isUnresolved(rule)) continue;
      const address = rule.includes("/") ? undefined : parseIpv4Address(rule);
      const parsed = rule.includes("/") ? parseIpv4Cidr(rule) : undefined;
      if (parsed !== undefined && !parsed.ok) throw err(`ipRules: ${parsed.problem}`);
      const ip = address ?? (parsed?.ok ? parsed.cidr : undefined);
      if (ip === undefined) throw err(`ipRules: "${rule}" is not an IPv4 address or CIDR`);
      if (ip.subnetMask > 30 && rule.includes("/")) {
        throw err(
          `ipRules: "${rule}" has a /31 or /32 prefix, which storage firewalls reject; list the addresses`,
        );
      }
      if (ip.isPrivate() || ip.isLoopback() || ip.isLinkLocal()) {
        throw err(`ipRules: "${rule}" is not a public address; admit private networks with allowedSubnetIds`);
      }
    }
  }
}

function hasFirewallRules(props: HardenedStorageAccountProps): boolean {
  return (props.allowedSubnetIds ?? []).length > 0 || (props.ipRules ?? []).length > 0;
}

function checkDays(
  err: (message: string) => ConstructValidationError,
  field: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw err(`${field} ${value} must be a whole number of days from ${min} to ${max}`);
  }
}
