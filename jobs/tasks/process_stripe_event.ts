// A stored Stripe event: re-read the subscription it names from the billing driver and apply that state.
import type { Task } from "graphile-worker";
import { processStripeEvent } from "@/server/billing/processing";
import { jobPayloads } from "@/server/queue/payloads";

export const process_stripe_event: Task = async (payload, helpers) => {
  const { eventId } = jobPayloads.process_stripe_event.parse(payload);
  const outcome = await processStripeEvent(eventId);
  helpers.logger.info(`stripe event ${eventId}: ${outcome}`);
};
