export * from "./errors";
export * from "./lifecycle";
export * from "./regions";
export * from "./stateful";
export * from "./tags";
