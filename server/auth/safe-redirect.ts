// Where to send someone after logging in: only a path on this site, so a crafted ?next= cannot send them elsewhere.

export function safeRedirectPath(next: unknown, fallback = "/instances"): string {
  const path = typeof next === "string" ? next : "";
  return path.startsWith("/") && !path.startsWith("//") ? path : fallback;
}
