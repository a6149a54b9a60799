/**
 * ORY Keto, relationship-based authorization (Zanzibar). Oathkeeper asks its read API whether a
 * subject has a relation to an object.
 */
import type { Construct } from "constructs";
import { type RequiredSecret, serviceUrl } from "./common";
import { type DatabaseEndpoint, databaseEnv, databaseProblems } from "./database";
import { HelmService, type HelmServiceDefaults } from "./helm-service";
import {
  ORY_CHART_REPOSITORY,
  ORY_CHART_VERSION,
  ORY_POD_SECURITY,
  type OryServiceProps,
  oryLog,
  oryWorkload,
  oryWorkloadValues,
} from "./ory-common";

export const KETO_CHART_NAME = "keto";

export interface OryKetoProps extends OryServiceProps {
  /** The database; see DatabaseEndpoint. */
  readonly database: DatabaseEndpoint;
  /**
   * Relation namespaces, numbered in order. Never reorder or remove one: tuples are stored by id.
   * @default ["default"]
   */
  readonly namespaces?: readonly string[];
}

/** The chart OryKeto installs and its default namespace and release name. */
export const KETO_SERVICE: HelmServiceDefaults = {
  chart: { repository: ORY_CHART_REPOSITORY, chart: KETO_CHART_NAME, version: ORY_CHART_VERSION },
  namespace: "keto",
};

/**
 * Keto with migrations as a Job and 2 replicas with a PDB. The read and write APIs stay inside the
 * cluster; nothing publishes them (the write API has no authentication).
 */
export class OryKeto extends HelmService {
  /** In-cluster read API; the check endpoint is `<readUrl>/relation-tuples/check`. */
  public readonly readUrl: string;
  /** In-cluster write API. */
  public readonly writeUrl: string;
  public readonly relationNamespaces: readonly string[];
  public readonly requiredSecrets: readonly RequiredSecret[];

  constructor(scope: Construct, id: string, props: OryKetoProps) {
    super(scope, id, props, KETO_SERVICE);
    const { replicas, resources, logLevel, problems: workloadProblems } = oryWorkload(props);
    this.relationNamespaces = [...(props.namespaces ?? ["default"])];

    this.validate([
      ...databaseProblems("database", props.database),
      this.relationNamespaces.length === 0
        ? "namespaces is empty; list at least one relation namespace"
        : undefined,
      ...this.relationNamespaces.map((n) =>
        /^[A-Za-z_][A-Za-z0-9_-]*$/.test(n)
          ? undefined
          : `namespaces entry "${n}" is not a Keto namespace name`,
      ),
      new Set(this.relationNamespaces).size === this.relationNamespaces.length
        ? undefined
        : `namespaces [${this.relationNamespaces.join(", ")}] repeat a name`,
      ...workloadProblems,
    ]);

    this.readUrl = serviceUrl(`${this.releaseName}-read`, this.namespaceName, 80);
    this.writeUrl = serviceUrl(`${this.releaseName}-write`, this.namespaceName, 80);
    this.install(
      {
        ...oryWorkloadValues({ replicas, resources, env: databaseEnv(props.database) }),
        keto: {
          automigration: { enabled: true, type: "job" },
          config: {
            // null removes the chart's default `dsn: memory`; the DSN comes from the env.
            dsn: null,
            serve: { read: { port: 4466 }, write: { port: 4467 }, metrics: { port: 4468 } },
            namespaces: this.relationNamespaces.map((name, id) => ({ id, name })),
            log: oryLog(logLevel),
          },
        },
      },
      ORY_POD_SECURITY,
    );
    this.requiredSecrets = [
      {
        namespace: this.namespaceName,
        name: props.database.passwordSecret.name,
        keys: [props.database.passwordSecret.key],
        purpose: `password of database role "${props.database.user}" (Keto)`,
      },
    ];
  }
}
