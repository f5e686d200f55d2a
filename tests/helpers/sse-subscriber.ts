// A live subscriber to an instance's events over HTTP, as the browser's tRPC SSE link (on EventSource) is: a GET
// on /api/trpc/instances.events answered with text/event-stream; when the stream ends, or ends with an error whose
// code the link retries, a new request after a pause that resends the last event id it saw. Like the link, it
// gives up for good on any other answer (an HTTP error status, or an error such as UNAUTHORIZED): the page's
// timeline would stop there. It keeps every event id it received, duplicates included, so a test can check the
// sequence the user's timeline would show.
import { retryableRpcCodes } from "@trpc/server/unstable-core-do-not-import";
import superjson from "superjson";

type SseEvent = { event: string; id: string | null; data: string };

/** Splits a text/event-stream body into events (the fields Lyceum's stream uses: event, id, data). */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = body.getReader();
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    buffer += decoder.decode(read.value, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, "");
      const event: SseEvent = { event: "message", id: null, data: "" };
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(":");
        if (colon === 0) continue; // a comment
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event.event = value;
        else if (field === "id") event.id = value;
        else if (field === "data") event.data += event.data ? `\n${value}` : value;
      }
      yield event;
    }
  }
}

type SseSubscriber = {
  /** Every event id received, in order of arrival (a duplicate shows up twice). */
  readonly seqs: readonly number[];
  /** HTTP statuses and stream errors met on the way (what made the subscriber reconnect, or give up). */
  readonly problems: readonly string[];
  /** It met an answer the browser's link does not retry, and stopped. */
  readonly hasGivenUp: boolean;
  /** Requests made so far (1 + reconnects). */
  readonly connections: number;
  close(): void;
};

export function subscribeToInstanceEvents(options: { baseUrl: string; sessionCookie: string; instanceId: string; retryMs?: number }): SseSubscriber {
  const seqs: number[] = [];
  const problems: string[] = [];
  let connections = 0;
  let hasGivenUp = false;
  let lastEventId: string | null = null;
  const stopped = new AbortController();
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.retryMs ?? 1000));

  void (async () => {
    while (!stopped.signal.aborted) {
      connections++;
      try {
        const input: string = JSON.stringify(superjson.serialize({ id: options.instanceId, lastEventId }));
        const response: Response = await fetch(`${options.baseUrl}/api/trpc/instances.events?input=${encodeURIComponent(input)}`, {
          headers: { cookie: `authjs.session-token=${options.sessionCookie}`, accept: "text/event-stream" },
          signal: stopped.signal,
        });
        if (!response.ok || !response.body) {
          // EventSource fails the connection for good on a status other than 200.
          problems.push(`HTTP ${response.status}`);
          await response.body?.cancel();
          hasGivenUp = true;
        } else {
          for await (const event of sseEvents(response.body as ReadableStream<Uint8Array>)) {
            if (event.event === "serialized-error") {
              const { code, message } = (superjson.deserialize(JSON.parse(event.data)) ?? {}) as { code?: number; message?: string };
              problems.push(`error ${code}: ${message}`);
              if (!retryableRpcCodes.includes(code as (typeof retryableRpcCodes)[number])) hasGivenUp = true;
              break;
            }
            if (event.event === "message" && event.id !== null) {
              lastEventId = event.id;
              seqs.push(Number(event.id));
            }
          }
        }
      } catch (error) {
        if (!stopped.signal.aborted) problems.push(`stream error: ${(error as Error).message}`);
      }
      if (hasGivenUp) return;
      if (!stopped.signal.aborted) await pause();
    }
  })();

  return {
    seqs,
    problems,
    get connections() {
      return connections;
    },
    get hasGivenUp() {
      return hasGivenUp;
    },
    close: () => stopped.abort(),
  };
}
