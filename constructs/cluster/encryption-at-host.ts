import { DataResource, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ConstructValidationError } from "../common/errors";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How long the script waits for the feature to become Registered (90 × 20 s). */
export const ENCRYPTION_AT_HOST_WAIT = { attempts: 90, seconds: 20 } as const;

/**
 * The script that registers the subscription feature `Microsoft.Compute/EncryptionAtHost`, which
 * AKS node pools with `host_encryption_enabled = true` need (Learn: "Host-based encryption on
 * AKS", https://learn.microsoft.com/azure/aks/enable-host-encryption; "Set up preview features",
 * https://learn.microsoft.com/azure/azure-resource-manager/management/preview-features).
 * Idempotent: nothing is registered when the feature already is; then `az provider register`
 * (a no-op on a registered provider that also propagates a newly registered feature, and
 * registers Microsoft.Compute where it is not yet).
 */
export function encryptionAtHostScript(subscriptionId: string): string {
  const { attempts, seconds } = ENCRYPTION_AT_HOST_WAIT;
  return `set -euo pipefail
sub="${subscriptionId}"
state() { az feature show --subscription "$sub" --namespace Microsoft.Compute --name EncryptionAtHost --query properties.state --output tsv; }
if [ "$(state)" != "Registered" ]; then
  az feature register --subscription "$sub" --namespace Microsoft.Compute --name EncryptionAtHost --output none
  for _ in $(seq 1 ${attempts}); do
    [ "$(state)" = "Registered" ] && break
    sleep ${seconds}
  done
  if [ "$(state)" != "Registered" ]; then
    echo "Microsoft.Compute/EncryptionAtHost is $(state) in subscription $sub after ${(attempts * seconds) / 60} minutes: apply again later" >&2
    exit 1
  fi
fi
az provider register --subscription "$sub" --namespace Microsoft.Compute --wait`;
}

export interface EncryptionAtHostFeatureProps {
  /** The subscription whose clusters use encryption at host. */
  readonly subscriptionId: string;
  /** What must exist first (the provider that registers the fleet's resource providers). */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Registers `Microsoft.Compute/EncryptionAtHost` in one subscription, once, from the bootstrap
 * stack (applied by a person logged in with `az`). Why not `azurerm_resource_provider_registration`
 * with a `feature` block: its Create refuses a provider that is already registered
 * ("requires import") and refuses providers the same provider instance registers itself
 * (hashicorp/terraform-provider-azurerm@v4.55.0:
 * internal/services/resource/resource_provider_registration_resource.go), so it cannot work on
 * the first apply both where Microsoft.Compute is registered and where it is not. A
 * `terraform_data` with a local-exec provisioner runs the idempotent script once per
 * subscription; changing the subscription runs it again.
 */
export class EncryptionAtHostFeature extends Construct {
  readonly registration: DataResource;

  constructor(scope: Construct, id: string, props: EncryptionAtHostFeatureProps) {
    super(scope, id);
    if (!UUID.test(props.subscriptionId)) {
      throw new ConstructValidationError(
        this.node.path,
        `subscriptionId "${props.subscriptionId}" is not a subscription id (GUID)`,
      );
    }
    this.registration = new DataResource(this, "registration", {
      triggersReplace: { subscription: props.subscriptionId, feature: "Microsoft.Compute/EncryptionAtHost" },
      dependsOn: props.dependsOn,
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["bash", "-c"],
          command: encryptionAtHostScript(props.subscriptionId),
        },
      ],
    });
  }
}
