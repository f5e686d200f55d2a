// Drives the portal's Auth.js configuration the way next-auth does inside Next: its `signIn("credentials")`
// server action and its `/api/auth/session` read both end in @auth/core's `Auth` with this same config.
import { Auth, raw, setEnvDefaults, skipCSRFCheck, type AuthConfig } from "@auth/core";
import type { Session } from "@auth/core/types";
import { authConfig } from "@/server/auth/config";

const ORIGIN = "http://portal.test";
const SESSION_COOKIE = "authjs.session-token";

function config(): AuthConfig {
  // What next-auth's own setEnvDefaults adds: the secret from AUTH_SECRET and the /api/auth base path.
  const result: AuthConfig = { ...authConfig(), basePath: "/api/auth" };
  setEnvDefaults(process.env, result, true);
  return result;
}

/**
 * Logs in as the login form's server action does (next-auth `signIn` posts to the credentials callback with
 * the page request's headers, so Next's x-forwarded-for is there). Resolves to the session cookie; rejects
 * with the Auth.js error (CredentialsSignin or a subclass) when the log-in is refused.
 */
export async function logInThroughAuthJs(input: { email: string; password: string; clientIp?: string }): Promise<string> {
  return postCredentials({ email: input.email, password: input.password }, input.clientIp);
}

/** The log-in form's second step: the note the first step's refusal carried, and a code. */
export async function secondFactorThroughAuthJs(input: { pendingSignIn: string; code: string; clientIp?: string }): Promise<string> {
  return postCredentials({ pendingSignIn: input.pendingSignIn, code: input.code }, input.clientIp);
}

async function postCredentials(fields: Record<string, string>, clientIp: string | undefined): Promise<string> {
  const headers = new Headers({ "content-type": "application/x-www-form-urlencoded" });
  if (clientIp) headers.set("x-forwarded-for", clientIp);
  const request = new Request(`${ORIGIN}/api/auth/callback/credentials`, {
    method: "POST",
    headers,
    body: new URLSearchParams({ ...fields, callbackUrl: "/instances" }),
  });
  const response = await Auth(request, { ...config(), raw, skipCSRFCheck });
  const cookie = response.cookies?.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error(`Auth.js signed in without setting ${SESSION_COOKIE}`);
  return cookie.value;
}

/** The session Auth.js reads from a session cookie (what `auth()` and `/api/auth/session` answer), or null. */
export async function sessionThroughAuthJs(sessionCookie: string): Promise<Session | null> {
  const request = new Request(`${ORIGIN}/api/auth/session`, { headers: { cookie: `${SESSION_COOKIE}=${sessionCookie}` } });
  const response = await Auth(request, config());
  const body = (await response.json()) as Session | null;
  return body && Object.keys(body).length > 0 ? body : null;
}
