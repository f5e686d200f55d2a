// Readiness for the load balancer: this web process can reach the database and some worker is alive to
// run the jobs it queues. (Liveness, /api/health, only says the process answers.)
import { sql } from "drizzle-orm";
import { db, type Queryable } from "@/db";
import { liveWorkerCount } from "@/server/staff/queue";

/** The checks readiness is made of; the public answer names the ones that failed, and nothing else. */
type ReadinessCheck = "database" | "workers";

/** `problems` say what went wrong, error text included: for the log, never for the public answer. */
type Readiness = { isReady: boolean; failedChecks: ReadinessCheck[]; liveWorkers: number; problems: string[] };

export async function checkReadiness(q: Queryable = db, timeoutMs = 3000): Promise<Readiness> {
  const failedChecks: ReadinessCheck[] = [];
  const problems: string[] = [];
  let liveWorkers = 0;
  try {
    await withTimeout(q.execute(sql`select 1`), timeoutMs, "the database did not answer");
    liveWorkers = await withTimeout(liveWorkerCount(q), timeoutMs, "reading worker heartbeats timed out");
    if (liveWorkers === 0) {
      failedChecks.push("workers");
      problems.push("no worker has sent a heartbeat recently: queued jobs would not run");
    }
  } catch (error) {
    failedChecks.push("database");
    problems.push(`database unreachable: ${messageWithCauses(error)}`);
  }
  return { isReady: failedChecks.length === 0, failedChecks, liveWorkers, problems };
}

/** The driver's own words sit in the cause (drizzle's message only names the query). */
function messageWithCauses(error: unknown): string {
  const messages: string[] = [];
  for (let current = error; current instanceof Error && messages.length < 5; current = current.cause) messages.push(current.message.trim());
  return messages.join(": ");
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
