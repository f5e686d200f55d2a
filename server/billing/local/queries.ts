// Reading the local billing store for the offline portal page and the staff controls.
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Queryable } from "@/db";
import { localBillingInvoices, localBillingSubscriptions } from "@/db/schema";

export async function localSubscriptionsOf(q: Queryable, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return q.select().from(localBillingSubscriptions).where(inArray(localBillingSubscriptions.id, subscriptionIds));
}

export async function openLocalInvoicesOf(q: Queryable, subscriptionIds: string[]) {
  if (subscriptionIds.length === 0) return [];
  return q
    .select()
    .from(localBillingInvoices)
    .where(and(inArray(localBillingInvoices.subscriptionId, subscriptionIds), eq(localBillingInvoices.status, "open")))
    .orderBy(asc(localBillingInvoices.createdAt));
}
