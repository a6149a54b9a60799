export * from "./role-assignment";
export * from "./workload-identity";
