export * from "./names";
export * from "./rules";
