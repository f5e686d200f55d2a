// The address a request came from, for per-address rate limits.
//
// Next.js does not give route handlers or server actions the socket's address. What it does: when a request
// has no X-Forwarded-For, it sets that header to the socket's remote address; when the request has one, it
// keeps it unchanged. So without a proxy the last entry is the socket's address, unless the client sent the
// header itself (then it is the client's choice). Each trusted proxy appends the address it saw, so with N of
// them the client is the N-th entry from the end, and anything before it is the client's to forge.
import { env } from "@/server/env";

export function clientAddressOf(headers: Headers, trustedProxyHops = env().LYCEUM_TRUSTED_PROXY_HOPS): string | null {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const entry = entries[Math.max(0, entries.length - Math.max(1, trustedProxyHops))]!;
  // IPv4 clients of a dual-stack socket appear as ::ffff:a.b.c.d.
  return entry.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1").toLowerCase();
}
