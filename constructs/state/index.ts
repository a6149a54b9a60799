export * from "./state-access";
export * from "./state-scopes";
export * from "./state-storage";
