"use client";
// Re-renders the server component page every few seconds (the queue page's counts and heartbeats).
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function AutoRefresh({ seconds }: { seconds: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), seconds * 1000);
    return () => clearInterval(timer);
  }, [router, seconds]);
  return <p className="hint">Refreshes every {seconds} s.</p>;
}
