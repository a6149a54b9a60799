export * from "./aks-cluster";
export * from "./maintenance-window";
export * from "./node-pool-spec";
