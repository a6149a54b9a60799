export * from "./hardened-storage-account";
