export * from "./cidr";
export * from "./cluster-network";
export * from "./static-public-ip";
