/**
 * JSON Schemas (draft-07, checked by ajv) for the fleet's own files. Structure and types are
 * checked here; rules that span fields or files (min <= max, unknown orgs, address overlaps,
 * Azure naming) are in load.ts and validate-settings.ts; VM sizes in vm-sizes.ts.
 */

type Schema = Record<string, unknown>;

const cidr = { type: "string", pattern: "^\\d{1,3}(\\.\\d{1,3}){3}/\\d{1,2}$" };
const hhmm = { type: "string", pattern: "^([01]\\d|2[0-3]):[0-5]\\d$" };
const guid = { type: "string", pattern: "^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$" };
const nineDigits = { type: "string", pattern: "^[0-9]{9}$" };

/** What a pattern means, for messages and fixes (a regular expression helps nobody). */
export const PATTERN_MEANINGS: Readonly<Record<string, { what: string; example: string }>> = {
  [cidr.pattern]: { what: "an IPv4 range in CIDR notation", example: "10.0.0.0/16" },
  [hhmm.pattern]: { what: "a time of day as HH:MM", example: "02:00" },
  [guid.pattern]: {
    what: "a GUID (8-4-4-4-12 hexadecimal digits)",
    example: "9323af63-45cd-4572-a603-95adbeb94738",
  },
  [nineDigits.pattern]: { what: "an organisation number of 9 digits", example: "991825827" },
};

const maintenanceWindow: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["frequency", "startTime", "durationHours"],
  properties: {
    frequency: { enum: ["Weekly", "Daily"] },
    dayOfWeek: { enum: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] },
    startTime: hhmm,
    durationHours: { type: "integer" },
    utcOffset: { type: "string", pattern: "^[+-]([01]\\d|2[0-3]):[0-5]\\d$" },
  },
};

const nodePool: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["name", "vmSize", "minCount", "maxCount"],
  properties: {
    name: { type: "string" },
    vmSize: { type: "string", pattern: "^Standard_[A-Za-z0-9_]+$" },
    minCount: { type: "integer" },
    maxCount: { type: "integer" },
  },
};

const clusterSettings: Schema = {
  type: "object",
  additionalProperties: false,
  required: [
    "kubernetesVersion",
    "skuTier",
    "apiServerAuthorizedIpRanges",
    "automaticUpgradeChannel",
    "nodeOsUpgradeChannel",
    "maintenance",
    "nodePools",
    "zones",
    "storage",
    "keyVault",
    "logAnalytics",
    "ingress",
  ],
  properties: {
    kubernetesVersion: { type: "string", pattern: "^\\d+\\.\\d+$" },
    skuTier: { enum: ["Free", "Standard", "Premium"] },
    apiServerAuthorizedIpRanges: { type: "array", items: cidr },
    automaticUpgradeChannel: { enum: ["patch", "stable", "rapid", "node-image", "none"] },
    nodeOsUpgradeChannel: { enum: ["NodeImage", "SecurityPatch", "Unmanaged", "None"] },
    maintenance: {
      type: "object",
      additionalProperties: false,
      required: ["autoUpgrade", "nodeOs"],
      properties: { autoUpgrade: maintenanceWindow, nodeOs: maintenanceWindow },
    },
    nodePools: {
      type: "object",
      additionalProperties: false,
      required: ["system", "user"],
      properties: { system: nodePool, user: nodePool },
    },
    zones: { type: "array", items: { enum: ["1", "2", "3"] }, uniqueItems: true },
    storage: {
      type: "object",
      additionalProperties: false,
      required: ["replication"],
      properties: { replication: { enum: ["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"] } },
    },
    keyVault: {
      type: "object",
      additionalProperties: false,
      required: ["sku", "softDeleteRetentionDays"],
      properties: { sku: { enum: ["standard", "premium"] }, softDeleteRetentionDays: { type: "integer" } },
    },
    logAnalytics: {
      type: "object",
      additionalProperties: false,
      required: ["retentionInDays"],
      properties: { retentionInDays: { type: "integer" } },
    },
    ingress: {
      type: "object",
      additionalProperties: false,
      required: ["replicas"],
      properties: { replicas: { type: "integer" } },
    },
  },
};

