// One runner per instance at a time, whatever happens to the job queue: a session-level advisory lock held on
// a dedicated connection for the whole run. If the worker dies, its connection closes and Postgres releases
// the lock at once; if it is only slow (and crash recovery wrongly unlocked its job), the second runner waits.
import { rawSql } from "@/db";

const LEASE_NAMESPACE = 4_242_002;

export type InstanceLease = { release(): Promise<void> };

export async function tryLeaseInstance(instanceId: string): Promise<InstanceLease | null> {
  const connection = await rawSql().reserve();
  try {
    const [row] = await connection<{ locked: boolean }[]>`
      select pg_try_advisory_lock(${LEASE_NAMESPACE}, hashtext(${instanceId})) as locked`;
    if (!row?.locked) {
      connection.release();
      return null;
    }
  } catch (error) {
    connection.release();
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
