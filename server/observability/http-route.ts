// The `route` label of HTTP metrics: the path with ids replaced, so each page or endpoint is one series
// (a label per instance id would grow without bound).
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NUMBER = /^\d+$/;
const TRPC_PROCEDURES = /^[a-zA-Z0-9.,]{1,200}$/;

export function routeLabel(pathname: string, status: number): string {
  // Scanners probing for /wp-admin and the like must not each become a series.
  if (status === 404) return "(not found)";
  if (pathname.startsWith("/_next/static/")) return "/_next/static";
  if (pathname.startsWith("/_next/image")) return "/_next/image";
  const segments = pathname.split("/").filter(Boolean);
  if (segments[0] === "api" && segments[1] === "trpc" && segments[2]) {
    // One series per procedure (or batch of procedures), which is the unit people ask about.
    return `/api/trpc/${TRPC_PROCEDURES.test(segments[2]) ? segments[2] : "(invalid)"}`;
  }
  const normalised = segments.map((segment) => (UUID.test(segment) ? "[id]" : NUMBER.test(segment) ? "[n]" : segment));
  return `/${normalised.join("/")}`;
}
