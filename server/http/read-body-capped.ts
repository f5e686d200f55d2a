// Reading a request body with a ceiling: the declared Content-Length is refused up front, and a chunked body
// (which declares nothing) is counted as it streams in and dropped the moment it passes the ceiling, so a
// client can never make a route hold more than `maxBytes` of its body in memory.

class BodyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The request body is larger than ${formatBytes(maxBytes)}.`);
  }
}

async function readBodyCapped(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw new BodyTooLargeError(maxBytes);
  if (!request.body) return Buffer.alloc(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.byteLength;
    if (received > maxBytes) {
      // Stop pulling: the rest of the body is never read into this process. (Cancelling the stream would
      // destroy the connection before the 413 is written, and the client would see a reset instead.)
      reader.releaseLock();
      throw new BodyTooLargeError(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, received);
}

/** The same request with its body already read (for code that reads the body itself, such as adapters). */
export function withReadBody(request: Request, body: Buffer): Request {
  return new Request(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(body), signal: request.signal });
}

/** The answer to a body past its ceiling; the connection is closed so the rest of the body is not awaited. */
function bodyTooLargeResponse(error: BodyTooLargeError): Response {
  return Response.json({ error: error.message }, { status: 413, headers: { connection: "close" } });
}

/** For route handlers: the body, or the 413 answer to send instead of reading it. */
export async function readBodyOrRefusal(request: Request, maxBytes: number): Promise<{ body: Buffer; refusal?: undefined } | { refusal: Response }> {
  try {
    return { body: await readBodyCapped(request, maxBytes) };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { refusal: bodyTooLargeResponse(error) };
    throw error;
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;
}
