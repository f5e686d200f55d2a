// Floods a route with a large chunked body (no Content-Length, as an attacker streaming an endless upload
// would send it) and measures this process's memory while it does: the route server runs in this process.
import http from "node:http";

type FloodOutcome = { status: number; body: string; bytesSent: number; elapsedMs: number; peakRssGrowthBytes: number };

export function floodWithChunkedBody(url: string, options: { headers?: Record<string, string>; totalBytes: number }): Promise<FloodOutcome> {
  const chunk = Buffer.alloc(64 * 1024, 0x41);
  const rssBefore = process.memoryUsage().rss;
  let peakRss = rssBefore;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 5);
  const started = Date.now();
  return new Promise((resolve, reject) => {
    let bytesSent = 0;
    let isAnswered = false;
    const finish = (outcome: Omit<FloodOutcome, "bytesSent" | "elapsedMs" | "peakRssGrowthBytes">) => {
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      request.destroy();
      resolve({ ...outcome, bytesSent, elapsedMs: Date.now() - started, peakRssGrowthBytes: peakRss - rssBefore });
    };
    const request = http.request(url, { method: "POST", headers: { ...options.headers, "transfer-encoding": "chunked" } }, (response) => {
      isAnswered = true;
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () => finish({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
      response.on("error", () => finish({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") }));
    });
    request.on("error", (error) => {
      // The server may close the connection once it has answered; writes after that fail, which is expected.
      if (!isAnswered) {
        clearInterval(sampler);
        reject(error);
      }
    });
    const pump = () => {
      while (!isAnswered && bytesSent < options.totalBytes) {
        bytesSent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      if (!isAnswered) request.end();
    };
    pump();
  });
}
