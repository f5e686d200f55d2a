// The Auth.js configuration as a plain module: next-auth (./index.ts) wraps it for Next, and tests drive the
// same configuration through @auth/core's `Auth`, which is what next-auth's route handler and actions call.
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import type { AuthConfig } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";
import { db } from "@/db";
import { accounts, sessions, users, verificationTokens, type UserRole } from "@/db/schema";
import { logger } from "@/server/observability/logger";
import { authorizeCredentials } from "./authorize-credentials";
import { findSessionUser } from "./session-user";

export function authConfig() {
  return {
    adapter: DrizzleAdapter(db, {
      usersTable: users,
      accountsTable: accounts,
      sessionsTable: sessions,
      verificationTokensTable: verificationTokens,
    }),
    session: { strategy: "jwt" },
    pages: { signIn: "/login" },
    providers: [
      Credentials({
        credentials: { email: { label: "Email" }, password: { label: "Password", type: "password" } },
        authorize: authorizeCredentials,
      }),
    ],
    callbacks: {
      // Runs at sign-in (with `user`) and on every read of the session: a JWT lives for 30 days on its own, so
      // each read re-checks it against the account; null ends the session (and clears its cookie where it can).
      async jwt({ token, user }) {
        if (user) {
          const signedIn = user as typeof user & { role: UserRole; credentialVersion: number };
          return { ...token, role: signedIn.role, credentialVersion: signedIn.credentialVersion };
        }
        const current = await findSessionUser({ userId: token.sub, credentialVersion: token.credentialVersion }).catch((error: unknown) => {
          // An account that cannot be read (the database is down) is an outage, not a verdict on the session:
          // Auth.js would make a throw here "signed out", and a live page's stream would be told to log in and
          // stop for good. The token stays as it is; userOfSession (./session.ts) reads the account again before
          // anything is allowed, and that failure reaches the caller as a server error, which clients retry.
          logger().warn({ err: error }, "session not re-checked: the account could not be read");
          return undefined;
        });
        if (current === undefined) return token;
        return current ? { ...token, role: current.role } : null;
      },
      session({ session, token }) {
        session.user.id = token.sub ?? "";
        session.user.role = (token.role as UserRole | undefined) ?? "client";
        return { ...session, credentialVersion: token.credentialVersion };
      },
    },
  } satisfies AuthConfig;
}
