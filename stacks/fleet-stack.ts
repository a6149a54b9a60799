/**
 * The base of every stack in the fleet: its remote state, its Azure provider and the FinOps
 * tags applied to every taggable resource inside it (as an aspect on the stack; cdktf never
 * runs aspects added to the App).
 */
import { AzurermProvider } from "@cdktf/provider-azurerm/lib/provider";
import {
  Aspects,
  AzurermBackend,
  type IAspect,
  LocalBackend,
  TerraformResource,
  TerraformStack,
} from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { Tags } from "../constructs/common";
import { PolicyAspect, type PolicyEnvironment } from "../constructs/policy";
import type { StateSettings } from "../fleet/model";

/** Where state lives. `azurerm` in the pipeline; `local` for offline work (FLEET_BACKEND=local). */
export type BackendKind = "azurerm" | "local";

export interface FleetStackProps {
  /** The stack id: a public contract (state key, pipeline leg, `npm run affected`). */
  readonly stackId: string;
  /** Which state container the stack's state lives in: an environment token, or `shared`. */
  readonly stateScope: string;
  readonly state: StateSettings;
  readonly backend: BackendKind;
  /** Tags every taggable resource in the stack gets, unless it sets the same key itself. */
  readonly tags: Tags;
  /** Whether the stack talks to Azure (false for stacks with only kubernetes/helm resources). */
  readonly azure?: boolean;
  /**
   * Which policy rules apply: `prod` adds the production-only ones (redundancy, backups).
   * @default - "prod" for state scopes `prod`, `shared` and `bootstrap` (they serve production too), else "test"
   */
  readonly policyEnvironment?: PolicyEnvironment;
}

/** Relative path from a stack's working directory (cdktf.out/stacks/<id>) to the repo's .state/. */
const LOCAL_STATE_DIR = "../../../.state";

export class FleetStack extends TerraformStack {
  readonly stackId: string;
  readonly azurerm?: AzurermProvider;
  /** Policy at synth time (constructs/policy); suppress findings with `suppress()` from there. */
  readonly policy: PolicyAspect;

  constructor(scope: Construct, props: FleetStackProps) {
    super(scope, props.stackId);
    this.stackId = props.stackId;
    if (props.backend === "azurerm") {
      new AzurermBackend(this, {
        resourceGroupName: props.state.resourceGroupName,
        storageAccountName: props.state.storageAccountName,
        containerName: stateContainerName(props.state, props.stateScope),
        key: `${props.stackId}.tfstate`,
        // Entra ID only: no access key or SAS token ever appears in the configuration.
        useAzureadAuth: true,
        useOidc: true,
      });
    } else {
      new LocalBackend(this, { path: `${LOCAL_STATE_DIR}/${props.stackId}.tfstate` });
    }
    if (props.azure !== false) {
      this.azurerm = new AzurermProvider(this, "azurerm", {
        features: [
          {
            keyVault: [{ purgeSoftDeleteOnDestroy: false, recoverSoftDeletedKeyVaults: true }],
            resourceGroup: [{ preventDeletionIfContainsResources: true }],
          },
        ],
        // Storage accounts have shared-key access off; the data plane is reached with Entra ID.
        storageUseAzuread: true,
      });
    }
    Aspects.of(this).add(new FinOpsTagger(props.tags));
    // Last, so the rules see resources as the other aspects leave them.
    this.policy = new PolicyAspect({
      environment: props.policyEnvironment ?? policyEnvironmentOf(props.stateScope),
    });
    Aspects.of(this).add(this.policy);
  }
}

/**
 * Production rules for the production state scope, for shared stacks (an org's registry serves its
 * production clusters) and for the bootstrap stack (it holds every stack's state).
 */
export function policyEnvironmentOf(stateScope: string): PolicyEnvironment {
  return ["prod", "shared", "bootstrap"].includes(stateScope) ? "prod" : "test";
}

export function stateContainerName(state: StateSettings, scope: string): string {
  return state.containerPattern.replace("{env}", scope);
}

interface Taggable {
  tags: Record<string, string> | undefined;
  readonly tagsInput: Record<string, string> | undefined;
}

function isTaggable(node: IConstruct): node is TerraformResource & Taggable {
  return node instanceof TerraformResource && "tagsInput" in node;
}

/** Adds the base tags to every taggable resource; keys a resource sets itself win. Idempotent. */
export class FinOpsTagger implements IAspect {
  constructor(private readonly tags: Tags) {}

  visit(node: IConstruct): void {
    if (isTaggable(node)) {
      node.tags = { ...this.tags, ...(node.tagsInput ?? {}) };
    }
  }
}
