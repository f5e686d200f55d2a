// Emails queued as send_email jobs (not yet delivered): what a transaction decided to send.
import { sql } from "drizzle-orm";
import { db } from "@/db";
import type { EmailMessage } from "@/server/mail/message";

export async function queuedEmailsTo(address: string): Promise<EmailMessage[]> {
  const rows = await db.execute<{ payload: EmailMessage }>(sql`
    select jobs.payload from graphile_worker._private_jobs as jobs
    join graphile_worker._private_tasks as tasks on tasks.id = jobs.task_id
    where tasks.identifier = 'send_email' and jobs.payload->>'to' = ${address}
    order by jobs.id`);
  return rows.map((row) => row.payload);
}
