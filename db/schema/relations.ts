import { relations } from "drizzle-orm";
import { auditLog } from "./audit";
import { stripeEvents, subscriptions } from "./billing";
import { deployments } from "./deployments";
import { instanceEvents } from "./events";
import { instances } from "./instances";
import { instanceOperations, operationSteps } from "./operations";
import { instanceResources } from "./resources";
import { users } from "./users";

export const usersRelations = relations(users, ({ many }) => ({ instances: many(instances) }));

export const instancesRelations = relations(instances, ({ one, many }) => ({
  owner: one(users, { fields: [instances.ownerId], references: [users.id] }),
  events: many(instanceEvents),
  operations: many(instanceOperations),
  resources: many(instanceResources),
  deployments: many(deployments),
  subscription: one(subscriptions, { fields: [instances.id], references: [subscriptions.instanceId] }),
  billingEvents: many(stripeEvents),
}));

export const operationsRelations = relations(instanceOperations, ({ one, many }) => ({
  instance: one(instances, { fields: [instanceOperations.instanceId], references: [instances.id] }),
  steps: many(operationSteps),
}));

export const operationStepsRelations = relations(operationSteps, ({ one }) => ({
  operation: one(instanceOperations, { fields: [operationSteps.operationId], references: [instanceOperations.id] }),
}));

export const eventsRelations = relations(instanceEvents, ({ one }) => ({
  instance: one(instances, { fields: [instanceEvents.instanceId], references: [instances.id] }),
}));

export const resourcesRelations = relations(instanceResources, ({ one }) => ({
  instance: one(instances, { fields: [instanceResources.instanceId], references: [instances.id] }),
}));

export const deploymentsRelations = relations(deployments, ({ one }) => ({
  instance: one(instances, { fields: [deployments.instanceId], references: [instances.id] }),
}));

export const subscriptionsRelations = relations(subscriptions, ({ one }) => ({
  instance: one(instances, { fields: [subscriptions.instanceId], references: [instances.id] }),
}));

export const auditLogRelations = relations(auditLog, ({ one }) => ({
  instance: one(instances, { fields: [auditLog.instanceId], references: [instances.id] }),
  actor: one(users, { fields: [auditLog.actorId], references: [users.id] }),
}));

export const stripeEventsRelations = relations(stripeEvents, ({ one }) => ({
  instance: one(instances, { fields: [stripeEvents.instanceId], references: [instances.id] }),
}));
