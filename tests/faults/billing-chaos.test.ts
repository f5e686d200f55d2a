// Billing chaos: 20 subscribed instances, each with a short life at Stripe (renewal, failed payment, failed then paid,
// cancellation, upgrade, failed twice then cancelled). Their events reach the real webhook route in a seeded random
// order, each 1 to 3 times, while Stripe's state moves on underneath them; one worker process is SIGKILLed while it
// processes an event, Stripe's API then answers 500 to every subscription read for a while, and it answers 404 for
// one customer throughout (the key in use cannot see it). A second set of instances lives the same lives with each
// event delivered once, in order, and processed before the next: the in-order end state.
// Pass line: every instance ends as its in-order twin (status, plan, operations, subscription row with its deadlines,
// billing timers), every event takes effect once, an instance has at most one billing timer and it is due when its
// subscription says (a grace period runs from the failed charge at Stripe, however late the event was processed),
// and nothing is suspended, scheduled or deleted on the 404 customer's account, nor deleted anywhere. The pipelines
// the billing decisions start are held (tests/faults/helpers/billing-worker.ts): only the decisions are compared.
//
// The outage lasts FAULT_STRIPE_OUTAGE_SECONDS (60 by default). A 2-minute outage is a 4-to-5-minute test: a
// processing job that fails at the start of the outage is retried on graphile-worker's fixed back-off (about 3, 10,
// 30, 85 and 233 s after its first attempt), so its sixth attempt, the first after a 120 s outage, comes 233 s in.
// At 60 s every job is through by its fifth attempt (85 s after the first), which already outlasts four failed
// retries in a row and keeps the file under 3 minutes; FAULT_STRIPE_OUTAGE_SECONDS=120 runs the full 2 minutes.
import { randomUUID } from "node:crypto";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startStripeForDriver, type RecordedRequest } from "../helpers/fake-stripe";
import { exited, workerProcesses } from "../helpers/worker-processes";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();
const stripe = await startStripeForDriver("sk_test_lyceum_billing_chaos");

const { closeDb, db } = await import("@/db");
const { instanceEvents, instanceOperations, instances, stripeEvents, subscriptions, users } = await import("@/db/schema");
const { reassertBillingState } = await import("@/server/billing/desired-state");
const { processStripeEvent } = await import("@/server/billing/processing");
const { pendingBillingJobs } = await import("@/server/billing/timers");
const { closeInfrastructure } = await import("@/server/infra");
const { operationJobKey } = await import("@/server/instances/operations");
const { uniqueSuffix } = await import("../helpers/accounts");
const { deliver } = await import("../helpers/billing");
const { queuedEmailsTo } = await import("../helpers/queued-emails");
const { createInstance } = await import("../helpers/registration");
const { stripeSubscriptionObject } = await import("../helpers/stripe");
const { eventually } = await import("../helpers/waiting");

const OUTAGE_MS = Number(process.env.FAULT_STRIPE_OUTAGE_SECONDS ?? 60) * 1000;
const SEED = Number(process.env.FAULT_SEED ?? Math.floor(Math.random() * 2 ** 31));
const INSTANCES = 20;
const DAY_MS = 24 * 60 * 60 * 1000;
const GRACE_MS = 7 * DAY_MS; // BILLING_GRACE_PERIOD_DAYS's default
const RETENTION_MS = 30 * DAY_MS; // BILLING_RETENTION_DAYS's default
/** The customer whose subscriptions the API key in use cannot see. */
const UNSEEN_CUSTOMER = "cus_unseen_by_this_key";

const workers = workerProcesses(2, "tests/faults/helpers/billing-worker.ts");
afterAll(async () => {
  await workers.stopAll();
  await stripe.close();
  await closeInfrastructure();
  await closeDb();
});

// Stripe's side: a subscription object the double serves, and the events Stripe sends about it.
type StripeSubscription = ReturnType<typeof stripeSubscriptionObject> & { canceled_at: number | null; latest_invoice?: string };
const nowSeconds = Math.floor(Date.now() / 1000);
const PERIOD_END = nowSeconds + 10 * 86400;
const NEXT_PERIOD_END = PERIOD_END + 30 * 86400;
const CANCELED_AT = nowSeconds - 3600;

