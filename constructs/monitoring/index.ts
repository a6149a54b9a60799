export * from "./container-insights";
export * from "./monitoring";
export * from "./private-link-scope";
