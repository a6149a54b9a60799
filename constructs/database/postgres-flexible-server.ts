import { PostgresqlFlexibleServer } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server";
import { PostgresqlFlexibleServerActiveDirectoryAdministrator } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-active-directory-administrator";
import { PostgresqlFlexibleServerConfiguration } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-configuration";
import { PostgresqlFlexibleServerDatabase } from "@cdktf/provider-azurerm/lib/postgresql-flexible-server-database";
import { type TerraformVariable, Token } from "cdktf";
import { Construct } from "constructs";
import type { DayOfWeek } from "../cluster/maintenance-window";
import { ConstructValidationError } from "../common/errors";
import { statefulLifecycle } from "../common/lifecycle";
import { type Tags, withSubmodule } from "../common/tags";
import type { PrincipalType } from "../identity/role-assignment";
import { checkName, NAMING_RULES } from "../naming/rules";
import type { AvailabilityZone } from "../network/static-public-ip";
import { type PrivateDnsOptions, privateDnsZone } from "./private-dns";
import { type PostgresStorageMb, type PostgresVersion, postgresServerProblems } from "./settings";

/** PostgreSQL major versions Azure offers on flexible servers. */
export { POSTGRES_VERSIONS, type PostgresVersion } from "./settings";

/**
 * Compute SKU, `<tier>_<name>`: `B_` Burstable, `GP_` General Purpose, `MO_` Memory Optimized,
 * e.g. `GP_Standard_D2ds_v5`.
 */
export type PostgresSkuName = `B_Standard_${string}` | `GP_Standard_${string}` | `MO_Standard_${string}`;

export { POSTGRES_STORAGE_SIZES_MB, type PostgresStorageMb } from "./settings";

/** Minimum TLS version clients must speak. */
export type PostgresTlsVersion = "TLSv1.2" | "TLSv1.3";

export type PostgresHighAvailabilityMode = "ZoneRedundant" | "SameZone";

export type EntraPrincipalType = PrincipalType;

/** The Entra ID principal that administers the server (creates roles for the other principals). */
export interface PostgresEntraAdministrator {
  /** Object ID of the user, group or service principal. */
  readonly objectId: string;
  /** Its display name (for a group, the group's name); it becomes the PostgreSQL role name. */
  readonly principalName: string;
  /** A group lets the team rotate people without touching the server. */
  readonly principalType: EntraPrincipalType;
}

export interface PostgresHighAvailability {
  /** `ZoneRedundant` keeps a standby in another zone; `SameZone` in the primary's zone. */
  readonly mode: PostgresHighAvailabilityMode;
  /**
   * Zone of the standby.
   * @default - Azure chooses
   */
  readonly standbyZone?: AvailabilityZone;
}

/** A weekly window, in UTC, in which Azure may patch and restart the server. */
export interface PostgresMaintenanceWindow {
  readonly dayOfWeek: DayOfWeek;
  /** Hour of the day, 0-23 (UTC). */
  readonly startHour: number;
  /**
   * Minute of the hour, 0-59.
   * @default 0
   */
  readonly startMinute?: number;
}

/**
 * Password authentication, for clients that cannot use Entra ID. The password comes from a
 * sensitive Terraform variable (set with `TF_VAR_<name>` from a secret store) and is sent as a
 * write-only argument (Terraform 1.11+): it appears neither in the synthesized JSON nor in the
 * state.
 */
export interface PostgresPasswordAuthentication {
  /** Administrator login. Once set, changing it replaces the server. */
  readonly administratorLogin: string;
  /** A string variable declared with `sensitive: true`. */
  readonly password: TerraformVariable;
  /**
   * Write-only arguments are not compared with the last value, so a new password is only sent
   * when this number changes. Start at 1 and increase it with each rotation.
   */
  readonly passwordVersion: number;
}