type Step = { type: string; change(subscription: StripeSubscription): void };
const renew = (subscription: StripeSubscription) => {
  const open = stripe.invoices.find((invoice) => invoice.id === subscription.latest_invoice);
  if (open) open.status = "paid";
  subscription.status = "active";
  subscription.items.data[0]!.current_period_end = NEXT_PERIOD_END;
};
/** When the renewal's payment failed at Stripe (the invoice was finalized and its charge declined): two hours ago. */
const FAILED_AT = nowSeconds - 2 * 3600;
const fail = (subscription: StripeSubscription) => {
  if (subscription.status === "past_due") return; // a retry of the same invoice
  const invoice = {
    id: `in_${uniqueSuffix()}`,
    object: "invoice",
    customer: subscription.customer,
    status: "open",
    created: FAILED_AT - 3600,
    status_transitions: { finalized_at: FAILED_AT, paid_at: null },
    parent: { subscription_details: { subscription: subscription.id } },
  };
  stripe.invoices.push(invoice);
  Object.assign(subscription, { status: "past_due", latest_invoice: invoice.id });
};
const cancel = (subscription: StripeSubscription) => Object.assign(subscription, { status: "canceled", canceled_at: CANCELED_AT });
const LIVES: Record<string, Step[]> = {
  renews: [
    { type: "customer.subscription.updated", change: renew },
    { type: "invoice.paid", change: () => {} },
  ],
  "payment fails": [
    { type: "invoice.payment_failed", change: fail },
    { type: "customer.subscription.updated", change: () => {} },
  ],
  "payment fails, then is paid": [
    { type: "invoice.payment_failed", change: fail },
    { type: "invoice.paid", change: renew },
  ],
  cancelled: [
    { type: "customer.subscription.updated", change: (subscription) => void (subscription.cancel_at_period_end = true) },
    { type: "customer.subscription.deleted", change: cancel },
  ],
  upgraded: [
    { type: "customer.subscription.updated", change: (subscription) => void (subscription.items.data[0]!.price.id = "price_growth_test") },
    { type: "invoice.paid", change: renew },
  ],
  "payment fails twice, then cancelled": [
    { type: "invoice.payment_failed", change: fail },
    { type: "invoice.payment_failed", change: () => {} },
    { type: "customer.subscription.deleted", change: cancel },
  ],
};
const LIFE_NAMES = Object.keys(LIVES);
const STEPS = Math.max(...Object.values(LIVES).map((steps) => steps.length));

type StripeEvent = { id: string; object: "event"; type: string; created: number; livemode: boolean; data: { object: unknown } };
function stripeEvent(type: string, subscription: StripeSubscription): StripeEvent {
  const object = type.startsWith("invoice.")
    ? { id: `in_${uniqueSuffix()}`, object: "invoice", customer: subscription.customer, parent: { subscription_details: { subscription: subscription.id } } }
    : structuredClone(subscription);
  return { id: `evt_${randomUUID().replaceAll("-", "")}`, object: "event", type, created: Math.floor(Date.now() / 1000), livemode: false, data: { object } };
}

type Subscribed = Awaited<ReturnType<typeof subscribedInstance>>;
/** A running instance on an active starter subscription, linked as its first event left it. */
async function subscribedInstance(name: string, life: string, customer = `cus_${uniqueSuffix()}`) {
  // Inserted, not signed up: forty password hashes would take most of a minute on a busy machine.
  const [owner] = await db.insert(users).values({ email: `owner-${uniqueSuffix()}@example.org`, emailVerified: new Date() }).returning();
  const instance = await createInstance(owner!.id, { name, subdomain: `chaos-${uniqueSuffix()}`, plan: "starter" });
  const subscriptionId = `sub_${uniqueSuffix()}${uniqueSuffix()}`;
  const subscription = stripeSubscriptionObject(subscriptionId, { instanceId: instance.id, customer, periodEnd: PERIOD_END }) as StripeSubscription;
  stripe.subscriptions.set(subscriptionId, subscription);
  const created = stripeEvent("customer.subscription.created", subscription);
  await deliver([created]);
  await processStripeEvent(created.id);
  // Provisioned meanwhile (the pipelines are not under test here): the instance serves its school.
  await db.update(instances).set({ status: "running" }).where(eq(instances.id, instance.id));
  const operations = await db
    .update(instanceOperations)
    .set({ status: "succeeded", finishedAt: new Date() })
    .where(eq(instanceOperations.instanceId, instance.id))
    .returning();
  for (const operation of operations) await db.execute(sql`select graphile_worker.remove_job(${operationJobKey(operation.id)})`);
  return { owner: owner!, instance, life, subscription, events: [] as StripeEvent[] };
}

