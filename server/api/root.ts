import { accountRouter } from "./routers/account";
import { billingRouter } from "./routers/billing";
import { certificatesRouter } from "./routers/certificates";
import { instancesRouter } from "./routers/instances";
import { organisationsRouter } from "./routers/organisations";
import { registrationRouter } from "./routers/registration";
import { settingsRouter } from "./routers/settings";
import { localBillingRouter } from "./routers/local-billing";
import { staffRouter } from "./routers/staff";
import { staffBillingRouter } from "./routers/staff-billing";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  account: accountRouter,
  instances: instancesRouter,
  organisations: organisationsRouter,
  registration: registrationRouter,
  settings: settingsRouter,
  billing: billingRouter,
  certificates: certificatesRouter,
  localBilling: localBillingRouter,
  staff: staffRouter,
  staffBilling: staffBillingRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