/** The same shape with nothing required: an override may set any subset. */
function optionalEverywhere(schema: Schema): Schema {
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "required") continue;
    if (key === "properties" && value && typeof value === "object") {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, Schema>).map(([k, v]) => [k, optionalEverywhere(v)]),
      );
    } else {
      out[key] = value;
    }
  }
  return out;
}

const clusterOverrideDefinition = optionalEverywhere(clusterSettings);

// Each shape is defined once under `definitions` and referenced, so ajv compiles it once.
const clusterSettingsRef = { $ref: "#/definitions/clusterSettings" };
const clusterOverride = { $ref: "#/definitions/clusterOverride" };
const postgresRef = { $ref: "#/definitions/postgres" };

const replication = { enum: ["LRS", "ZRS", "GRS", "GZRS", "RAGRS", "RAGZRS"] };

const postgres: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["sku", "version", "storageMb", "backupRetentionDays", "highAvailability", "geoRedundantBackup"],
  properties: {
    sku: { type: "string", pattern: "^(B|GP|MO)_Standard_[A-Za-z0-9_]+$" },
    version: { enum: ["14", "15", "16", "17"] },
    storageMb: { type: "integer", minimum: 32768 },
    backupRetentionDays: { type: "integer", minimum: 7, maximum: 35 },
    highAvailability: { type: "boolean" },
    geoRedundantBackup: { type: "boolean" },
  },
};

const entraPrincipal: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["objectId", "principalName", "principalType"],
  properties: {
    objectId: guid,
    principalName: { type: "string", minLength: 1 },
    principalType: { enum: ["Group", "User", "ServicePrincipal"] },
  },
};

const databaseNames = {
  type: "array",
  items: { type: "string", pattern: "^[a-z][a-z0-9_]{0,62}$" },
  uniqueItems: true,
};

const platform: Schema = {
  type: "object",
  additionalProperties: false,
  required: [
    "classes",
    "apiManagementPublisher",
    "cosmosFailoverLocation",
    "gatewayCertificate",
    "cosmosContainers",
    "databaseAdmin",
    "postgresDatabases",
  ],
  properties: {
    cluster: clusterOverride,
    classes: {
      type: "object",
      additionalProperties: false,
      required: ["test", "production"],
      properties: Object.fromEntries(
        ["test", "production"].map((c) => [
          c,
          {
            type: "object",
            additionalProperties: false,
            required: ["apiManagementSku", "postgres", "cosmosMaxThroughput", "storageReplication"],
            properties: {
              apiManagementSku: {
                type: "string",
                pattern: "^(Developer_1|Premium_[1-9][0-9]*|Standard_[1-9]|Basic_[1-9])$",
              },
              postgres: postgresRef,
              cosmosMaxThroughput: { type: "integer", minimum: 1000, multipleOf: 1000 },
              storageReplication: replication,
            },
          },
        ]),
      ),
    },
    apiManagementPublisher: {
      type: "object",
      additionalProperties: false,
      required: ["name", "email"],
      properties: { name: { type: "string", minLength: 1 }, email: { type: "string", format: "email" } },
    },
    cosmosFailoverLocation: { type: "string", pattern: "^[a-z0-9]+$" },
    gatewayCertificate: {
      type: "object",
      additionalProperties: false,
      required: ["officers", "caaIssuers", "imported"],
      properties: {
        officers: entraPrincipal,
        caaIssuers: {
          type: "array",
          minItems: 1,
          uniqueItems: true,
          items: {
            type: "string",
            pattern: "^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$",
          },
        },
        imported: { type: "array", uniqueItems: true, items: { type: "string", minLength: 1 } },
      },
    },
    cosmosContainers: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "partitionKey"],
        properties: {
          name: { type: "string", pattern: "^[A-Za-z][A-Za-z0-9]*$" },
          partitionKey: { type: "string", pattern: "^/" },
        },
      },
    },
    databaseAdmin: entraPrincipal,
    postgresDatabases: databaseNames,
  },
};

const SERVICE_NAMES = [
  "postgresql",
  "redis",
  "nginx",
  "certManager",
  "loki",
  "grafana",
  "prometheus",
  "oathkeeper",
  "hydra",
  "keto",
  "kratos",
  "argocd",
];

