export * from "./dns-zone-with-ingress";
