// Waiting for an operation the worker runs to end, whichever way it ends. Import it after the test's environment is
// set (as the tests that use it import the database).
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { instanceOperations } from "@/db/schema";
import { eventually } from "./waiting";

export async function operationEnded(operationId: string, timeoutMs = 120_000) {
  return eventually(
    async () => {
      const [row] = await db.select().from(instanceOperations).where(eq(instanceOperations.id, operationId));
      return row && ["succeeded", "failed", "cancelled"].includes(row.status) ? row : undefined;
    },
    timeoutMs,
    `operation ${operationId} to finish`,
  );
}
