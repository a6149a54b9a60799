/**
 * The one definition of the fleet's own settings (environments/fleet.yaml) and of Altinn's
 * environments.json, written with TypeBox: each schema below is a JSON Schema (draft-07, checked
 * by ajv with file and line for every error), `Static<>` of it is the TypeScript type the code
 * reads (fleet/model.ts re-exports them), and `npm run docs` writes it as
 * docs/fleet-settings.schema.json for editors (a test fails when that file drifts).
 *
 * Enumerations that are Azure facts come from the constructs that own them, in modules that
 * load neither cdktf nor the provider (constructs/cluster/settings.ts, ...), so a value the
 * schema accepts is always one the construct accepts. Rules that span fields or files
 * (min <= max, unknown orgs, address overlaps, Azure naming) are in fleet/rules/; VM sizes in
 * fleet/vm-sizes.ts.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import {
  AKS_SKU_TIERS,
  AUTOMATIC_UPGRADE_CHANNELS,
  DAYS_OF_WEEK,
  MAINTENANCE_FREQUENCIES,
  NODE_OS_UPGRADE_CHANNELS,
} from "../../constructs/cluster/settings";
import {
  POSTGRES_BACKUP_RETENTION_DAYS,
  POSTGRES_STORAGE_SIZES_MB,
  POSTGRES_VERSIONS,
  type PostgresStorageMb,
} from "../../constructs/database/settings";
import { PRINCIPAL_TYPES } from "../../constructs/identity/settings";
import { KEY_VAULT_SKUS } from "../../constructs/keyvault/settings";
import { AVAILABILITY_ZONES } from "../../constructs/network/settings";
import { REGISTRY_SKUS } from "../../constructs/registry/settings";
import { SERVICE_NAMES } from "../../constructs/services/service-names";
import { STORAGE_REPLICATIONS } from "../../constructs/storage/settings";

// ---- Building blocks

/**
 * A closed set of strings as JSON Schema's `enum` (ajv then names the allowed values in its
 * message), typed as their union.
 */
function oneOf<const T extends readonly string[]>(values: T, description?: string) {
  return Type.Unsafe<T[number]>({ enum: [...values], ...(description ? { description } : {}) });
}

/** An object with exactly these fields: an unknown field is a mistake (a typo, or the wrong level). */
function closed<P extends Record<string, TSchema>>(properties: P, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}

/** An object keyed by names the user chooses (orgs, environments, scopes), every value of one shape. */
function keyed<T extends TSchema>(value: T, description?: string) {
  return Type.Unsafe<Record<string, Static<T>>>({
    type: "object",
    additionalProperties: value,
    ...(description ? { description } : {}),
  });
}

/** A reference to a shape defined once under `definitions` (ajv compiles it once). */
function ref<T extends TSchema>(name: keyof typeof definitions, _shape: T) {
  return Type.Unsafe<Static<T>>({ $ref: `#/definitions/${name}` });
}

const CIDR = "^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$";
const HHMM = "^([01]\\d|2[0-3]):[0-5]\\d$";
const GUID = "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$";
const NINE_DIGITS = "^[0-9]{9}$";

const cidr = (description?: string) =>
  Type.String({ pattern: CIDR, ...(description ? { description } : {}) });
const guid = (description?: string) =>
  Type.String({ pattern: GUID, ...(description ? { description } : {}) });
const nineDigits = (description?: string) =>
  Type.String({ pattern: NINE_DIGITS, ...(description ? { description } : {}) });

/** What a pattern means, for messages and fixes (a regular expression helps nobody). */
export const PATTERN_MEANINGS: Readonly<Record<string, { what: string; example: string }>> = {
  [CIDR]: { what: "an IPv4 range in CIDR notation", example: "10.0.0.0/16" },
  [HHMM]: { what: "a time of day as HH:MM", example: "02:00" },
  [GUID]: { what: "a GUID (8-4-4-4-12 hexadecimal digits)", example: "9323af63-45cd-4572-a603-95adbeb94738" },
  [NINE_DIGITS]: { what: "an organisation number of 9 digits", example: "991825827" },
};

