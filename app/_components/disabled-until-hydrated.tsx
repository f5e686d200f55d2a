"use client";
// Controls that need JavaScript stay disabled in the server's HTML: a choice clicked before React takes over
// would be reset by the form's state on hydration, and a submit would reload the page with nothing saved.
import type { ReactNode } from "react";
import { useIsHydrated } from "./use-is-hydrated";

export function DisabledUntilHydrated({ children }: { children: ReactNode }) {
  const isHydrated = useIsHydrated();
  return (
    <fieldset disabled={!isHydrated} aria-busy={!isHydrated} className="min-w-0">
      {children}
    </fieldset>
  );
}
