// The staff fleet list's query: what the filter form sends (as URL parameters) and the procedure accepts.
import { z } from "zod";
import { instanceStatus, subscriptionStatus } from "@/db/schema";
import { PLAN_IDS } from "@/server/billing/plans";

/** The statuses the fleet list filters by. */
export const INSTANCE_STATUSES = instanceStatus.enumValues;

/** The subscription's status, or "none" for an instance that never had a subscription. */
export const BILLING_STATES = ["none", ...subscriptionStatus.enumValues] as const;

const FLEET_SORTS = ["created", "name", "subdomain", "status", "plan", "owner"] as const;
export const FLEET_PAGE_SIZES = [25, 50, 100, 200] as const;

// An empty select in the filter form means "any".
const emptyAsUndefined = (value: unknown) => (value === "" ? undefined : value);

export const fleetQueryInput = z.object({
  search: z.string().trim().max(100, "Search for at most 100 characters.").default(""),
  status: z.preprocess(emptyAsUndefined, z.enum(instanceStatus.enumValues).optional()),
  plan: z.preprocess(emptyAsUndefined, z.enum(PLAN_IDS).optional()),
  billing: z.preprocess(emptyAsUndefined, z.enum(BILLING_STATES).optional()),
  sort: z.preprocess(emptyAsUndefined, z.enum(FLEET_SORTS).default("created")),
  direction: z.preprocess(emptyAsUndefined, z.enum(["asc", "desc"]).default("desc")),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce
    .number()
    .int()
    .refine((size) => (FLEET_PAGE_SIZES as readonly number[]).includes(size), "Choose 25, 50, 100 or 200 per page.")
    .default(50),
});

export type FleetQuery = z.infer<typeof fleetQueryInput>;
export type FleetQueryParams = z.input<typeof fleetQueryInput>;
