// Prometheus authenticates to /api/metrics, the worker's metrics port and the http_sd endpoints with a
// bearer token (LYCEUM_METRICS_TOKEN). Unset, those endpoints are closed.
import { timingSafeEqual } from "node:crypto";

type ScrapeDecision = { ok: true } | { ok: false; status: 401 | 404; message: string };

export function checkScrapeAuthorization(header: string | null | undefined, token: string | undefined): ScrapeDecision {
  if (!token) return { ok: false, status: 404, message: "Metrics are disabled: set LYCEUM_METRICS_TOKEN to enable them." };
  const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "";
  const expected = Buffer.from(token);
  const given = Buffer.from(presented);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, status: 401, message: "A valid bearer token is required (Authorization: Bearer <LYCEUM_METRICS_TOKEN>)." };
  }
  return { ok: true };
}

/** The refusal as an HTTP response (Prometheus shows the body in its target list). */
export function scrapeRefusal(decision: Exclude<ScrapeDecision, { ok: true }>): Response {
  return new Response(`${decision.message}\n`, {
    status: decision.status,
    headers: { "content-type": "text/plain; charset=utf-8", ...(decision.status === 401 ? { "www-authenticate": "Bearer" } : {}) },
  });
}
