// The per-request tRPC context: who is asking, from the Auth.js session (re-read from the database).
import { db } from "@/db";
import { currentUser, currentUserOf } from "@/server/auth/session";
import type { TRPCContext } from "./trpc";

/** For server components (the session of the page being rendered). */
export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { db, user: await currentUser(), headers: opts.headers };
}

/** For the /api/trpc route: the session is read from the request's own cookie. */
export async function createTRPCContextForRequest(request: Request): Promise<TRPCContext> {
  return { db, user: await currentUserOf(request), headers: request.headers };
}