export interface PostgresFlexibleServerProps {
  /**
   * Server name: 3-63 lowercase letters, digits and hyphens, globally unique (it is the DNS
   * name). Changing this replaces the server.
   */
  readonly name: string;
  /** Resource group. Changing this replaces the server. */
  readonly resourceGroupName: string;
  /** Azure region. Changing this replaces the server. */
  readonly location: string;
  /** Entra tenant that authenticates clients and the administrator. */
  readonly tenantId: string;
  /**
   * A subnet delegated to `Microsoft.DBforPostgreSQL/flexibleServers`, used by nothing else.
   * The server gets a private address there and no public endpoint. Changing this replaces the
   * server.
   */
  readonly delegatedSubnetId: string;
  /**
   * The private DNS zone the server registers in: created here as
   * `<name>.private.postgres.database.azure.com` and linked to a VNet, or an existing zone.
   */
  readonly privateDns: PrivateDnsOptions;
  /** The Entra ID administrator. */
  readonly administrator: PostgresEntraAdministrator;
  /**
   * Further Entra ID administrators, e.g. the one workload identity a server exists for. Each is
   * its own `azurerm_postgresql_flexible_server_active_directory_administrator` with child id
   * `entra-administrator-<principalName>`, so the principal name must be a literal string.
   * @default []
   */
  readonly additionalAdministrators?: readonly PostgresEntraAdministrator[];
  /** Compute SKU, e.g. `GP_Standard_D2ds_v5`. High availability needs General Purpose or Memory Optimized. */
  readonly sku: PostgresSkuName;
  /**
   * Keep backups in the paired region too. Azure fixes this at creation: changing it replaces
   * the server, so it must be chosen explicitly (production: `true`).
   */
  readonly geoRedundantBackup: boolean;
  /**
   * PostgreSQL major version. Raising it upgrades in place (irreversible, with downtime);
   * lowering it replaces the server.
   * @default "16"
   */
  readonly version?: PostgresVersion;
  /**
   * Storage size in MiB. It can only grow: a smaller value replaces the server. With
   * `autoGrow` this is the initial size, and Terraform ignores later changes to it.
   * @default 32768
   */
  readonly storageMb?: PostgresStorageMb;
  /**
   * Grow storage before it fills up (a full server turns read-only).
   * @default true
   */
  readonly autoGrow?: boolean;
  /**
   * Days of point-in-time restore, 7-35.
   * @default 35
   */
  readonly backupRetentionDays?: number;
  /**
   * A hot standby with automatic failover.
   * @default - none
   */
  readonly highAvailability?: PostgresHighAvailability;
  /**
   * Availability zone of the primary. After a failover Azure swaps the zones; Terraform ignores
   * the change rather than failing back.
   * @default - Azure chooses
   */
  readonly zone?: AvailabilityZone;
  /**
   * Databases, each protected by `prevent_destroy` (UTF8, `en_US.utf8`).
   * @default []
   */
  readonly databases?: readonly string[];
  /**
   * Planned maintenance window.
   * @default - system-managed
   */
  readonly maintenanceWindow?: PostgresMaintenanceWindow;
  /**
   * Lowest TLS version accepted (`ssl_min_protocol_version`); TLS itself is always required.
   * @default "TLSv1.2"
   */
  readonly minTlsVersion?: PostgresTlsVersion;
  /**
   * Further server parameters, e.g. `{ "azure.extensions": "PGCRYPTO" }`. The TLS parameters
   * are set by the construct and cannot be given here.
   * @default {}
   */
  readonly serverParameters?: Readonly<Record<string, string>>;
  /**
   * Allow password authentication besides Entra ID.
   * @default - Entra ID only: no administrator login or password exists
   */
  readonly passwordAuthentication?: PostgresPasswordAuthentication;
  /** FinOps tags; `submodule = "postgres-flexible-server"` is added. */
  readonly tags: Tags;
}

/** Server parameters the construct owns. */
const FIXED_PARAMETERS = ["require_secure_transport", "ssl_min_protocol_version"] as const;

/** Databases Azure creates itself or reserves. */
const RESERVED_DATABASES = new Set(["postgres", "azure_maintenance", "azure_sys", "template0", "template1"]);

/** Lowercase, unquoted PostgreSQL identifiers: nobody has to quote them in a connection string. */
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Administrator logins Azure rejects. */
const RESERVED_LOGINS = new Set([
  "azure_superuser",
  "azure_pg_admin",
  "admin",
  "administrator",
  "root",
  "guest",
  "public",
]);