/** Moves a subscription one step on at Stripe and returns the event Stripe sends about it. */
function stepAtStripe(subject: Subscribed, step: number): StripeEvent | null {
  const next = LIVES[subject.life]![step];
  if (!next) return null;
  next.change(subject.subscription);
  const event = stripeEvent(next.type, subject.subscription);
  subject.events.push(event);
  return event;
}

/** mulberry32: a small seeded generator, so that a failing order can be run again (FAULT_SEED). */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What billing decided for an instance, in terms its in-order twin can be compared with. */
async function endState(instanceId: string) {
  const instance = (await db.query.instances.findFirst({ where: eq(instances.id, instanceId) }))!;
  const row = (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, instanceId) }))!;
  const operations = await db.select().from(instanceOperations).where(eq(instanceOperations.instanceId, instanceId)).orderBy(instanceOperations.createdAt);
  const [planJobs] = await db.execute<{ count: number }>(
    sql`select count(*)::int as count from graphile_worker._private_jobs where key = ${`billing:plan:${instanceId}`}`,
  );
  return {
    status: instance.status,
    plan: instance.plan,
    operations: operations.map((operation) => `${operation.kind} ${operation.status} (${operation.initiator})`),
    planChangeJobs: planJobs!.count,
    timers: (await pendingBillingJobs(db, instanceId)).map((job) => job.task),
    subscription: {
      status: row.status,
      plan: row.plan,
      currentPeriodEnd: row.currentPeriodEnd,
      cancelAtPeriodEnd: row.cancelAtPeriodEnd,
      canceledAt: row.canceledAt,
      hasPaymentMethod: row.hasPaymentMethod,
      suspendedFor: row.suspendedFor,
      pastDueSince: row.pastDueSince,
      suspendAt: row.suspendAt,
      deprovisionAt: row.deprovisionAt,
      deprovisionKeptAt: row.deprovisionKeptAt,
      deprovisionStartedAt: row.deprovisionStartedAt,
    },
  };
}

const subjectsOf = async (address: string) => (await queuedEmailsTo(address)).map((email) => email.subject).sort();

/** The event among `eventIds` whose processing job a worker process holds right now, if any. */
async function eventHeldBy(pid: number, eventIds: string[]) {
  const [row] = await db.execute<{ event_id: string }>(sql`
    select j.payload->>'eventId' as event_id from graphile_worker._private_jobs j
    join graphile_worker._private_tasks t on t.id = j.task_id
    join worker_processes w on j.locked_by = any(w.graphile_worker_ids)
    where t.identifier = 'process_stripe_event' and w.pid = ${pid} and j.payload->>'eventId' in ${eventIds}`);
  return row?.event_id;
}

