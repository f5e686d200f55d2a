// Two web processes and two workers behind the local HAProxy; one of each SIGKILLed mid-run. Clients follow their
// instance's live events as the instance page does (tRPC's httpSubscriptionLink over SSE, through HAProxy, to
// `/api/trpc/instances.events`) while four provisions run. Pass line: every client, including those whose web
// process died under them, reconnects (resuming from its last event id) and ends with every event of its instance
// exactly once, in order, with no gap; every provision succeeds with each of its steps succeeded once.
// The web processes serve the portal's route handlers without Next's build (tests/helpers/web-process-main.ts).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { sql } from "drizzle-orm";
import { EventSource } from "eventsource";
import superjson from "superjson";
import { afterAll, describe, expect, it } from "vitest";
import type { AppRouter } from "@/server/api/root";
import { HAPROXY_BIN } from "../helpers/system-tools";
import { freePort, webProcesses } from "../helpers/web-processes";
import { exited, workerProcesses } from "../helpers/worker-processes";
import { ownPostgres } from "./helpers/own-postgres";

await ownPostgres();

const { closeDb, db } = await import("@/db");
const { closeInfrastructure } = await import("@/server/infra");
const { logInThroughAuthJs } = await import("../helpers/auth-js");
const { injectFault, pay, registeredInstance, waitForStatus } = await import("../helpers/instances");
const { eventually } = await import("../helpers/waiting");
const { localCompute } = await import("../helpers/file-worker");

const INSTANCES = 4;
const CLIENTS_PER_INSTANCE = 2;

const webs = webProcesses();
const workers = workerProcesses(2);
let haproxy: ChildProcess | undefined;
const clientsToClose: (() => void)[] = [];
afterAll(async () => {
  for (const close of clientsToClose) close();
  haproxy?.kill("SIGTERM");
  if (haproxy) await exited(haproxy);
  await webs.stopAll();
  await workers.stopAll();
  for (const server of await localCompute().listServers()) await localCompute().destroyServer(server.serverId);
  await closeInfrastructure();
  await closeDb();
});

/** HAProxy in front of the web processes: round robin, health-checked, a dead server's new connections redispatched. */
async function startHaproxy(webPorts: number[]) {
  const folder = mkdtempSync(path.join(os.tmpdir(), "lyceum-two-web-"));
  const port = await freePort();
  const statsSocket = path.join(folder, "stats.sock");
  const config = [
    "global",
    `  stats socket ${statsSocket} level admin`,
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    // SSE streams stay open for as long as the page does.
    "  timeout client 10m",
    "  timeout server 10m",
    "  retries 3",
    "  option redispatch",
    "frontend portal",
    `  bind 127.0.0.1:${port}`,
    "  default_backend web",
    "backend web",
    "  balance roundrobin",
    "  option httpchk GET /api/health",
    "  retry-on conn-failure empty-response",
    ...webPorts.map((webPort, index) => `  server web${index + 1} 127.0.0.1:${webPort} check inter 500ms fall 2 rise 1`),
    "",
  ].join("\n");
  writeFileSync(path.join(folder, "haproxy.cfg"), config);
  const child = spawn(HAPROXY_BIN, ["-db", "-f", path.join(folder, "haproxy.cfg")], { stdio: ["ignore", "pipe", "pipe"] });
  await eventually(async () => ((await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => null))?.ok ? true : undefined), 20_000, "HAProxy to answer");
  return { child, url: `http://127.0.0.1:${port}`, statsSocket };
}

