import type { TerraformResourceLifecycle } from "cdktf";

/**
 * Lifecycle for stateful resources (data lives in them, or their name is reserved for a long
 * time after deletion): Terraform refuses any plan that would destroy them. Removing one on
 * purpose takes an explicit change to this setting in a reviewed commit.
 */
export function statefulLifecycle(extra: TerraformResourceLifecycle = {}): TerraformResourceLifecycle {
  return { ...extra, preventDestroy: true };
}
