export * from "./state-storage";
