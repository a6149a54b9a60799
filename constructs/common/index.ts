export * from "./errors";
export * from "./lifecycle";
export * from "./stateful";
export * from "./tags";