const SKU = /^(B|GP|MO)_Standard_[A-Za-z0-9_]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const DAY_NUMBER: Readonly<Record<DayOfWeek, number>> = {
  Sunday: 0,
  Monday: 1,
  Tuesday: 2,
  Wednesday: 3,
  Thursday: 4,
  Friday: 5,
  Saturday: 6,
};

/**
 * An Azure Database for PostgreSQL flexible server reachable only from its delegated subnet
 * (no public endpoint), authenticated by Entra ID (no password unless explicitly opted in),
 * requiring TLS 1.2 or later, with 35 days of point-in-time restore. The server and every
 * database carry `prevent_destroy`.
 */
export class PostgresFlexibleServer extends Construct {
  readonly server: PostgresqlFlexibleServer;
  /** The Entra ID administrator assignment. */
  readonly administrator: PostgresqlFlexibleServerActiveDirectoryAdministrator;
  /** The further administrator assignments, by principal name. */
  readonly additionalAdministrators: Readonly<
    Record<string, PostgresqlFlexibleServerActiveDirectoryAdministrator>
  >;
  /** Databases by name. */
  readonly databases: Readonly<Record<string, PostgresqlFlexibleServerDatabase>>;
  /** Server parameters by name, including the TLS ones. */
  readonly parameters: Readonly<Record<string, PostgresqlFlexibleServerConfiguration>>;
  /** Resource ID. */
  readonly id: string;
  /** Server name (a reference, so users depend on the server). */
  readonly name: string;
  /** Host name clients connect to, `<name>.postgres.database.azure.com`. */
  readonly fqdn: string;
  /** Resource ID of the private DNS zone in use. */
  readonly privateDnsZoneId: string;

  constructor(scope: Construct, id: string, props: PostgresFlexibleServerProps) {
    super(scope, id);
    this.validate(props);
    const tags = withSubmodule(props.tags, "postgres-flexible-server");

    const dns = privateDnsZone(this, {
      zoneName: `${props.name}.private.postgres.database.azure.com`,
      linkName: `${props.name}-vnet-link`,
      resourceGroupName: props.resourceGroupName,
      dns: props.privateDns,
      tags,
    });
    this.privateDnsZoneId = dns.zoneId;

    const autoGrow = props.autoGrow ?? true;
    const ha = props.highAvailability;
    const password = props.passwordAuthentication;
    // After a failover Azure swaps primary and standby zones; following that is correct, moving
    // back would be a second failover. Auto-grown storage would otherwise read as a shrink,
    // which replaces the server.
    const ignoreChanges = [
      "zone",
      ...(ha ? ["high_availability[0].standby_availability_zone"] : []),
      ...(autoGrow ? ["storage_mb"] : []),
    ];

    this.server = new PostgresqlFlexibleServer(this, "server", {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      version: props.version ?? "16",
      skuName: props.sku,
      storageMb: props.storageMb ?? 32768,
      autoGrowEnabled: autoGrow,
      zone: props.zone,

      delegatedSubnetId: props.delegatedSubnetId,
      privateDnsZoneId: dns.zoneId,
      publicNetworkAccessEnabled: false,

      authentication: {
        activeDirectoryAuthEnabled: true,
        passwordAuthEnabled: password !== undefined,
        tenantId: props.tenantId,
      },
      administratorLogin: password?.administratorLogin,
      administratorPasswordWo: password?.password.stringValue,
      administratorPasswordWoVersion: password?.passwordVersion,

      backupRetentionDays: props.backupRetentionDays ?? 35,
      geoRedundantBackupEnabled: props.geoRedundantBackup,
      highAvailability: ha ? { mode: ha.mode, standbyAvailabilityZone: ha.standbyZone } : undefined,
      maintenanceWindow: props.maintenanceWindow
        ? {
            dayOfWeek: DAY_NUMBER[props.maintenanceWindow.dayOfWeek],
            startHour: props.maintenanceWindow.startHour,
            startMinute: props.maintenanceWindow.startMinute ?? 0,
          }
        : undefined,

      tags,
      // The server can only register in the zone once the zone resolves in the VNet.
      dependsOn: dns.link ? [dns.link] : undefined,
      lifecycle: statefulLifecycle({ ignoreChanges }),
    });

    // Each administrator references the server, so it is created after the server, whose
    // authentication block turns Entra ID on. The provider serialises administrator writes per
    // server (a lock on the server name, hashicorp/terraform-provider-azurerm@v4.55.0:
    // internal/services/postgres/postgresql_flexible_server_active_directory_administrator_resource.go).
    const entraAdministrator = (id: string, admin: PostgresEntraAdministrator) =>
      new PostgresqlFlexibleServerActiveDirectoryAdministrator(this, id, {
        serverName: this.server.name,
        resourceGroupName: props.resourceGroupName,
        tenantId: props.tenantId,
        objectId: admin.objectId,
        principalName: admin.principalName,
        principalType: admin.principalType,
      });
    this.administrator = entraAdministrator("entra-administrator", props.administrator);
    const additional: Record<string, PostgresqlFlexibleServerActiveDirectoryAdministrator> = {};
    for (const admin of props.additionalAdministrators ?? []) {
      additional[admin.principalName] = entraAdministrator(
        `entra-administrator-${admin.principalName}`,
        admin,
      );
    }
    this.additionalAdministrators = additional;

    const parameters: Record<string, PostgresqlFlexibleServerConfiguration> = {};
    const allParameters: Record<string, string> = {
      ...props.serverParameters,
      require_secure_transport: "on",
      ssl_min_protocol_version: props.minTlsVersion ?? "TLSv1.2",
    };
    for (const [name, value] of Object.entries(allParameters)) {
      parameters[name] = new PostgresqlFlexibleServerConfiguration(this, `parameter-${name}`, {
        name,
        serverId: this.server.id,
        value,
      });
    }
    this.parameters = parameters;

    const databases: Record<string, PostgresqlFlexibleServerDatabase> = {};
    for (const name of props.databases ?? []) {
      databases[name] = new PostgresqlFlexibleServerDatabase(this, `database-${name}`, {
        name,
        serverId: this.server.id,
        charset: "UTF8",
        collation: "en_US.utf8",
        lifecycle: statefulLifecycle(),
      });
    }
    this.databases = databases;

    this.id = this.server.id;
    this.name = this.server.name;
    this.fqdn = this.server.fqdn;
  }

