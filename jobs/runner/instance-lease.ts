// One runner per instance at a time, whatever happens to the job queue: a session-level advisory lock held on
// a dedicated connection for the whole run. If the worker dies, its connection closes and Postgres releases
// the lock at once; if it is only slow (and crash recovery wrongly unlocked its job), the second runner waits.
import { rawSql } from "@/db";

const LEASE_NAMESPACE = 4_242_002;
/**
 * How long a runner waits for the lease. Back-to-back operations (provision finished, suspend picked up by
 * another worker a moment later) only overlap for the instant between one's finish and its release.
 */
const LEASE_WAIT_MS = 30_000;

type InstanceLease = { release(): Promise<void> };

/** The instance's lease, waiting up to `waitMs` for its holder; null when it is still held after that. */
export async function leaseInstance(instanceId: string, waitMs = LEASE_WAIT_MS): Promise<InstanceLease | null> {
  const connection = await rawSql().reserve();
  try {
    await connection.unsafe(`set lock_timeout = ${Math.max(1, Math.round(waitMs))}`);
    await connection`select pg_advisory_lock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
    await connection`set lock_timeout = 0`;
  } catch (error) {
    await connection`set lock_timeout = 0`.catch(() => {});
    connection.release();
    // 55P03 lock_not_available: lock_timeout expired while someone else held the lease.
    if ((error as { code?: string }).code === "55P03") return null;
    throw error;
  }
  return {
    async release() {
      try {
        await connection`select pg_advisory_unlock(${LEASE_NAMESPACE}, hashtext(${instanceId}))`;
      } finally {
        connection.release();
      }
    },
  };
}
