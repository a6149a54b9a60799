export * from "./aks-cluster";
export * from "./encryption-at-host";
export * from "./maintenance-window";
export * from "./node-pool-spec";