  private validate(props: PostgresFlexibleServerProps): void {
    const err = (message: string) => new ConstructValidationError(this.node.path, message);

    if (!Token.isUnresolved(props.name)) {
      const problem = checkName(NAMING_RULES.postgresqlServer, props.name);
      if (problem)
        throw err(`${problem}. Server names are global DNS names; derive them from the environment.`);
    }
    if (!Token.isUnresolved(props.sku) && !SKU.test(props.sku)) {
      throw err(
        `sku "${props.sku}" is not a flexible server SKU; write <tier>_<name> with tier B, GP or MO, ` +
          'e.g. "GP_Standard_D2ds_v5"',
      );
    }
    if (typeof props.geoRedundantBackup !== "boolean" && !Token.isUnresolved(props.geoRedundantBackup)) {
      throw err(
        "geoRedundantBackup must be set to true or false: Azure fixes it when the server is created " +
          "and changing it later replaces the server",
      );
    }
    if (!Token.isUnresolved(props.tenantId) && !UUID.test(props.tenantId)) {
      throw err(`tenantId "${props.tenantId}" is not a GUID; give the object's ID, not its name`);
    }
    const admins: [string, PostgresEntraAdministrator][] = [
      ["administrator", props.administrator],
      ...(props.additionalAdministrators ?? []).map(
        (a, i) => [`additionalAdministrators[${i}]`, a] as [string, PostgresEntraAdministrator],
      ),
    ];
    const principals = new Map<string, string>();
    for (const [field, admin] of admins) {
      if (!Token.isUnresolved(admin.objectId) && !UUID.test(admin.objectId)) {
        throw err(`${field}.objectId "${admin.objectId}" is not a GUID; give the object's ID, not its name`);
      }
      const name = admin.principalName;
      if (Token.isUnresolved(name)) {
        if (field !== "administrator") {
          throw err(`${field}.principalName must be a literal string: it is part of the Terraform address`);
        }
        continue;
      }
      if (name.trim() === "") {
        throw err(`${field}.principalName is empty; give the display name of the user, group or principal`);
      }
      const other = principals.get(name.toLowerCase());
      if (other !== undefined) {
        throw err(`${field}.principalName "${name}" is already ${other}; every administrator is named once`);
      }
      principals.set(name.toLowerCase(), field);
    }

    const ha = props.highAvailability;
    const checked = { ...props, highAvailability: ha !== undefined };
    for (const p of postgresServerProblems(checked, Token.isUnresolved)) throw err(p.message);
    if (ha?.standbyZone !== undefined && props.zone !== undefined) {
      if (ha.mode === "ZoneRedundant" && ha.standbyZone === props.zone) {
        throw err(
          `highAvailability: a ZoneRedundant standby must be in another zone than the primary (both are ` +
            `zone ${props.zone}); choose a different standbyZone or mode "SameZone"`,
        );
      }
      if (ha.mode === "SameZone" && ha.standbyZone !== props.zone) {
        throw err(
          `highAvailability: a SameZone standby lives in the primary's zone ${props.zone}, not ` +
            `${ha.standbyZone}; drop standbyZone or use mode "ZoneRedundant"`,
        );
      }
    }

    const window = props.maintenanceWindow;
    if (window) {
      checkRange(err, "maintenanceWindow.startHour", window.startHour, 0, 23);
      checkRange(err, "maintenanceWindow.startMinute", window.startMinute, 0, 59);
    }

    const seen = new Set<string>();
    for (const name of props.databases ?? []) {
      if (Token.isUnresolved(name)) {
        throw err("database names must be literal strings: they are part of the Terraform address");
      }
      if (seen.has(name)) throw err(`database "${name}" is listed twice`);
      seen.add(name);
      if (!DATABASE_NAME.test(name)) {
        throw err(
          `database name "${name}" must be 1-63 lowercase letters, digits and underscores, starting with a ` +
            "letter or underscore (an identifier nobody has to quote)",
        );
      }
      if (RESERVED_DATABASES.has(name))
        throw err(`database name "${name}" is reserved by PostgreSQL or Azure`);
    }

    for (const name of Object.keys(props.serverParameters ?? {})) {
      if ((FIXED_PARAMETERS as readonly string[]).includes(name)) {
        throw err(
          `serverParameters must not set "${name}": TLS is enforced by the construct (use minTlsVersion ` +
            "to require TLS 1.3)",
        );
      }
    }

    const password = props.passwordAuthentication;
    if (password) {
      if (password.password.sensitive !== true) {
        throw err(
          `passwordAuthentication.password: variable "${password.password.node.id}" must be declared with ` +
            "sensitive: true so Terraform never prints it",
        );
      }
      if (password.password.type !== undefined && password.password.type !== "string") {
        throw err(
          `passwordAuthentication.password: variable "${password.password.node.id}" must be of type string`,
        );
      }
      const login = password.administratorLogin;
      if (!Token.isUnresolved(login)) {
        if (RESERVED_LOGINS.has(login.toLowerCase()) || login.toLowerCase().startsWith("pg_")) {
          throw err(
            `passwordAuthentication.administratorLogin "${login}" is reserved by Azure; choose another login`,
          );
        }
        if (!/^[a-z_][a-z0-9_]{0,62}$/i.test(login)) {
          throw err(
            `passwordAuthentication.administratorLogin "${login}" must be 1-63 letters, digits and ` +
              "underscores, starting with a letter or underscore",
          );
        }
      }
      const version = password.passwordVersion;
      if (!Token.isUnresolved(version) && (!Number.isInteger(version) || version < 1)) {
        throw err(`passwordAuthentication.passwordVersion ${version} must be a whole number from 1`);
      }
    }
  }
}

function checkRange(
  err: (message: string) => ConstructValidationError,
  field: string,
  value: number | undefined,
  min: number,
  max: number,
): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw err(`${field} ${value} must be a whole number from ${min} to ${max}`);
  }
}
