// The Auth.js configuration as a plain module: next-auth (./index.ts) wraps it for Next, and tests drive the
// same configuration through @auth/core's `Auth`, which is what next-auth's route handler and actions call.
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import type { AuthConfig } from "@auth/core";
import Credentials from "@auth/core/providers/credentials";
import { db } from "@/db";
import { accounts, sessions, users, verificationTokens, type UserRole } from "@/db/schema";
import { logInInput } from "@/server/accounts/credentials";
import { findUserByCredentials } from "@/server/accounts/users";

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
        async authorize(raw) {
          const parsed = logInInput.safeParse(raw);
          if (!parsed.success) return null;
          const user = await findUserByCredentials(parsed.data.email, parsed.data.password);
          return user ? { id: user.id, email: user.email, name: user.name, role: user.role } : null;
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) token.role = user.role;
        return token;
      },
      session({ session, token }) {
        session.user.id = token.sub ?? "";
        session.user.role = (token.role as UserRole | undefined) ?? "client";
        return session;
      },
    },
  } satisfies AuthConfig;
}