/** Service name → true/false or that service's options (checked in depth by the bundle). */
const serviceSelection: Schema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: Object.fromEntries(SERVICE_NAMES.map((n) => [n, { type: ["boolean", "object"] }])),
};

const services: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    clusters: { type: "object", additionalProperties: serviceSelection },
    external: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "kubeconfigContext", "services"],
        properties: {
          name: { type: "string", pattern: "^[a-z][a-z0-9-]{0,40}[a-z0-9]$" },
          kubeconfigContext: { type: "string", minLength: 1 },
          kubeconfigPath: { type: "string", minLength: 1 },
          services: serviceSelection,
        },
      },
    },
  },
};

/** Azure RBAC operation strings (`Microsoft.Network/virtualNetworks/read`, `*\/read`). */
const operations = {
  type: "array",
  items: { type: "string", pattern: "^[A-Za-z0-9.*]+(/[A-Za-z0-9.*_-]+)*$" },
};

const roleAssignment: Schema = {
  oneOf: [
    { type: "string", minLength: 1 },
    {
      type: "object",
      additionalProperties: false,
      required: ["role"],
      properties: {
        role: { type: "string", minLength: 1 },
        scope: { type: "string", minLength: 1 },
        onlyRoles: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1 },
      },
    },
  ],
};

const pipelineRoles: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["customRoles", "sets"],
  properties: {
    customRoles: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["description", "actions"],
        properties: {
          description: { type: "string", minLength: 1 },
          actions: operations,
          notActions: operations,
          dataActions: operations,
          notDataActions: operations,
        },
      },
    },
    sets: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        required: ["plan", "apply"],
        properties: {
          plan: { type: "array", items: roleAssignment },
          apply: { type: "array", items: roleAssignment },
        },
      },
    },
  },
};

const operators: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["maskinportenVault", "configSync"],
  properties: {
    maskinportenVault: {
      type: "object",
      additionalProperties: false,
      required: ["name", "resourceGroup"],
      properties: { name: { type: "string", minLength: 3 }, resourceGroup: { type: "string", minLength: 1 } },
    },
    configSync: {
      type: "object",
      additionalProperties: false,
      required: ["test", "production"],
      properties: { test: postgresRef, production: postgresRef },
    },
  },
};

const studio: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["environments", "classes", "databaseAdmin", "postgresDatabases"],
  properties: {
    environments: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "hostname", "type"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9]+$" },
          hostname: { type: "string", minLength: 1 },
          type: { enum: ["test", "production"] },
        },
      },
    },
    cluster: clusterOverride,
    classes: {
      type: "object",
      additionalProperties: false,
      required: ["test", "production"],
      properties: Object.fromEntries(
        ["test", "production"].map((c) => [
          c,
          {
            type: "object",
            additionalProperties: false,
            required: ["postgres", "storageReplication"],
            properties: { postgres: postgresRef, storageReplication: replication },
          },
        ]),
      ),
    },
    databaseAdmin: entraPrincipal,
    postgresDatabases: databaseNames,
  },
};

/** Apply order within a scope (cli/rollout.ts). At most 20 batches: a stage holds 256 jobs. */
const rollout: Schema = {
  type: "object",
  additionalProperties: false,
  properties: {
    canaries: { type: "array", uniqueItems: true, items: { type: "string", minLength: 1 } },
    batches: { type: "integer", minimum: 1, maximum: 20 },
    failureBudget: {
      type: "object",
      additionalProperties: false,
      minProperties: 1,
      properties: {
        stacks: { type: "integer", minimum: 0 },
        percent: { type: "number", minimum: 0, maximum: 100 },
      },
    },
  },
};

