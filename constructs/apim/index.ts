export * from "./api-management";
