export * from "./cidr";
export * from "./cluster-network";
export * from "./private-endpoint";
export * from "./static-public-ip";
