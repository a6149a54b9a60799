export * from "./container-insights";
export * from "./monitoring";
