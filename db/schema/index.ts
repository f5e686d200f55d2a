// The single source of truth for the database; drizzle-kit generates db/migrations/ from these files.
export * from "./users";
export * from "./account-tokens";
export * from "./instances";
export * from "./operations";
export * from "./events";
export * from "./resources";
export * from "./deployments";
export * from "./billing";
export * from "./billing-customers";
export * from "./local-billing-subscriptions";
export * from "./local-billing-invoices";
export * from "./local-billing-clock";
export * from "./workers";
export * from "./audit";
export * from "./faults";
export * from "./reconcile";
export * from "./relations";
