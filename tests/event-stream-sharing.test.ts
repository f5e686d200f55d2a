// Many live streams of one instance's events (a class watching its site come up, a staff wall screen): each
// gets every event once and in order, and the streams share their reads of the events table instead of making
// one query each per event.
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

// A database of its own: the read count is this file's alone.
await isolatedDatabase();

const { db } = await import("@/db");
const { streamInstanceEvents, streamReadCount } = await import("@/server/events/stream");
const { appendInstanceEvent } = await import("@/server/instances/events");
const { registeredInstance, instanceRow } = await import("./helpers/instances");
const { eventually } = await import("./helpers/waiting");

type Collector = { seqs: number[]; done: Promise<void> };

function collect(instanceId: string, after: number, signal: AbortSignal): Collector {
  const seqs: number[] = [];
  const done = (async () => {
    for await (const event of streamInstanceEvents(instanceId, after, signal)) seqs.push(event.seq);
  })();
  return { seqs, done };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** An instance and the sequence number its registration's events reached. */
async function instanceAndSeq() {
  const { instance } = await registeredInstance();
  return { instance, base: (await instanceRow(instance.id))!.lastEventSeq };
}

describe("live event streams of one instance", () => {
  it("deliver every event to 300 streams with a few shared reads per event, not one per stream", async () => {
    const { instance, base } = await instanceAndSeq();
    for (let i = 0; i < 3; i++) await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `before ${i}` });
    const controller = new AbortController();
    const streams = Array.from({ length: 300 }, () => collect(instance.id, base, controller.signal));
    await eventually(async () => (streams.every((s) => s.seqs.length === 3) ? true : undefined), 20_000, "the catch-up");

    const readsBefore = streamReadCount();
    for (let i = 0; i < 5; i++) {
      await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `live ${i}` });
      await eventually(async () => (streams.every((s) => s.seqs.length === 4 + i) ? true : undefined), 20_000, `event ${i}`);
    }
    // One read per event, give or take a wake-up that lands between two turns of the event loop.
    expect(streamReadCount() - readsBefore).toBeLessThanOrEqual(10);
    for (const stream of streams) expect(stream.seqs).toEqual(range(base + 1, base + 8));
    controller.abort();
    await Promise.all(streams.map((s) => s.done));
  });

  it("brings a stream that starts far behind up to date through full pages while others are live", async () => {
    const { instance, base } = await instanceAndSeq();
    // 1 200 earlier events in one statement (appending them one by one takes a minute on a busy machine).
    await db.execute(sql`
      with bumped as (update instances set last_event_seq = last_event_seq + 1200 where id = ${instance.id} returning last_event_seq)
      insert into instance_events (instance_id, seq, kind, level, message)
      select ${instance.id}, bumped.last_event_seq - 1200 + n, 'log', 'info', 'old ' || n from bumped, generate_series(1, 1200) n`);
    const controller = new AbortController();
    const live = collect(instance.id, base + 1200, controller.signal);
    const middle = collect(instance.id, base + 700, controller.signal);
    const behind = collect(instance.id, base, controller.signal);
    for (let i = 0; i < 3; i++) await appendInstanceEvent(db, { instanceId: instance.id, kind: "log", message: `new ${i}` });
    await eventually(async () => (behind.seqs.length === 1203 && live.seqs.length === 3 && middle.seqs.length === 503 ? true : undefined), 30_000, "every stream at the end");
    expect(live.seqs).toEqual(range(base + 1201, base + 1203));
    expect(middle.seqs).toEqual(range(base + 701, base + 1203));
    expect(behind.seqs).toEqual(range(base + 1, base + 1203));
    controller.abort();
    await Promise.all([live.done, middle.done, behind.done]);
  });
});