/** Altinn's two kinds of environment (environments.json `type`); settings come per class. */
export const ENVIRONMENT_CLASSES = ["test", "production"] as const;
export type EnvironmentClassName = (typeof ENVIRONMENT_CLASSES)[number];
const environmentClass = oneOf(ENVIRONMENT_CLASSES);

/** One value per environment class. */
function perClass<T extends TSchema>(value: T, description?: string) {
  return closed({ test: value, production: value }, description);
}

// ---- Cluster settings (resolved per org and environment)

export const MaintenanceWindowSchema = closed(
  {
    frequency: oneOf(MAINTENANCE_FREQUENCIES),
    dayOfWeek: Type.Optional(oneOf(DAYS_OF_WEEK, "required for a Weekly window")),
    startTime: Type.String({ pattern: HHMM, description: "HH:MM, UTC unless utcOffset says otherwise" }),
    durationHours: Type.Integer(),
    utcOffset: Type.Optional(Type.String({ pattern: "^[+-]([01]\\d|2[0-3]):[0-5]\\d$" })),
  },
  "An AKS planned maintenance window",
);

export const NodePoolSchema = closed({
  name: Type.String(),
  vmSize: Type.String({ pattern: "^Standard_[A-Za-z0-9_]+$" }),
  minCount: Type.Integer(),
  maxCount: Type.Integer(),
});

export const ClusterSettingsSchema = closed(
  {
    kubernetesVersion: Type.String({ pattern: "^\\d+\\.\\d+$" }),
    skuTier: oneOf(AKS_SKU_TIERS),
    apiServerAuthorizedIpRanges: Type.Array(cidr()),
    automaticUpgradeChannel: oneOf(AUTOMATIC_UPGRADE_CHANNELS),
    nodeOsUpgradeChannel: oneOf(NODE_OS_UPGRADE_CHANNELS),
    maintenance: closed({ autoUpgrade: MaintenanceWindowSchema, nodeOs: MaintenanceWindowSchema }),
    nodePools: closed({ system: NodePoolSchema, user: NodePoolSchema }),
    zones: Type.Array(oneOf(AVAILABILITY_ZONES), { uniqueItems: true }),
    storage: closed({ replication: oneOf(STORAGE_REPLICATIONS) }),
    keyVault: closed({ sku: oneOf(KEY_VAULT_SKUS), softDeleteRetentionDays: Type.Integer() }),
    logAnalytics: closed({ retentionInDays: Type.Integer() }),
    ingress: closed({ replicas: Type.Integer() }),
  },
  "Everything that decides one cluster environment; resolved per org and environment",
);

/** The same shape with nothing required, at any depth: an override may set any subset. */
function optionalEverywhere(schema: unknown): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "required") continue;
    out[key] =
      key === "properties"
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, optionalEverywhere(v)]))
        : value;
  }
  return out;
}

