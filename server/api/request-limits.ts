// What one HTTP request to /api/trpc may ask of the server, checked before the adapter reads anything.

/** The most calls one batched request may carry (the browser's batch link splits larger batches). */
export const MAX_TRPC_BATCH_CALLS = 50;

/** The largest request body: the biggest input (a registration's static pages) is a few hundred kilobytes. */
export const MAX_TRPC_BODY_BYTES = 1024 * 1024;

/**
 * The refusal of a batch with too many calls, or null. A batch names its procedures in the path, comma-separated
 * (`/api/trpc/a,b,c?batch=1`), so this is known from the URL alone, before the body or the session is read.
 */
export function oversizedBatchRefusal(request: Request, endpoint: string): Response | null {
  const url = new URL(request.url);
  if (url.searchParams.get("batch") !== "1") return null;
  const calls = url.pathname.slice(endpoint.length + 1).split(",").length;
  if (calls <= MAX_TRPC_BATCH_CALLS) return null;
  const message = `A batch may hold at most ${MAX_TRPC_BATCH_CALLS} calls; this one has ${calls}.`;
  // Shaped as tRPC shapes a request-level error, so a tRPC client shows the message.
  return Response.json({ error: { message, code: -32600, data: { code: "BAD_REQUEST", httpStatus: 400 } } }, { status: 400 });
}
