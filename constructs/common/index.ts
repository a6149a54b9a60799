export * from "./errors";
export * from "./lifecycle";
export * from "./tags";
export * from "./stateful";
