// One runner per instance at a time, whatever happens to the job queue: a session-level advisory lock held on
// a session of its own for the whole run. If the worker dies, its connection closes and Postgres releases
// the lock at once; if it is only slow (and crash recovery wrongly unlocked its job), the second runner waits.
//
// The session is its own single-connection client, not a connection reserved from the shared pool: postgres.js
// (3.4.9) sends a reserved connection's queries straight to its socket, and once Postgres restarted under it the
// unlock either waited forever or threw from a timer, out of reach of any catch, taking the worker down
// (tests/faults/lease-across-restart.test.ts). A client of its own reconnects for the unlock instead, and knows
// from its close event that the lock already went with the old session.
import postgres from "postgres";
import { env } from "@/server/env";

const LEASE_NAMESPACE = 4_242_002;
/**
 * How long a runner waits for the lease. Back-to-back operations (provision finished, suspend picked up by
 * another worker a moment later) only overlap for the instant between one's finish and its release.
 */
const LEASE_WAIT_MS = 30_000;

type InstanceLease = { release(): Promise<void> };

/** A lease's client, and whether its connection closed since the current lease took it (the lock went with it). */
type LeaseSession = { sql: postgres.Sql; isLost: boolean; idleTimer?: NodeJS.Timeout };

/**
 * Sessions whose lease was released cleanly (unlocked, nothing held), kept for the next lease with the same
 * wait: opening a connection was most of a short operation's cost beyond its steps. One left unused for a few
 * seconds is closed, so a quiet worker holds none. (Not postgres.js's idle_timeout: a held lease's connection
 * is idle for the whole operation, and closing it would drop the lock.)
 */
const idleSessions = new Map<number, LeaseSession[]>();
const MAX_IDLE_PER_WAIT = 4;
const IDLE_MS = 5_000;

function sessionFor(lockTimeoutMs: number): LeaseSession {
  const reused = idleSessions.get(lockTimeoutMs)?.pop();
  if (reused) {
    clearTimeout(reused.idleTimer);
    reused.isLost = false;
    return reused;
  }
  const session: LeaseSession = {
    isLost: false,
    sql: postgres(env().DATABASE_URL, {
      max: 1,
      onnotice: () => {},
      onclose: () => void (session.isLost = true),
      connection: { application_name: "lyceum-instance-lease", lock_timeout: lockTimeoutMs },
    }),
  };
  return session;
}

function keepIdle(lockTimeoutMs: number, session: LeaseSession): Promise<void> | void {
  let idle = idleSessions.get(lockTimeoutMs);
  if (!idle) idleSessions.set(lockTimeoutMs, (idle = []));
  if (idle.length >= MAX_IDLE_PER_WAIT) return session.sql.end({ timeout: 1 });
  idle.push(session);
  session.idleTimer = setTimeout(() => {
    const index = idle.indexOf(session);
    if (index >= 0) idle.splice(index, 1);
    void session.sql.end({ timeout: 1 }).catch(() => {});
  }, IDLE_MS);
  session.idleTimer.unref();
}

/** The instance's lease, waiting up to `waitMs` for its holder; null when it is still held after that. */
export async function leaseInstance(instanceId: string, waitMs = LEASE_WAIT_MS): Promise<InstanceLease | null> {
  const lockTimeoutMs = Math.max(1, Math.round(waitMs));
  const session = sessionFor(lockTimeoutMs);
  try {
    await session.sql`select pg_advisory_lock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
  } catch (error) {
    await session.sql.end({ timeout: 1 });
    // 55P03 lock_not_available: lock_timeout expired while someone else held the lease.
    if ((error as { code?: string }).code === "55P03") return null;
    throw error;
  }
  return {
    async release() {
      // A lost session took its lock with it; a new connection could only unlock nothing.
      if (session.isLost) return session.sql.end({ timeout: 1 });
      try {
        await session.sql`select pg_advisory_unlock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
      } catch (error) {
        await session.sql.end({ timeout: 1 });
        throw error;
      }
      // Lost during the unlock: whatever it held went with the connection; it is not handed on either way.
      if (session.isLost) return session.sql.end({ timeout: 1 });
      return keepIdle(lockTimeoutMs, session);
    },
  };
}
