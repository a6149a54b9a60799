import type { PolicyRule, RulePack } from "../rule";
import { AKS_PACK } from "./aks";
import { APIM_PACK } from "./apim";
import { COSMOS_PACK } from "./cosmos";
import { DNS_PACK } from "./dns";
import { HELM_PACK } from "./helm";
import { IDENTITY_PACK } from "./identity";
import { KEYVAULT_PACK } from "./keyvault";
import { KUBERNETES_PACK } from "./kubernetes";
import { LIFECYCLE_PACK } from "./lifecycle";
import { MONITORING_PACK } from "./monitoring";
import { NETWORK_PACK } from "./network";
import { POSTGRES_PACK } from "./postgres";
import { REGISTRY_PACK } from "./registry";
import { STORAGE_PACK } from "./storage";

export {
  AKS_PACK,
  APIM_PACK,
  COSMOS_PACK,
  DNS_PACK,
  HELM_PACK,
  IDENTITY_PACK,
  KEYVAULT_PACK,
  KUBERNETES_PACK,
  LIFECYCLE_PACK,
  MONITORING_PACK,
  NETWORK_PACK,
  POSTGRES_PACK,
  REGISTRY_PACK,
  STORAGE_PACK,
};

/** Every pack the fleet applies, in report order. */
export const ALL_PACKS: readonly RulePack[] = [
  LIFECYCLE_PACK,
  AKS_PACK,
  STORAGE_PACK,
  KEYVAULT_PACK,
  REGISTRY_PACK,
  POSTGRES_PACK,
  COSMOS_PACK,
  APIM_PACK,
  NETWORK_PACK,
  DNS_PACK,
  IDENTITY_PACK,
  MONITORING_PACK,
  KUBERNETES_PACK,
  HELM_PACK,
];

export const ALL_RULES: readonly PolicyRule[] = ALL_PACKS.flatMap((p) => p.rules);

const BY_ID = new Map(ALL_RULES.map((r) => [r.id, r]));

export function ruleById(id: string): PolicyRule | undefined {
  return BY_ID.get(id);
}

/** Rules of the given packs indexed by the resource types they read. */
export function indexByType(rules: readonly PolicyRule[]): ReadonlyMap<string, readonly PolicyRule[]> {
  const index = new Map<string, PolicyRule[]>();
  for (const rule of rules) {
    for (const type of rule.resourceTypes) {
      const list = index.get(type) ?? [];
      list.push(rule);
      index.set(type, list);
    }
  }
  return index;
}
