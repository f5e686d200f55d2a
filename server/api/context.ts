// The per-request tRPC context: who is asking, from the Auth.js session (re-read from the database).
import { db } from "@/db";
import { currentUser } from "@/server/auth/session";
import type { TRPCContext } from "./trpc";

export async function createTRPCContext(opts: { headers: Headers }): Promise<TRPCContext> {
  return { db, user: await currentUser(), headers: opts.headers };
}