export type DeepPartial<T> = T extends readonly (infer _U)[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

const ClusterOverrideSchema = Type.Unsafe<DeepPartial<Static<typeof ClusterSettingsSchema>>>(
  optionalEverywhere(ClusterSettingsSchema) as object,
);

export const PostgresSchema = closed({
  sku: Type.String({ pattern: "^(B|GP|MO)_Standard_[A-Za-z0-9_]+$" }),
  version: oneOf(POSTGRES_VERSIONS),
  storageMb: Type.Unsafe<PostgresStorageMb>({ enum: [...POSTGRES_STORAGE_SIZES_MB] }),
  backupRetentionDays: Type.Integer({
    minimum: POSTGRES_BACKUP_RETENTION_DAYS.min,
    maximum: POSTGRES_BACKUP_RETENTION_DAYS.max,
  }),
  highAvailability: Type.Boolean(),
  geoRedundantBackup: Type.Boolean(),
});

// Each shape is defined once under `definitions` and referenced, so ajv compiles it once.
const definitions = {
  clusterSettings: ClusterSettingsSchema,
  clusterOverride: ClusterOverrideSchema,
  postgres: PostgresSchema,
};
const clusterSettings = ref("clusterSettings", ClusterSettingsSchema);
const clusterOverride = ref("clusterOverride", ClusterOverrideSchema);
const postgres = ref("postgres", PostgresSchema);
const replication = oneOf(STORAGE_REPLICATIONS);

// ---- Platform and Studio

export const EntraPrincipalSchema = closed({
  objectId: guid(),
  principalName: Type.String({ minLength: 1 }),
  principalType: oneOf(PRINCIPAL_TYPES),
});

const databaseNames = Type.Array(Type.String({ pattern: "^[a-z][a-z0-9_]{0,62}$" }), { uniqueItems: true });

export const PlatformClassSchema = closed({
  apiManagementSku: Type.String({
    pattern: "^(Developer_1|Premium_[1-9][0-9]*|Standard_[1-9]|Basic_[1-9])$",
  }),
  postgres,
  cosmosMaxThroughput: Type.Integer({ minimum: 1000, multipleOf: 1000 }),
  storageReplication: replication,
});

export const GatewayCertificateSchema = closed(
  {
    officers: EntraPrincipalSchema,
    caaIssuers: Type.Array(
      Type.String({ pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$" }),
      { minItems: 1, uniqueItems: true, description: "CAs that issue it, e.g. digicert.com (CAA records)" },
    ),
    imported: Type.Array(Type.String({ minLength: 1 }), {
      uniqueItems: true,
      description: "Environments (names as in environments.json) whose Key Vault holds the certificate",
    }),
  },
  "The TLS certificate API Management serves platform.{hostname} with (README: Platform gateway certificate)",
);

const PlatformSchema = closed({
  cluster: Type.Optional(clusterOverride),
  classes: perClass(PlatformClassSchema),
  apiManagementPublisher: closed({
    name: Type.String({ minLength: 1 }),
    email: Type.String({ format: "email" }),
  }),
  cosmosFailoverLocation: Type.String({ pattern: "^[a-z0-9]+$" }),
  gatewayCertificate: GatewayCertificateSchema,
  cosmosContainers: Type.Array(
    closed({
      name: Type.String({ pattern: "^[A-Za-z][A-Za-z0-9]*$" }),
      partitionKey: Type.String({ pattern: "^/" }),
    }),
    { minItems: 1 },
  ),
  databaseAdmin: EntraPrincipalSchema,
  postgresDatabases: databaseNames,
});

export const StudioClassSchema = closed({ postgres, storageReplication: replication });

export const StudioEnvironmentSchema = closed({
  name: Type.String({ pattern: "^[a-z0-9]+$" }),
  hostname: Type.String({ minLength: 1 }),
  type: environmentClass,
});

const StudioSchema = closed({
  environments: Type.Array(StudioEnvironmentSchema, { minItems: 1 }),
  cluster: Type.Optional(clusterOverride),
  classes: perClass(StudioClassSchema),
  databaseAdmin: EntraPrincipalSchema,
  postgresDatabases: databaseNames,
});

// ---- Supporting services

/** Service name → true/false or that service's options (checked by the services' own rules at load). */
const ServiceSelectionSchema = Type.Unsafe<Readonly<Record<string, unknown>>>({
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(SERVICE_NAMES.map((n) => [n, { type: ["boolean", "object"] }])),
});

export const ExternalClusterSchema = closed({
  name: Type.String({
    pattern: "^[a-z][a-z0-9-]{0,40}[a-z0-9]$",
    description: "Names the services-<name> stack",
  }),
  kubeconfigContext: Type.String({ minLength: 1 }),
  kubeconfigPath: Type.Optional(Type.String({ minLength: 1, description: 'default "~/.kube/config"' })),
  services: ServiceSelectionSchema,
});

const ServicesSchema = closed({
  clusters: Type.Optional(
    keyed(
      ServiceSelectionSchema,
      "By cluster key (the cluster's stack id: apps-ttd-tt02, platform-tt02, studio-dev)",
    ),
  ),
  external: Type.Optional(Type.Array(ExternalClusterSchema)),
});

// ---- Pipeline identities and their roles

/** Azure RBAC operation strings (`Microsoft.Network/virtualNetworks/read`, `*\/read`). */
const operations = Type.Array(Type.String({ pattern: "^[A-Za-z0-9.*]+(/[A-Za-z0-9.*_-]+)*$" }));

export const RoleAssignmentSchema = Type.Union([
  Type.String({ minLength: 1 }),
  closed({
    role: Type.String({ minLength: 1 }),
    scope: Type.Optional(Type.String({ minLength: 1 })),
    onlyRoles: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
  }),
]);

export const CustomRoleSchema = closed({
  description: Type.String({ minLength: 1 }),
  actions: operations,
  notActions: Type.Optional(operations),
  dataActions: Type.Optional(operations),
  notDataActions: Type.Optional(operations),
});

const PipelineRolesSchema = closed({
  customRoles: keyed(CustomRoleSchema),
  sets: keyed(
    closed({ plan: Type.Array(RoleAssignmentSchema), apply: Type.Array(RoleAssignmentSchema) }),
    "Named sets of role assignments for the plan and apply identity of a state scope",
  ),
});

const OperatorsSchema = closed({
  maskinportenVault: closed({
    name: Type.String({ minLength: 3 }),
    resourceGroup: Type.String({ minLength: 1 }),
  }),
  configSync: perClass(postgres),
});

// ---- Remote state and addresses

const StateSchema = closed({
  resourceGroupName: Type.String({ minLength: 1 }),
  storageAccountName: Type.String({ minLength: 1 }),
  containerPattern: Type.String({
    pattern: "\\{env\\}",
    description: "Container name pattern; {env} is replaced by the environment token or shared",
  }),
  principals: keyed(
    closed({ plan: guid(), apply: guid(), roles: Type.String({ minLength: 1 }) }),
    "Per state scope: the Entra object ids of the identities that plan and apply its stacks, and their role set",
  ),
  allowedIpRanges: Type.Array(cidr(), {
    description: "Public egress ranges of build agents outside the state account's region",
  }),
  allowedSubnetIds: Type.Optional(
    Type.Array(
      Type.String({
        pattern:
          "^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+$",
      }),
      {
        description:
          "Subnets of build agents in the state account's region (Microsoft.Storage service endpoint)",
      },
    ),
  ),
});

export const ReservedRangeSchema = closed({ cidr: cidr(), reason: Type.String({ minLength: 1 }) });

export const AddressPlanSettingsSchema = closed({
  pool: cidr("IPv4 range all cluster blocks come from, e.g. 10.0.0.0/9"),
  blockPrefixLength: Type.Integer({
    minimum: 16,
    maximum: 28,
    description: "Prefix length of every cluster block",
  }),
  reserved: Type.Array(ReservedRangeSchema, { description: "Ranges no block may overlap" }),
  podCidr: cidr("Overlay pod range, reused by every cluster"),
  serviceCidr: cidr("Kubernetes service range, reused by every cluster"),
  dnsServiceIp: Type.String({
    pattern: "^\\d{1,3}(\\.\\d{1,3}){3}$",
    description: "The cluster DNS service address, inside serviceCidr",
  }),
});

// ---- The whole file

export const OrgOverrideSchema = closed({
  orgnr: Type.Optional(nineDigits("Only where the registry has no organisation number")),
  all: Type.Optional(clusterOverride),
  environments: Type.Optional(keyed(clusterOverride)),
});

/**
 * `decommission.<org>`: what of an org that left the registry (or some of its environments) is
 * destroyed. Its stacks keep being synthesized, in destroy mode, until the entry is removed after
 * the destruction was applied (README "Decommission an organisation").
 */
export const DecommissionSchema = closed({
  environments: Type.Optional(
    Type.Array(Type.String({ minLength: 1 }), {
      uniqueItems: true,
      description:
        "Environments (names as in environments.json) whose apps-<org>-<env> and -k8s stacks are destroyed",
    }),
  ),
  registry: Type.Optional(
    Type.Boolean({
      description:
        "Destroy org-<org>, the org's container registry (only once no Apps environment of the org is left)",
    }),
  ),
  destroyStatefulResources: Type.Optional(
    Type.Boolean({
      description:
        "The second, explicit setting: let the destruction take the stateful resources too; without it they keep prevent_destroy and the destroy plan fails, naming each",
    }),
  ),
});

/** Apply order within a scope (cli/pipeline/rollout.ts). At most 20 batches: a stage holds 256 jobs. */
export const RolloutSchema = closed(
  {
    canaries: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        uniqueItems: true,
        description: "Org codes applied first in every scope they run in",
      }),
    ),
    batches: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 20,
        description: "How many batches the other orgs of a wave are split into (by a hash of the org code)",
      }),
    ),
    failureBudget: Type.Optional(
      Type.Object(
        {
          stacks: Type.Optional(Type.Integer({ minimum: 0 })),
          percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
        },
        {
          additionalProperties: false,
          minProperties: 1,
          description:
            "Stop the scope when more than `stacks` stacks, or more than `percent`% of those applied so far, failed",
        },
      ),
    ),
  },
  "Within a scope, each dependency wave applies the canary orgs first, then the other orgs in batches",
);

