import { STATEFUL_RESOURCE_TYPES } from "../../common/stateful";
import { expectBool } from "../checks";
import type { RulePack } from "../rule";

export const LIFECYCLE_PACK: RulePack = {
  name: "lifecycle",
  description: "Stateful resources cannot be destroyed by a plan",
  rules: [
    {
      id: "SAFE-001",
      title: "Stateful resources carry lifecycle.prevent_destroy",
      pack: "lifecycle",
      resourceTypes: [...STATEFUL_RESOURCE_TYPES].sort(),
      severity: "high",
      environments: "all",
      sources: [
        {
          name: "Terraform lifecycle meta-argument prevent_destroy",
          url: "https://developer.hashicorp.com/terraform/language/meta-arguments/lifecycle#prevent_destroy",
        },
      ],
      why:
        "Storage, vaults, databases, registries, DNS zones, clusters and resource groups hold data or names " +
        "that cannot be had back. prevent_destroy makes Terraform refuse a plan that would destroy one while it " +
        "is in the configuration (a replacement-forcing change, a destroy); blocks that are renamed or removed " +
        "are caught by the address lock (safety/README.md).",
      fix:
        "Create the resource with `lifecycle: statefulLifecycle()` (constructs/common/lifecycle.ts). To " +
        "remove one on purpose, see safety/README.md (address lock removal entries).",
      check: (r) => expectBool(r, "lifecycle.prevent_destroy", true, { whenUnset: "fail" }),
    },
  ],
};
