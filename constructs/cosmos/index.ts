export * from "./cosmos-db-account";
