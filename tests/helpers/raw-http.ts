// A plain HTTP request with exactly the headers given (including Host), for tests that speak S3's wire
// protocol without the SDK (anonymous calls, presigned URLs, hand-framed bodies) or ask the edge for a site by
// name. A fresh connection each time (no keep-alive): a reloaded HAProxy must not answer on an old one.
import http from "node:http";

type RawResponse = { status: number; headers: http.IncomingHttpHeaders; body: string };

export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? "GET", headers: options.headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(options.body);
  });
}

/** The `<Code>` of an S3 error document. */
export const errorCodeIn = (body: string) => /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? null;

/** GET `urlPath` from the edge on 127.0.0.1:`port` for the site named `host`: its status and body. */
export async function getFromEdge(port: number, host: string, urlPath = "/") {
  const { status, body } = await rawRequest(`http://127.0.0.1:${port}${urlPath}`, { headers: { host } });
  return { status, body };
}
