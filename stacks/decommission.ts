/**
 * Stacks in destroy mode (fleet.yaml `decommission`, fleet/decommission.ts). They are built
 * exactly as before; stacks.json marks them `"mode": "destroy"` and the plan command runs
 * `terraform plan -destroy` for them. Only with `destroyStatefulResources: true` is
 * `prevent_destroy` taken off their stateful resources, so that the destroy plan may take them
 * too; without it Terraform refuses the plan, naming each of them.
 */
import { TerraformResource } from "cdktf";
import { suppress } from "../constructs/policy";
import type { FleetStack } from "./fleet-stack";

/** The lifecycle rule a destroy of stateful resources must be excused from. */
const PREVENT_DESTROY_RULE = "SAFE-001";

/** How a decommissioned stack is planned (the stacks.json fields of a destroy-mode stack). */
export interface DestroyMode {
  readonly mode: "destroy";
  /** `destroyStatefulResources: true`: the stack's stateful resources lose `prevent_destroy`. */
  readonly destroyStateful: boolean;
}

export function destroyMode(destroyStateful: boolean): DestroyMode {
  return { mode: "destroy", destroyStateful };
}

/**
 * Takes `prevent_destroy` off every resource of a stack whose decommission allows destroying
 * stateful resources, and excuses the stack from the lifecycle policy rule with that reason.
 * Returns the stack.
 */
export function allowStatefulDestroy(stack: FleetStack): FleetStack {
  for (const node of stack.node.findAll()) {
    if (node instanceof TerraformResource && node.lifecycle?.preventDestroy === true) {
      node.lifecycle = { ...node.lifecycle, preventDestroy: false };
    }
  }
  suppress(
    stack,
    PREVENT_DESTROY_RULE,
    "decommissioned with destroyStatefulResources: true in fleet.yaml: its stateful resources are destroyed on purpose",
  );
  return stack;
}
