// One card-less free trial per account, and with Stripe one per card. Checkout offers a trial only to an
// account that never had one; a trial that starts anyway (two checkouts opened side by side, or a card that
// already had a trial on another account) is ended at once when billing first sees it, so the first
// invoice is issued and must be paid like any other.
import { and, eq, ne, or } from "drizzle-orm";
import { db, type Queryable, type Transaction } from "@/db";
import { instances, trials, users, type User } from "@/db/schema";
import { appendInstanceEvent } from "@/server/instances/events";
import type { BillingDriver, BillingSubscription } from "./driver";
import type { Plan } from "./plans";

/** Postgres' unique_violation: the unique indexes on trials are what make the rule hold under concurrency. */
const UNIQUE_VIOLATION = "23505";

async function trialOfAccount(q: Queryable, owner: Pick<User, "id" | "email">) {
  const [trial] = await q
    .select()
    .from(trials)
    .where(or(eq(trials.userId, owner.id), eq(trials.email, owner.email.toLowerCase())))
    .limit(1);
  return trial ?? null;
}

/** The free days checkout may offer this account on this plan: the plan's trial, unless the account had one. */
export async function trialDaysFor(q: Queryable, owner: Pick<User, "id" | "email">, plan: Plan): Promise<number | null> {
  if (!plan.trialDays) return null;
  return (await trialOfAccount(q, owner)) ? null : plan.trialDays;
}

/** What the checkout page offers an account on a plan: `trialDaysFor` against the portal's database. */
export function checkoutTrialDays(owner: Pick<User, "id" | "email">, plan: Plan): Promise<number | null> {
  return trialDaysFor(db, owner, plan);
}

/** The trial days an instance's checkout offered: the trial it has, or one its owner may still start. */
async function trialDaysOfInstance(q: Queryable, owner: Pick<User, "id" | "email">, instanceId: string, plan: Plan): Promise<number | null> {
  if (!plan.trialDays) return null;
  const trial = await trialOfAccount(q, owner);
  return !trial || trial.instanceId === instanceId ? plan.trialDays : null;
}

/** What the checkout success page says was started: `trialDaysOfInstance` against the portal's database. */
export function paidInstanceTrialDays(owner: Pick<User, "id" | "email">, instanceId: string, plan: Plan): Promise<number | null> {
  return trialDaysOfInstance(db, owner, instanceId, plan);
}

type TrialClaim = { isGranted: true } | { isGranted: false; why: string };

function isUniqueViolation(error: unknown): boolean {
  for (let cause: unknown = error; cause; cause = (cause as { cause?: unknown }).cause) {
    if ((cause as { code?: unknown }).code === UNIQUE_VIOLATION) return true;
  }
  return false;
}

/**
 * Records that this subscription has the account's trial (and the card's, when there is one), or says why it
 * may not. Safe to call for every event about the subscription: its own trial stays granted.
 */
async function claimTrial(
  tx: Transaction,
  input: { owner: Pick<User, "id" | "email">; instanceId: string; subscriptionId: string; cardFingerprint: string | null },
): Promise<TrialClaim> {
  const cardUsedElsewhere = async () =>
    !!input.cardFingerprint &&
    (
      await tx
        .select({ id: trials.id })
        .from(trials)
        .where(and(eq(trials.cardFingerprint, input.cardFingerprint), ne(trials.subscriptionId, input.subscriptionId)))
        .limit(1)
    ).length > 0;
  const cardRefusal = { isGranted: false as const, why: "this card has already had a free trial" };

  const [own] = await tx.select().from(trials).where(eq(trials.subscriptionId, input.subscriptionId)).for("update");
  if (own) {
    if (!input.cardFingerprint || own.cardFingerprint === input.cardFingerprint) return { isGranted: true };
    // A card added during the trial: it must not have had a trial of its own either.
    if (await cardUsedElsewhere()) return cardRefusal;
    try {
      await tx.transaction((sp) => sp.update(trials).set({ cardFingerprint: input.cardFingerprint }).where(eq(trials.id, own.id)));
    } catch (error) {
      if (isUniqueViolation(error)) return cardRefusal;
      throw error;
    }
    return { isGranted: true };
  }

  const earlier = await trialOfAccount(tx, input.owner);
  if (earlier) return { isGranted: false, why: "this account has already had its free trial" };
  if (await cardUsedElsewhere()) return cardRefusal;
  try {
    await tx.transaction((sp) =>
      sp.insert(trials).values({
        userId: input.owner.id,
        email: input.owner.email.toLowerCase(),
        instanceId: input.instanceId,
        subscriptionId: input.subscriptionId,
        cardFingerprint: input.cardFingerprint,
      }),
    );
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // Another event for the same subscription got there first, or a trial for this account or card did.
    const [mine] = await tx.select().from(trials).where(eq(trials.subscriptionId, input.subscriptionId));
    if (mine) return { isGranted: true };
    return (await trialOfAccount(tx, input.owner)) ? { isGranted: false, why: "this account has already had its free trial" } : cardRefusal;
  }
  return { isGranted: true };
}

/**
 * Billing's check on a subscription it is about to apply: a trial that may not be is ended at the provider
 * (the first invoice is issued now), and the subscription is re-read. Anything else is returned as it is.
 */
export async function enforceOneFreeTrial(
  tx: Transaction,
  driver: BillingDriver,
  current: BillingSubscription | null,
  instanceIdHint: string | null | undefined,
): Promise<BillingSubscription | null> {
  if (current?.status !== "trialing") return current;
  const instanceId = current.instanceId ?? instanceIdHint;
  if (!instanceId) return current;
  const [row] = await tx
    .select({ owner: users })
    .from(instances)
    .innerJoin(users, eq(users.id, instances.ownerId))
    .where(eq(instances.id, instanceId));
  if (!row) return current;
  const claim = await claimTrial(tx, {
    owner: row.owner,
    instanceId,
    subscriptionId: current.id,
    cardFingerprint: current.cardFingerprint,
  });
  if (claim.isGranted) return current;
  await driver.endTrialNow(current.id);
  await appendInstanceEvent(tx, {
    instanceId,
    kind: "log",
    step: "billing",
    level: "warn",
    message: `Billing: no free trial, ${claim.why}. The trial was ended and the first invoice issued; the instance is set up once it is paid.`,
  });
  return driver.retrieveSubscription(current.id);
}
