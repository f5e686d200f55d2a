// A wizard step's submit: one save at a time, and busy from the click until the next step has rendered, so a
// second click (or Enter) while the first save or the navigation is under way sends nothing.
import { useRouter } from "next/navigation";
import { useRef, useState, useTransition } from "react";

export function useSaveThenGo() {
  const router = useRouter();
  const isInFlight = useRef(false);
  const [isSaving, setIsSaving] = useState(false);
  const [isNavigating, startNavigation] = useTransition();

  /** Runs `save` (which answers where to go next) unless a save or its navigation is under way; rethrows its errors. */
  async function saveThenGo(save: () => Promise<string>) {
    if (isInFlight.current || isNavigating) return;
    isInFlight.current = true;
    setIsSaving(true);
    try {
      const href = await save();
      // The transition stays pending until the next step's page has rendered (then this step unmounts).
      startNavigation(() => router.push(href));
    } finally {
      isInFlight.current = false;
      setIsSaving(false);
    }
  }

  return { saveThenGo, isBusy: isSaving || isNavigating };
}
