import { billingRouter } from "./routers/billing";
import { instancesRouter } from "./routers/instances";
import { staffRouter } from "./routers/staff";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  instances: instancesRouter,
  billing: billingRouter,
  staff: staffRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
