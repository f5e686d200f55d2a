// Inputs of the instance procedures: the same schemas validate the forms and the server.
import { z } from "zod";
import { PLAN_IDS } from "@/server/billing/plans";
import { subdomainSchema } from "./subdomain";

export const instanceNameSchema = z
  .string()
  .trim()
  .min(2, "Give your instance a name of at least 2 characters.")
  .max(80, "Use at most 80 characters for the name.");

export const createInstanceInput = z.object({
  name: instanceNameSchema,
  subdomain: subdomainSchema,
  plan: z.enum(PLAN_IDS, { error: "Choose one of the plans." }),
});

export type CreateInstanceInput = z.infer<typeof createInstanceInput>;

export const instanceIdInput = z.object({ id: z.uuid("That is not an instance id.") });
