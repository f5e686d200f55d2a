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

/** The instance's lease, waiting up to `waitMs` for its holder; null when it is still held after that. */
export async function leaseInstance(instanceId: string, waitMs = LEASE_WAIT_MS): Promise<InstanceLease | null> {
  let isSessionLost = false;
  const session = postgres(env().DATABASE_URL, {
    max: 1,
    onnotice: () => {},
    onclose: () => void (isSessionLost = true),
    connection: { application_name: "lyceum-instance-lease", lock_timeout: Math.max(1, Math.round(waitMs)) },
  });
  try {
    await session`select pg_advisory_lock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
  } catch (error) {
    await session.end({ timeout: 1 });
    // 55P03 lock_not_available: lock_timeout expired while someone else held the lease.
    if ((error as { code?: string }).code === "55P03") return null;
    throw error;
  }
  return {
    async release() {
      try {
        // A lost session took its lock with it; a new connection could only unlock nothing.
        if (!isSessionLost) await session`select pg_advisory_unlock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
      } finally {
        await session.end({ timeout: 1 });
      }
    },
  };
}