/** Open connections per web server, from HAProxy's stats socket (`show stat`: pxname,svname,…,scur,…). */
async function currentSessions(statsSocket: string): Promise<Record<string, number>> {
  const csv = await new Promise<string>((resolve, reject) => {
    const socket = net.createConnection(statsSocket, () => socket.end("show stat\n"));
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString()));
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
  const [header, ...rows] = csv.replace(/^# /, "").trim().split("\n");
  const columns = header!.split(",");
  const result: Record<string, number> = {};
  for (const row of rows) {
    const cells = row.split(",");
    if (cells[columns.indexOf("pxname")] === "web" && cells[1]!.startsWith("web")) result[cells[1]!] = Number(cells[columns.indexOf("scur")]);
  }
  return result;
}

/** A signed-in browser's live subscription to one instance's events, as the instance page's client makes it. */
function followEvents(baseUrl: string, sessionCookie: string, instanceId: string) {
  const seqs: number[] = [];
  let connects = 0;
  let failure: unknown;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/api/trpc`,
        transformer: superjson,
        EventSource,
        // A browser sends its cookie with EventSource; this ponyfill sends what its fetch is given.
        eventSourceOptions: {
          fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: `authjs.session-token=${sessionCookie}` } }),
        },
      }),
    ],
  });
  const subscription = client.instances.events.subscribe(
    // As the page does with no server-rendered events yet: from the start.
    { id: instanceId, lastEventId: "0" },
    {
      onStarted: () => connects++,
      onData: ({ data }) => seqs.push(data.seq),
      onError: (error) => (failure = error),
    },
  );
  clientsToClose.push(() => subscription.unsubscribe());
  return {
    seqs,
    connects: () => connects,
    failure: () => failure,
  };
}

const provisionOf = (instanceId: string) =>
  eventually(() => db.query.instanceOperations.findFirst({ where: (t, { eq }) => eq(t.instanceId, instanceId) }), 60_000, "the provision operation");
/** The worker process (pid) that holds the operation's job. */
const pidRunning = async (operationId: string) => {
  const [row] = await db.execute<{ pid: number }>(sql`
    select w.pid from graphile_worker._private_jobs j join worker_processes w on j.locked_by = any(w.graphile_worker_ids)
    where j.key = ${`operation:${operationId}`}`);
  return row?.pid;
};

describe("two web processes and two workers, one of each SIGKILLed mid-run", () => {
  it("every client's live stream resumes with every event once and in order, and every provision finishes once", { timeout: 240_000 }, async () => {
    // All four processes start at once (each compiles the portal's modules on its way up).
    const spawnedWorkers = [workers.spawn(), workers.spawn()];
    const spawnedWebs = await Promise.all([webs.spawn(await freePort()), webs.spawn(await freePort())]);
    const edge = await startHaproxy(spawnedWebs.map(({ port }) => port));
    haproxy = edge.child;

    const registered = await Promise.all(Array.from({ length: INSTANCES }, (_, i) => registeredInstance(undefined, `Two Web Academy ${i + 1}`)));
    // The first provision hangs in its RabbitMQ step until its worker is killed (the fault fires once): the kill
    // lands mid-run, with later steps still to come for the clients to see after their reconnect.
    const [hanging] = registered;
    await injectFault({ instanceId: hanging!.instance.id, step: "rabbitmq", phase: "before", action: "hang" });

    const followers: { instanceId: string; stream: ReturnType<typeof followEvents> }[] = [];
    for (const { owner, instance } of registered) {
      const cookie = await logInThroughAuthJs({ email: owner.email, password: "a long enough password" });
      for (let i = 0; i < CLIENTS_PER_INSTANCE; i++) followers.push({ instanceId: instance.id, stream: followEvents(edge.url, cookie, instance.id) });
    }
    // Every client connected, spread over both web processes.
    await eventually(async () => (followers.every(({ stream }) => stream.connects() === 1) ? true : undefined), 30_000, "every client to connect");
    const sessions = await currentSessions(edge.statsSocket);
    expect(sessions.web1).toBeGreaterThan(0);
    expect(sessions.web2).toBeGreaterThan(0);

    for (const { instance } of registered) await pay(instance.id);
    const hangingOperation = await provisionOf(hanging!.instance.id);
    await eventually(async () => {
      const fault = await db.query.faultInjections.findFirst({ where: (t, { eq }) => eq(t.instanceId, hanging!.instance.id) });
      return fault?.lastHitAt ? true : undefined;
    }, 90_000, "the first provision to reach its hanging step");
    const killedPid = await eventually(() => pidRunning(hangingOperation.id), 10_000, "the worker running the hanging provision");
    const killedWorker = spawnedWorkers.find(({ child }) => child.pid === killedPid)!.child;
    const killedWeb = spawnedWebs[0]!.child;
    const seenBeforeKill = followers.map(({ stream }) => stream.seqs.length);
    killedWorker.kill("SIGKILL");
    killedWeb.kill("SIGKILL");
    await Promise.all([exited(killedWorker), exited(killedWeb)]);
    // The operations whose job the dead worker held: the step each was in runs again; no other step does.
    const heldByKilled = new Set(
      (
        await db.execute<{ key: string }>(sql`
          select j.key from graphile_worker._private_jobs j join worker_processes w on j.locked_by = any(w.graphile_worker_ids)
          where w.pid = ${killedPid}`)
      ).map(({ key }) => key),
    );
    expect(heldByKilled.has(`operation:${hangingOperation.id}`)).toBe(true);

    await Promise.all(registered.map(({ instance }) => waitForStatus(instance.id, "running", 150_000)));

    // Every client caught up with its instance's log: exactly the sequence 1..last, each event once.
    const lastSeqOf = async (instanceId: string) => {
      const [row] = await db.execute<{ last: number }>(sql`select max(seq)::int as last from instance_events where instance_id = ${instanceId}`);
      return row!.last;
    };
    for (const { instanceId, stream } of followers) {
      const last = await lastSeqOf(instanceId);
      // A client that never catches up is shown by the comparison below, with what it did receive.
      await eventually(async () => (stream.seqs.length >= last ? true : undefined), 30_000, `a client of ${instanceId} to reach event ${last}`).catch(() => {});
      expect(stream.failure()).toBeUndefined();
      expect(stream.seqs).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    }
    // Every client of the killed web process reconnected, and every client kept receiving events afterwards.
    const reconnected = followers.filter(({ stream }) => stream.connects() > 1);
    expect(reconnected.length).toBeGreaterThanOrEqual(sessions.web1!);
    followers.forEach(({ stream }, index) => expect(stream.seqs.length).toBeGreaterThan(seenBeforeKill[index]!));

    // Every provision succeeded, each step recorded once as succeeded (or skipped) and announced once as such.
    for (const { instance } of registered) {
      const operation = await provisionOf(instance.id);
      expect(operation.status).toBe("succeeded");
      const steps = await db.query.operationSteps.findMany({ where: (t, { eq }) => eq(t.operationId, operation.id) });
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) expect(["succeeded", "skipped"]).toContain(step.status);
      const rerun = steps.filter((step) => step.attempts > 1);
      if (heldByKilled.has(`operation:${operation.id}`)) {
        expect(rerun.length).toBeLessThanOrEqual(1);
        for (const step of rerun) expect(step.attempts).toBe(2);
      } else expect(rerun).toEqual([]);
      const endings = await db.execute<{ step: string; count: number }>(sql`
        select step, count(*)::int as count from instance_events
        where operation_id = ${operation.id} and kind = 'step_succeeded' group by step having count(*) > 1`);
      expect(endings).toEqual([]);
      const duplicateResources = await db.execute(sql`
        select kind, count(*) from instance_resources where instance_id = ${instance.id} group by kind, external_id having count(*) > 1`);
      expect(duplicateResources).toEqual([]);
    }
  });
});
