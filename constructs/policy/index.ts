export * from "./aspect";
export * from "./attributes";
export * from "./checks";
export * from "./exempt-types";
export * from "./fleet-suppressions";
export * from "./format";
export { ALL_PACKS, ALL_RULES, indexByType, ruleById } from "./packs";
export * from "./rule";
export * from "./suppressions";
