// Auth.js (next-auth v5): email + password through the Credentials provider, which requires JWT sessions.
// The configuration itself is in ./config.ts, a plain module that tests can load outside Next.
import NextAuth, { type DefaultSession } from "next-auth";
import type { UserRole } from "@/db/schema";
import { authConfig } from "./config";

declare module "next-auth" {
  interface Session {
    user: { id: string; role: UserRole } & DefaultSession["user"];
    /** The account's credential version when the session was issued (./session-user.ts checks it). */
    credentialVersion?: unknown;
  }
  interface User {
    role?: UserRole;
  }
}

// The config is a function so that the database pool opens on the first request, not during `next build`.
export const { handlers, auth, signIn, signOut } = NextAuth(() => authConfig());
