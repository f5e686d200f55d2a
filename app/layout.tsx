import type { Metadata } from "next";
import Link from "next/link";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "./_trpc/client";
import { logOut } from "./(auth)/actions";
import { currentUser } from "@/server/auth/session";
import { isStaff } from "@/server/auth/roles";
import "./globals.css";

export const metadata: Metadata = {
  title: "Lyceum — Open edX hosting",
  description: "Your own Open edX site, live in minutes.",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const user = await currentUser();
  return (
    <html lang="en">
      <body>
        <header className="border-b border-slate-200 bg-white">
          <nav className="container flex flex-wrap items-center gap-x-6 gap-y-2 py-3" aria-label="Main">
            <Link href="/" className="text-lg font-bold text-teal-800">
              Lyceum
            </Link>
            {user ? <Link href="/instances">My instances</Link> : null}
            {user ? <Link href="/billing">Billing</Link> : null}
            {user ? <Link href="/organisations">Organisations</Link> : null}
            {isStaff(user) ? <Link href="/staff">Staff</Link> : null}
            {isStaff(user) ? <Link href="/staff/billing">Fleet billing</Link> : null}
            <span className="ml-auto flex min-w-0 flex-wrap items-center gap-x-4 gap-y-2">
              {user ? (
                <>
                  <span className="text-sm text-slate-600 [overflow-wrap:anywhere]" data-testid="signed-in-as">
                    {user.email}
                  </span>
                  <Link href="/account/password" className="text-sm">
                    Password
                  </Link>
                  <Link href="/account/security" className="text-sm">
                    Two-factor
                  </Link>
                  <form action={logOut}>
                    <button type="submit" className="button button-secondary">
                      Log out
                    </button>
                  </form>
                </>
              ) : (
                <>
                  <Link href="/login">Log in</Link>
                  <Link href="/signup" className="button">
                    Sign up
                  </Link>
                </>
              )}
            </span>
          </nav>
        </header>
        <TRPCReactProvider>
          <main className="container">{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
