// A minimal SSE reader for the tRPC subscription endpoint, as httpSubscriptionLink uses it.
type SseMessage = { id?: string; event?: string; data: string };

export function subscriptionUrl(baseUrl: string, path: string, input: unknown) {
  // The portal's tRPC uses superjson: inputs travel as { json: … }.
  return `${baseUrl}/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`;
}

export async function openSse(url: string, cookie: string, onMessage: (message: SseMessage) => void, signal: AbortSignal) {
  const response = await fetch(url, { headers: { accept: "text/event-stream", cookie }, signal });
  if (!response.ok || !response.body) throw new Error(`SSE ${url} answered ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    let buffer = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let boundary: number;
        while ((boundary = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const message: SseMessage = { data: "" };
          for (const line of block.split("\n")) {
            if (line.startsWith("data:")) message.data += line.slice(5).trimStart();
            else if (line.startsWith("id:")) message.id = line.slice(3).trim();
            else if (line.startsWith("event:")) message.event = line.slice(6).trim();
          }
          onMessage(message);
        }
      }
    } catch (error) {
      if (!signal.aborted) throw error;
    }
  })();
  return { pump };
}
