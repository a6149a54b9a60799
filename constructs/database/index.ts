export * from "./postgres-flexible-server";
export * from "./private-dns";
