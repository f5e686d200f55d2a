import type { Queryable } from "@/db";
import { enqueueJob } from "@/server/queue/enqueue";
import { emailMessage, type EmailMessage } from "./message";

/** Queues an email for the worker to send (retried with back-off if the relay is down). */
export async function enqueueEmail(q: Queryable, message: EmailMessage) {
  return enqueueJob(q, "send_email", emailMessage.parse(message), { maxAttempts: 10 });
}
