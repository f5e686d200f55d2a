// Readiness for the load balancer: this web process can reach the database and some worker is alive to
// run the jobs it queues. (Liveness, /api/health, only says the process answers.)
import { sql } from "drizzle-orm";
import type { Queryable } from "@/db";
import { liveWorkerCount } from "@/server/staff/queue";

/** `database` is "ok", or what went wrong reaching it. */
export type Readiness = { isReady: boolean; database: string; liveWorkers: number; problems: string[] };

export async function checkReadiness(q: Queryable, timeoutMs = 3000): Promise<Readiness> {
  const problems: string[] = [];
  let database = "ok";
  let liveWorkers = 0;
  try {
    await withTimeout(q.execute(sql`select 1`), timeoutMs, "the database did not answer");
    liveWorkers = await withTimeout(liveWorkerCount(q), timeoutMs, "reading worker heartbeats timed out");
    if (liveWorkers === 0) problems.push("no worker has sent a heartbeat recently: queued jobs would not run");
  } catch (error) {
    database = (error as Error).message;
    problems.push(`database unreachable: ${database}`);
  }
  return { isReady: problems.length === 0, database, liveWorkers, problems };
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    work,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), timeoutMs);
    }),
  ]).finally(() => clearTimeout(timer));
}
