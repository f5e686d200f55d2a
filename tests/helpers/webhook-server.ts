// The portal's webhook route on a loopback HTTP port, so the local billing driver's delivery job (which
// posts to LYCEUM_INTERNAL_URL, as it does in the running portal) reaches it over real HTTP.
import http from "node:http";

export async function startWebhookServer() {
  const { POST } = await import("@/app/api/stripe/webhook/route");
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/api/stripe/webhook") {
        res.writeHead(404).end();
        return;
      }
      const request = new Request(`http://127.0.0.1${req.url}`, {
        method: "POST",
        headers: req.headers as Record<string, string>,
        body: Buffer.concat(chunks),
      });
      POST(request)
        .then(async (response) => {
          res.writeHead(response.status, { "content-type": "application/json" });
          res.end(await response.text());
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