describe("billing chaos", () => {
  it(
    `out of order, repeated, through a killed worker, a Stripe outage and a 404: each instance ends as in order (seed ${SEED})`,
    { timeout: OUTAGE_MS + 200_000 },
    async () => {
      const random = seededRandom(SEED);
      const unseen = INSTANCES - 1;
      const chaos: Subscribed[] = [];
      const inOrder: Subscribed[] = [];
      for (let index = 0; index < INSTANCES; index++) {
        const life = index === unseen ? "cancelled" : LIFE_NAMES[index % LIFE_NAMES.length]!;
        const name = `Chaos School ${index}`;
        chaos.push(await subscribedInstance(name, life, index === unseen ? UNSEEN_CUSTOMER : undefined));
        if (index !== unseen) inOrder.push(await subscribedInstance(name, life));
      }
      const unseenSubject = chaos[unseen]!;
      const unseenBefore = await endState(unseenSubject.instance.id);

      // The in-order lives: each event delivered once and processed before Stripe moves on.
      for (let step = 0; step < STEPS; step++) {
        for (const subject of inOrder) {
          const event = stepAtStripe(subject, step);
          if (!event) continue;
          await deliver([event]);
          await processStripeEvent(event.id);
        }
      }

      // The chaos lives, on two worker processes; Stripe cannot see one customer's subscriptions at all.
      const answered = { notFound: 0, failed: 0 };
      stripe.override((request: RecordedRequest) => {
        const match = /^\/v1\/subscriptions\/([^/]+)$/.exec(request.path);
        const subscription = match ? stripe.subscriptions.get(match[1]!) : undefined;
        if (subscription?.customer !== UNSEEN_CUSTOMER) return null;
        answered.notFound++;
        return stripe.error(404, "invalid_request_error", `No such subscription: '${match![1]}'`, { code: "resource_missing", param: "id" });
      });
      const doomed = workers.spawn({ LYCEUM_LOG_LEVEL: "fatal" });
      const survivor = workers.spawn({ LYCEUM_LOG_LEVEL: "fatal" });
      const registered = (pid: number) =>
        eventually(async () => ((await db.query.workerProcesses.findFirst({ where: (t, { eq }) => eq(t.pid, pid) })) ? true : undefined), 60_000, `worker ${pid} to start`);
      await Promise.all([registered(doomed.child.pid!), registered(survivor.child.pid!)]);

      const pending: StripeEvent[] = [];
      const deliverShare = async (share: number) => {
        for (let index = pending.length - 1; index > 0; index--) {
          const other = Math.floor(random() * (index + 1));
          [pending[index], pending[other]] = [pending[other]!, pending[index]!];
        }
        for (const event of pending.splice(0, Math.ceil(pending.length * share))) await deliver([event]);
      };
      const stepAll = (step: number) => {
        for (const subject of chaos) {
          const event = stepAtStripe(subject, step);
          // Stripe delivers an event at least once; here up to three times, the copies at random moments.
          if (event) for (let copies = 1 + Math.floor(random() * 3); copies > 0; copies--) pending.push(event);
        }
      };

      // Slow answers keep the workers inside their processing transactions; the doomed one is killed in one.
      stripe.delayResponses(1_000);
      stepAll(0);
      await deliverShare(0.5);
      const firstEvents = chaos.filter((subject) => subject !== unseenSubject).map((subject) => subject.events[0]!.id);
      const killedMidEvent = await eventually(() => eventHeldBy(doomed.child.pid!, firstEvents), 30_000, "the doomed worker to process an event");
      doomed.child.kill("SIGKILL");
      await exited(doomed.child);
      stripe.delayResponses(0);

      // Then Stripe's API fails every subscription read for the outage, while Stripe moves on and delivers.
      const endOutage = stripe.override((request) => {
        if (request.method !== "GET" || !request.path.startsWith("/v1/subscriptions/")) return null;
        answered.failed++;
        return stripe.error(500, "api_error", "Something went wrong on Stripe's end.");
      });
      const outageOver = new Promise((resolve) => setTimeout(resolve, OUTAGE_MS)).then(endOutage);
      for (let step = 1; step < STEPS; step++) {
        stepAll(step);
        await deliverShare(step === STEPS - 1 ? 1 : 0.5);
      }
      await outageOver;
      const outageEndedAt = new Date();

      const seenEventIds = chaos.filter((subject) => subject !== unseenSubject).flatMap((subject) => subject.events.map((event) => event.id));
      await eventually(
        async () => {
          const [row] = await db.execute<{ count: number }>(
            sql`select count(*)::int as count from stripe_events where id in ${seenEventIds} and processed_at is not null`,
          );
          return row!.count === seenEventIds.length ? true : undefined;
        },
        150_000,
        "every event to be processed",
      );
      const processedBy = new Date();

      // Each event stored once and processed once, the interrupted one included.
      const allEventIds = chaos.flatMap((subject) => subject.events.map((event) => event.id));
      const stored = await db.select().from(stripeEvents).where(inArray(stripeEvents.id, allEventIds));
      expect(stored).toHaveLength(allEventIds.length);
      expect(seenEventIds).toContain(killedMidEvent);

      for (const [index, twin] of inOrder.entries()) {
        const subject = chaos[index]!;
        const what = `instance ${index} (${subject.life}, seed ${SEED})`;
        const actual = await endState(subject.instance.id);
        expect(actual, what).toEqual(await endState(twin.instance.id));

        // At most one billing timer, due when the subscription says.
        const timers = await pendingBillingJobs(db, subject.instance.id);
        expect(timers.length, what).toBeLessThanOrEqual(1);
        const row = (await db.query.subscriptions.findFirst({ where: eq(subscriptions.instanceId, subject.instance.id) }))!;
        for (const timer of timers) {
          const due = timer.task === "suspend_for_nonpayment" ? row.suspendAt : row.deprovisionAt;
          expect(Math.abs(timer.runAt.getTime() - due!.getTime()), `${what}: ${timer.task} runs at its deadline`).toBeLessThan(5_000);
        }
        if (row.deprovisionAt) expect(row.deprovisionAt.getTime(), what).toBe(CANCELED_AT * 1000 + RETENTION_MS);
        // The grace period runs from when the payment failed at Stripe, however late the portal heard of it.
        if (row.pastDueSince) expect([row.pastDueSince.getTime(), row.suspendAt!.getTime()], what).toEqual([FAILED_AT * 1000, FAILED_AT * 1000 + GRACE_MS]);

        // Effects once: no email the in-order life did not send, none twice; the end of a subscription told once.
        const sent = await subjectsOf(subject.owner.email);
        const sentInOrder = await subjectsOf(twin.owner.email);
        for (const subjectLine of new Set(sent)) {
          expect(sent.filter((line) => line === subjectLine).length, `${what}: "${subjectLine}"`).toBeLessThanOrEqual(
            sentInOrder.filter((line) => line === subjectLine).length,
          );
        }
        expect(sent.filter((line) => line.includes("has ended")), what).toEqual(sentInOrder.filter((line) => line.includes("has ended")));
      }
      expect(outageEndedAt.getTime()).toBeLessThanOrEqual(processedBy.getTime());
      // The faults happened: reads failed during the outage, and the unseen customer's were answered 404.
      expect(answered.failed).toBeGreaterThan(0);
      expect(answered.notFound).toBeGreaterThan(0);

      // The customer Stripe answers 404 for: its events wait unprocessed (their jobs fail and say why), and nothing
      // was suspended, scheduled or deleted, though its last event says the subscription was deleted.
      const unseenEvents = await db.select().from(stripeEvents).where(inArray(stripeEvents.id, unseenSubject.events.map((event) => event.id)));
      expect(unseenEvents.map((event) => event.processedAt)).toEqual(unseenEvents.map(() => null));
      expect(await endState(unseenSubject.instance.id)).toEqual(unseenBefore);
      expect(unseenBefore).toMatchObject({ status: "running", timers: [], subscription: { status: "active", suspendedFor: null, deprovisionAt: null } });
      const logged = await db
        .select()
        .from(instanceEvents)
        .where(and(eq(instanceEvents.instanceId, unseenSubject.instance.id), eq(instanceEvents.level, "error")));
      expect(logged.length).toBeGreaterThan(0);
      expect(logged[0]!.message).toContain("does not know subscription");

      // Nothing deleted without staff: no deprovisioning started anywhere, and the billing sweep starts none either.
      const deprovisions = await db.select().from(instanceOperations).where(eq(instanceOperations.kind, "deprovision"));
      expect(deprovisions).toEqual([]);
      expect(await db.select().from(subscriptions).where(isNull(subscriptions.deprovisionStartedAt))).toHaveLength(2 * INSTANCES - 1);
      const repairs = await reassertBillingState();
      expect(repairs.filter((repair) => repair.repair === "deprovision" || repair.instanceId === unseenSubject.instance.id)).toEqual([]);
    },
  );
});