const FleetSettingsObject = closed({
  location: Type.String({ pattern: "^[a-z0-9]+$" }),
  repository: Type.String({ minLength: 1 }),
  operator: closed(
    { code: Type.String({ pattern: "^[a-z0-9]+$" }), orgnr: nineDigits() },
    "Who runs the shared environments (Platform, Studio): their FinOps service owner",
  ),
  nameTokens: keyed(
    Type.String({ pattern: "^[a-z0-9]+$" }),
    "Environment name -> token in names (production: prod)",
  ),
  retiredEnvironments: keyed(Type.String({ minLength: 1 }), "Environment name -> why it is retired"),
  state: StateSchema,
  subscriptions: keyed(guid(), "The subscription of every state scope, and bootstrap (the state account's)"),
  clusterAdminGroupObjectIds: perClass(Type.Array(guid(), { minItems: 1 })),
  registry: closed({ sku: oneOf(REGISTRY_SKUS) }),
  environmentClasses: perClass(clusterSettings),
  environments: Type.Optional(keyed(clusterOverride)),
  orgs: Type.Optional(keyed(OrgOverrideSchema)),
  addressPlan: AddressPlanSettingsSchema,
  decommission: Type.Optional(
    keyed(DecommissionSchema, "Orgs, or an org's environments, whose stacks are destroyed deliberately"),
  ),
  platform: PlatformSchema,
  studio: StudioSchema,
  services: Type.Optional(ServicesSchema),
  operators: OperatorsSchema,
  pipelineRoles: PipelineRolesSchema,
  rollout: Type.Optional(RolloutSchema),
});

/** environments/fleet.yaml. */
export const fleetSettingsSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  title: "Altinn fleet settings (environments/fleet.yaml)",
  definitions,
  ...FleetSettingsObject,
} as typeof FleetSettingsObject & { definitions: typeof definitions };

// ---- Altinn's environments.json

/** Altinn's environments.json has no published schema; this one follows the CDN file. */
export const RegistryEnvironmentSchema = Type.Object({
  name: Type.String({ pattern: "^[a-z0-9]+$" }),
  hostname: Type.String({ minLength: 1 }),
  type: environmentClass,
  platformUrl: Type.Optional(Type.String()),
  appPrefix: Type.String({ pattern: "^[a-z0-9-]+$" }),
  platformPrefix: Type.String({ pattern: "^[a-z0-9-]+$" }),
});

export const environmentsSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  ...Type.Object({ environments: Type.Array(RegistryEnvironmentSchema) }),
};

/** The JSON Schema file editors read for fleet.yaml (docs/fleet-settings.schema.json). */
export function fleetSettingsSchemaJson(): string {
  return `${JSON.stringify(fleetSettingsSchema, null, 2)}\n`;
}
