import { billingRouter } from "./routers/billing";
import { instancesRouter } from "./routers/instances";
import { localBillingRouter } from "./routers/local-billing";
import { staffRouter } from "./routers/staff";
import { staffBillingRouter } from "./routers/staff-billing";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  instances: instancesRouter,
  billing: billingRouter,
  localBilling: localBillingRouter,
  staff: staffRouter,
  staffBilling: staffBillingRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