export const fleetSettingsSchema: Schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  definitions: { clusterSettings, clusterOverride: clusterOverrideDefinition, postgres },
  type: "object",
  additionalProperties: false,
  required: [
    "location",
    "repository",
    "operator",
    "nameTokens",
    "retiredEnvironments",
    "state",
    "subscriptions",
    "clusterAdminGroupObjectIds",
    "registry",
    "environmentClasses",
    "addressPlan",
    "platform",
    "studio",
    "operators",
    "pipelineRoles",
  ],
  properties: {
    pipelineRoles,
    rollout,
    platform,
    studio,
    services,
    operators,
    location: { type: "string", pattern: "^[a-z0-9]+$" },
    repository: { type: "string", minLength: 1 },
    operator: {
      type: "object",
      additionalProperties: false,
      required: ["code", "orgnr"],
      properties: {
        code: { type: "string", pattern: "^[a-z0-9]+$" },
        orgnr: nineDigits,
      },
    },
    nameTokens: { type: "object", additionalProperties: { type: "string", pattern: "^[a-z0-9]+$" } },
    retiredEnvironments: { type: "object", additionalProperties: { type: "string", minLength: 1 } },
    state: {
      type: "object",
      additionalProperties: false,
      required: [
        "resourceGroupName",
        "storageAccountName",
        "containerPattern",
        "principals",
        "allowedIpRanges",
      ],
      properties: {
        resourceGroupName: { type: "string", minLength: 1 },
        storageAccountName: { type: "string", minLength: 1 },
        containerPattern: { type: "string", pattern: "\\{env\\}" },
        principals: {
          type: "object",
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            required: ["plan", "apply", "roles"],
            properties: { plan: guid, apply: guid, roles: { type: "string", minLength: 1 } },
          },
        },
        allowedIpRanges: { type: "array", items: cidr },
        allowedSubnetIds: {
          type: "array",
          items: {
            type: "string",
            pattern:
              "^/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[^/]+/providers/Microsoft\\.Network/virtualNetworks/[^/]+/subnets/[^/]+$",
          },
        },
      },
    },
    subscriptions: { type: "object", additionalProperties: guid },
    clusterAdminGroupObjectIds: {
      type: "object",
      additionalProperties: false,
      required: ["test", "production"],
      properties: {
        test: { type: "array", items: guid, minItems: 1 },
        production: { type: "array", items: guid, minItems: 1 },
      },
    },
    registry: {
      type: "object",
      additionalProperties: false,
      required: ["sku"],
      properties: { sku: { enum: ["Basic", "Standard", "Premium"] } },
    },
    environmentClasses: {
      type: "object",
      additionalProperties: false,
      required: ["test", "production"],
      properties: { test: clusterSettingsRef, production: clusterSettingsRef },
    },
    environments: { type: "object", additionalProperties: clusterOverride },
    orgs: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          orgnr: nineDigits,
          all: clusterOverride,
          environments: { type: "object", additionalProperties: clusterOverride },
        },
      },
    },
    decommission: {
      type: "object",
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: {
          environments: { type: "array", uniqueItems: true, items: { type: "string", minLength: 1 } },
          registry: { type: "boolean" },
          destroyStatefulResources: { type: "boolean" },
        },
      },
    },
    addressPlan: {
      type: "object",
      additionalProperties: false,
      required: ["pool", "blockPrefixLength", "reserved", "podCidr", "serviceCidr", "dnsServiceIp"],
      properties: {
        pool: cidr,
        blockPrefixLength: { type: "integer", minimum: 16, maximum: 28 },
        reserved: {
          type: "array",
          items: {
            type: "object",
            additionalProperties: false,
            required: ["cidr", "reason"],
            properties: { cidr, reason: { type: "string", minLength: 1 } },
          },
        },
        podCidr: cidr,
        serviceCidr: cidr,
        dnsServiceIp: { type: "string", pattern: "^\\d{1,3}(\\.\\d{1,3}){3}$" },
      },
    },
  },
};

/** Altinn's environments.json has no published schema; this one follows the CDN file. */
export const environmentsSchema: Schema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  required: ["environments"],
  properties: {
    environments: {
      type: "array",
      items: {
        type: "object",
        required: ["name", "hostname", "type", "appPrefix", "platformPrefix"],
        properties: {
          name: { type: "string", pattern: "^[a-z0-9]+$" },
          hostname: { type: "string", minLength: 1 },
          type: { enum: ["test", "production"] },
          platformUrl: { type: "string" },
          appPrefix: { type: "string", pattern: "^[a-z0-9-]+$" },
          platformPrefix: { type: "string", pattern: "^[a-z0-9-]+$" },
        },
      },
    },
  },
};
