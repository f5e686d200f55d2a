// The browser-side protections every portal response carries (next.config.ts `headers()`): a Content Security
// Policy, no framing (an owner's Deploy or Delete button cannot be clickjacked), no MIME sniffing, a
// referrer policy, and HSTS when the request reached the portal over HTTPS.
import type { NextConfig } from "next";

type HeaderRule = Awaited<ReturnType<NonNullable<NextConfig["headers"]>>>[number];

/** One year. Not includeSubDomains: instances live under the portal's domain and may serve HTTP before their certificate. */
const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * No nonces: pages are rendered per request but Next's inline bootstrap scripts carry none, so scripts are
 * limited to this origin plus inline ones. Everything else the portal loads is its own: images from
 * /api/assets (and data:/blob: previews of a chosen file), styles from its own CSS, live updates over SSE.
 * Development adds what `next dev` needs (eval for React's debugging, the HMR websocket).
 */
function contentSecurityPolicy(isDevelopment: boolean): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${isDevelopment ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self'${isDevelopment ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaderRules(isDevelopment: boolean): HeaderRule[] {
  return [
    {
      source: "/:path*",
      headers: [
        { key: "X-Content-Type-Options", value: "nosniff" },
        { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        // For browsers that predate CSP's frame-ancestors.
        { key: "X-Frame-Options", value: "DENY" },
      ],
    },
    {
      // Pages only: an API route sets its own policy where it serves content (the branding images' is stricter).
      source: "/((?!api/).*)",
      headers: [{ key: "Content-Security-Policy", value: contentSecurityPolicy(isDevelopment) }],
    },
    {
      // HTTPS ends at the load balancer, which says so in X-Forwarded-Proto. Browsers ignore HSTS over plain HTTP.
      source: "/:path*",
      has: [{ type: "header", key: "x-forwarded-proto", value: "https" }],
      headers: [{ key: "Strict-Transport-Security", value: `max-age=${HSTS_MAX_AGE_SECONDS}` }],
    },
  ];
}
