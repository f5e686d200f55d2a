// Whether React has taken over the page: false in the server's HTML and during hydration, true after.
import { useSyncExternalStore } from "react";

const subscribeToNothing = () => () => {};

export function useIsHydrated(): boolean {
  return useSyncExternalStore(
    subscribeToNothing,
    () => true,
    () => false,
  );
}
