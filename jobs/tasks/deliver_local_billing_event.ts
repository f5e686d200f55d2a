// The local billing driver's webhook delivery: posts the event, signed, to the portal's webhook route.
// Anything but 2xx fails the job, and graphile-worker retries it, as Stripe retries its deliveries.
import type { Task } from "graphile-worker";
import { deliverSignedEvent } from "@/server/billing/local/delivery";
import { jobPayloads } from "@/server/queue/payloads";

export const deliver_local_billing_event: Task = async (payload, helpers) => {
  const { event } = jobPayloads.deliver_local_billing_event.parse(payload);
  const response = await deliverSignedEvent(event);
  if (!response.ok) throw new Error(`webhook answered ${response.status} to ${event.type} ${event.id}: ${await response.text()}`);
  helpers.logger.info(`delivered ${event.type} ${event.id}`);
};
