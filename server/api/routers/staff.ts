import { fleetForStaff } from "@/server/instances/queries";
import { createTRPCRouter, staffProcedure } from "../trpc";

export const staffRouter = createTRPCRouter({
  fleet: staffProcedure.query(() => fleetForStaff()),
});
