// Where to send someone after logging in: only a path on this site, so a crafted ?next= cannot send them elsewhere.
// Browsers read "\" as "/" and drop tabs and newlines in URLs, so "/\evil.example" and "/\t/evil.example" both
// mean "//evil.example" (another host); encoded forms (%5C, %2F%2F, %09) can be decoded on the way by a proxy
// or a second redirect, so they are refused too.

const PROBE_ORIGIN = "http://portal.invalid";
const BACKSLASH_OR_CONTROL = /[\\\u0000-\u001f\u007f]/;

/** `next` when it is a path on this site, else `fallback`. */
export function safeRedirectPath(next: unknown, fallback = "/instances"): string {
  if (typeof next !== "string" || !next.startsWith("/")) return fallback;
  const forms = [next];
  for (let layer = 0; layer < 3; layer++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(forms[forms.length - 1]!);
    } catch {
      return fallback; // malformed escapes: nothing we would have produced ourselves
    }
    if (decoded === forms[forms.length - 1]) break;
    forms.push(decoded);
  }
  if (forms.some((form) => form.startsWith("//") || BACKSLASH_OR_CONTROL.test(form))) return fallback;
  // What the browser will resolve it to must still be this site.
  return new URL(next, PROBE_ORIGIN).origin === PROBE_ORIGIN ? next : fallback;
}
