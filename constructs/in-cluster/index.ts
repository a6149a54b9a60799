export * from "./cluster-connection";
export * from "./helm-values";
export * from "./kubernetes-wrapper";
export * from "./kured";
export * from "./pod-security";
export * from "./traefik";
