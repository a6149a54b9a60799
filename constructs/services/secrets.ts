/**
 * The Secrets a bundle's releases read, created in the same apply, before the releases, so that
 * `atomic` + `wait` installs never wait for a Secret nobody has made yet (the namespaces are
 * created by the same apply, so nothing outside could have made them first).
 *
 * Each key is either
 * - generated: 32 hex characters from Terraform's `uuid()` (crypto-random, 122 bits), kept by
 *   `ignore_changes` so it is made once; the value exists only in state and in the cluster, the
 *   synthesized JSON holds the expression;
 * - copied: the same generated value in another namespace (Secrets cannot be read across
 *   namespaces; e.g. the PostgreSQL role password for Hydra, Kratos and Keto);
 * - provided: a sensitive Terraform variable without default, for values the project cannot make
 *   (an SMTP URL, a JWKS, a certificate, an external database's password). That is the checked
 *   precondition: `terraform plan` fails with the variable's message until the pipeline sets
 *   `TF_VAR_<name>`, and synth reports every such variable as a warning.
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { Annotations, dependable, Fn, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import type { ClusterConnection } from "../in-cluster/cluster-connection";
import type { RequiredSecret } from "./common";

/** The expression that generates a key's value at apply time (never a literal). */
export const GENERATED_SECRET_EXPRESSION: string = Fn.replace(Fn.uuid(), "-", "");

/** A service whose Secrets the bundle creates: its namespace resource and its release. */
export interface SecretConsumer {
  readonly namespace: NamespaceV1;
  readonly namespaceName: string;
  readonly release: Release;
  readonly requiredSecrets: readonly RequiredSecret[];
}

/** A key the pipeline must provide as `TF_VAR_<variable>`. */
export interface ProvidedSecretKey {
  readonly namespace: string;
  readonly secret: string;
  readonly key: string;
  readonly variable: string;
  readonly purpose: string;
}

/** The Terraform variable name of a provided key. */
export function secretVariableName(namespace: string, secret: string, key: string): string {
  return `secret_${namespace}_${secret}_${key}`.replace(/[^A-Za-z0-9_]/g, "_");
}

/** Creates every Secret the consumers need and orders each release after its Secrets. */
export class ServiceSecrets extends Construct {
  /** The Secrets created, keyed `<namespace>/<name>`. */
  public readonly secrets: ReadonlyMap<string, SecretV1>;
  /** Keys the pipeline provides (the precondition of the apply). */
  public readonly provided: readonly ProvidedSecretKey[];

  constructor(
    scope: Construct,
    id: string,
    props: { readonly connection?: ClusterConnection; readonly consumers: readonly SecretConsumer[] },
  ) {
    super(scope, id);
    const secrets = new Map<string, SecretV1>();
    const provided: ProvidedSecretKey[] = [];
    // Which namespace generates a `<secret>/<key>` value that others copy: the first that does.
    const sources = new Map<string, SecretV1>();

    for (const consumer of props.consumers) {
      for (const secret of mergeSecrets(consumer.requiredSecrets)) {
        const data: Record<string, string> = {};
        const ignore: string[] = [];
        const generated: string[] = [];
        for (const key of secret.keys) {
          const source = sources.get(`${secret.name}/${key}`);
          if (source !== undefined) {
            data[key] = Fn.lookup(source.data, key, "");
          } else if (secret.generated?.includes(key)) {
            data[key] = GENERATED_SECRET_EXPRESSION;
            ignore.push(`data["${key}"]`);
            generated.push(key);
          } else {
            const name = secretVariableName(secret.namespace, secret.name, key);
            const variable = new TerraformVariable(this, name, {
              type: "string",
              sensitive: true,
              nullable: false,
              description: `${secret.purpose}: key "${key}" of Secret ${secret.namespace}/${secret.name}`,
              validation: [
                {
                  condition: `\${length(var.${name}) > 0}`,
                  errorMessage: `Set TF_VAR_${name} (${secret.purpose}); see constructs/services/README.md, "Secrets".`,
                },
              ],
            });
            variable.overrideLogicalId(name);
            data[key] = variable.stringValue;
            provided.push({
              namespace: secret.namespace,
              secret: secret.name,
              key,
              variable: name,
              purpose: secret.purpose,
            });
          }
        }
        const resource = new SecretV1(this, `${secret.namespace}-${secret.name}`, {
          provider: props.connection?.kubernetesProvider,
          metadata: {
            name: secret.name,
            // Referencing the namespace resource creates the Secret after it.
            namespace: consumer.namespace.metadata.name,
            labels: { "app.kubernetes.io/managed-by": "terraform" },
          },
          type: "Opaque",
          data,
          lifecycle: ignore.length > 0 ? { ignoreChanges: ignore } : undefined,
        });
        for (const key of generated) sources.set(`${secret.name}/${key}`, resource);
        secrets.set(`${secret.namespace}/${secret.name}`, resource);
        consumer.release.dependsOn = [...(consumer.release.dependsOn ?? []), dependable(resource)];
      }
    }
    this.secrets = secrets;
    this.provided = provided;
    if (provided.length > 0) {
      Annotations.of(this).addWarning(
        `the apply needs ${provided.length} secret value(s) the project cannot generate; set them in the pipeline as ${provided
          .map((p) => `TF_VAR_${p.variable} (${p.purpose})`)
          .join(", ")}`,
      );
    }
  }
}

/** One entry per Secret, keys merged (a role password may share a Secret with other keys). */
export function mergeSecrets(secrets: readonly RequiredSecret[]): RequiredSecret[] {
  const byName = new Map<string, RequiredSecret>();
  for (const secret of secrets) {
    const id = `${secret.namespace}/${secret.name}`;
    const seen = byName.get(id);
    byName.set(
      id,
      seen === undefined
        ? { ...secret, keys: [...secret.keys] }
        : {
            ...seen,
            keys: [...new Set([...seen.keys, ...secret.keys])],
            ...(seen.generated || secret.generated
              ? { generated: [...new Set([...(seen.generated ?? []), ...(secret.generated ?? [])])] }
              : {}),
            purpose: `${seen.purpose}; ${secret.purpose}`,
          },
    );
  }
  return [...byName.values()];
}
