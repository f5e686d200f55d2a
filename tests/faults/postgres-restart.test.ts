// Postgres stops for 20 s while a provision's MySQL step is on the wire, then comes back on the same port and data
// (tests/faults/helpers/own-postgres.ts). The portal's routes are served over real HTTP (tests/helpers/route-server.ts)
// and the owner watches the instance's timeline over SSE, on a page opened before the outage and on one opened
// during it (tests/helpers/sse-subscriber.ts, which gives up where the browser's tRPC link would). Pass line: the
// operation reaches running within 90 s of the restart and afterwards no job is left held for more than 60 s by a
// live worker; within 10 s of the restart both timelines have every event once and in order, and keep it to the end;
// /api/ready answers 503 during the outage and 200 after it; Stripe events delivered during the outage are answered
// 5xx, and their redelivery is stored and processed once (one provision for the school that paid).
import { and, eq, inArray, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { startFaultProxy } from "../helpers/fault-proxy";
import { ownPostgres } from "./helpers/own-postgres";

const postgresServer = await ownPostgres();
const mariadbUrl = new URL(process.env.MYSQL_ADMIN_URL ?? "mysql://root@127.0.0.1:3306");
const mariadbProxy = await startFaultProxy({ host: mariadbUrl.hostname, port: Number(mariadbUrl.port || 3306) });
process.env.MYSQL_ADMIN_URL = mariadbProxy.urlFor(mariadbUrl.toString());
// The held MySQL call outlasts the outage rather than failing at its own limit: the outage is the fault here.
process.env.DRIVER_CALL_TIMEOUT_SECONDS = "60";

const { db } = await import("@/db");
const { instanceEvents, instanceOperations, instances, stripeEvents } = await import("@/db/schema");
const { GET: trpcRoute } = await import("@/app/api/trpc/[trpc]/route");
const { GET: readyRoute } = await import("@/app/api/ready/route");
const { POST: webhookRoute } = await import("@/app/api/stripe/webhook/route");
const { stripeSignatureHeader } = await import("@/server/billing/signature");
const { appendInstanceEvent } = await import("@/server/instances/events");
const { namePrefixOf, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { checkoutAtStripe } = await import("../helpers/billing");
const { logInThroughAuthJs } = await import("../helpers/auth-js");
const { serveRoutes } = await import("../helpers/route-server");
const { subscribeToInstanceEvents } = await import("../helpers/sse-subscriber");
const { eventually } = await import("../helpers/waiting");
const { runWorkerForThisFile } = await import("../helpers/file-worker");

runWorkerForThisFile();
const web = await serveRoutes({
  "/api/trpc/instances.events": trpcRoute,
  "/api/ready": readyRoute,
  "/api/stripe/webhook": webhookRoute,
});
const subscribers: { close(): void }[] = [];
afterAll(async () => {
  for (const subscriber of subscribers) subscriber.close();
  await web.close();
  await mariadbProxy.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 20_000;

/** The status `/api/ready` answers now, or the network error's message. */
async function readiness(): Promise<number | string> {
  try {
    const response = await fetch(`${web.url}/api/ready`, { signal: AbortSignal.timeout(5_000) });
    await response.body?.cancel();
    return response.status;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Posts one Stripe event over HTTP, signed afresh as each of Stripe's deliveries is. */
async function deliverOverHttp(event: { id: string }): Promise<number> {
  const body = JSON.stringify(event);
  const response = await fetch(`${web.url}/api/stripe/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "stripe-signature": stripeSignatureHeader(body, process.env.STRIPE_WEBHOOK_SECRET!) },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  await response.body?.cancel();
  return response.status;
}

/** Every event sequence number the instance has committed, in order. */
async function committedSeqs(instanceId: string): Promise<number[]> {
  const rows = await db.select({ seq: instanceEvents.seq }).from(instanceEvents).where(eq(instanceEvents.instanceId, instanceId)).orderBy(instanceEvents.seq);
  return rows.map((row) => row.seq);
}

describe("Postgres restarted mid-operation", () => {
  it(
    "the provision reaches running, the live timeline stays in sequence, readiness goes 503 then 200, and a webhook refused during the outage is processed once on redelivery",
    { timeout: 170_000 },
    async () => {
      const { owner, instance } = await registeredInstance(undefined, "Postgres Restart Academy");
      const sessionCookie = await logInThroughAuthJs({ email: owner.email, password: "a long enough password" });
      const timeline = subscribeToInstanceEvents({ baseUrl: web.url, sessionCookie, instanceId: instance.id });
      subscribers.push(timeline);
      // A second school pays while Postgres is down: Stripe's events for it are made now, delivered in the outage.
      const { owner: payingOwner, instance: payingInstance } = await registeredInstance(undefined, "Outage Payment School");
      const paymentEvents = await checkoutAtStripe(payingInstance, payingOwner);
      expect(await readiness()).toBe(200);

      const namePrefix = namePrefixOf(instance);
      const isStuck = mariadbProxy.holdWhen((chunk) => chunk.includes("information_schema.schemata") && chunk.includes(namePrefix));
      await pay(instance.id);
      await isStuck;
      await eventually(async () => ((await committedSeqs(instance.id)).length === timeline.seqs.length ? true : undefined), 10_000, "the subscriber to catch up before the outage");

      await postgresServer.stop();
      const outageEnds = Date.now() + OUTAGE_MS;
      const readyDuringOutage = await readiness();
      const webhookDuringOutage = [];
      for (const event of paymentEvents) webhookDuringOutage.push(await deliverOverHttp(event));
      // A page opened (or a stream re-opened) while Postgres is down.
      const lateTimeline = subscribeToInstanceEvents({ baseUrl: web.url, sessionCookie, instanceId: instance.id });
      subscribers.push(lateTimeline);
      await sleep(outageEnds - Date.now());
      await postgresServer.start();
      const restartedAt = Date.now();
      mariadbProxy.pass();

      expect(readyDuringOutage).toBe(503);
      for (const status of webhookDuringOutage) expect(status).toBeGreaterThanOrEqual(500);

      // Within 10 s of the restart an event committed after it reaches both subscribers, and each has every event so
      // far once and in order. (The worker's own next event may come later than that: its step's retry waits on
      // graphile-worker's back-off. An event appended here, as any writer appends one, times the stream alone.)
      const { seq: seqAfterRestart } = await eventually(
        () => appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: "The portal's database is back." }),
        10_000,
        "the database to take an event again",
      );
      const isInSequence = (received: readonly number[], committed: number[]) => committed.every((seq, i) => received[i] === seq);
      await eventually(
        async () => {
          const committed = await committedSeqs(instance.id);
          const hasEvery = [timeline, lateTimeline].every((subscriber) => subscriber.seqs.includes(seqAfterRestart) && isInSequence(subscriber.seqs, committed));
          return hasEvery ? true : undefined;
        },
        10_000 - (Date.now() - restartedAt),
        "both SSE subscribers to have the event committed after the restart",
      );
      expect(lateTimeline.hasGivenUp).toBe(false);
      await eventually(async () => ((await readiness()) === 200 ? true : undefined), 30_000, "/api/ready to answer 200 again");

      // Stripe redelivers what it was refused: each event is stored and processed once, the school provisioned once.
      for (const event of paymentEvents) expect(await deliverOverHttp(event)).toBe(200);
      const eventIds = paymentEvents.map((event) => event.id);
      await eventually(
        async () => {
          const rows = await db.select().from(stripeEvents).where(inArray(stripeEvents.id, eventIds));
          return rows.length === eventIds.length && rows.every((row) => row.processedAt) ? rows : undefined;
        },
        30_000,
        "the redelivered events to be processed",
      );

      await waitForStatus(instance.id, "running", 90_000 - (Date.now() - restartedAt));
      await waitForStatus(payingInstance.id, "running", 60_000);
      const provisions = await db
        .select({ id: instanceOperations.id })
        .from(instanceOperations)
        .where(and(eq(instanceOperations.instanceId, payingInstance.id), eq(instanceOperations.kind, "provision")));
      expect(provisions).toHaveLength(1);

      // The whole timeline, as the owner saw it live: 1..N, no gap, no duplicate.
      const [{ lastEventSeq }] = await db.select({ lastEventSeq: instances.lastEventSeq }).from(instances).where(eq(instances.id, instance.id)) as [{ lastEventSeq: number }];
      await eventually(async () => (timeline.seqs.length >= lastEventSeq ? true : undefined), 10_000, "the last events to arrive");
      await eventually(async () => (lateTimeline.seqs.length >= lastEventSeq ? true : undefined), 10_000, "the last events to arrive");
      timeline.close();
      lateTimeline.close();
      const everyEvent = Array.from({ length: lastEventSeq }, (_, i) => i + 1);
      expect(timeline.seqs).toEqual(everyEvent);
      expect(lateTimeline.seqs).toEqual(everyEvent);

      await sleep(5_000);
      const held = await db.execute<{ id: string; task: string }>(sql`
        select j.id::text, t.identifier as task from graphile_worker._private_jobs j
        join graphile_worker._private_tasks t on t.id = j.task_id
        where j.locked_at < now() - interval '60 seconds'`);
      expect(held).toEqual([]);
    },
  );
});
