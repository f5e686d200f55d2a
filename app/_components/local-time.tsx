"use client";
// A moment as the viewer reads it: in their time zone, with how long ago (or ahead) it is, and the exact UTC
// time on hover. The server's HTML carries the UTC time (it does not know the viewer's zone); the viewer's
// own version replaces it once React has taken over the page.
import { useEffect, useState } from "react";
import { useIsHydrated } from "./use-is-hydrated";

type Shown = "datetime" | "date" | "time";

const LOCAL_FORMATS: Record<Shown, Intl.DateTimeFormatOptions> = {
  datetime: { dateStyle: "medium", timeStyle: "short" },
  date: { dateStyle: "medium" },
  time: { timeStyle: "medium" },
};

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 86_400],
  ["month", 30 * 86_400],
  ["week", 7 * 86_400],
  ["day", 86_400],
  ["hour", 3_600],
  ["minute", 60],
  ["second", 1],
];

/** "3 minutes ago", "in 2 days", "now". */
export function relativeTime(date: Date, now: Date): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat("en", { numeric: "auto" });
  if (Math.abs(seconds) < 45) return format.format(0, "second");
  const [unit, size] = RELATIVE_UNITS.find(([, unitSeconds]) => Math.abs(seconds) >= unitSeconds) ?? ["second", 1];
  return format.format(Math.round(seconds / size), unit);
}

export function utcTime(date: Date, shown: Shown = "datetime"): string {
  const iso = date.toISOString();
  if (shown === "date") return iso.slice(0, 10);
  if (shown === "time") return `${iso.slice(11, 19)} UTC`;
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

function useNow(intervalMs: number) {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

export function LocalTime({
  value,
  shown = "datetime",
  isRelativeShown = shown !== "time",
  className,
}: {
  value: Date | string | null | undefined;
  shown?: Shown;
  isRelativeShown?: boolean;
  className?: string;
}) {
  const isHydrated = useIsHydrated();
  const now = useNow(30_000);
  if (!value) return <>—</>;
  const date = new Date(value);
  const exact = `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
  return (
    <time dateTime={date.toISOString()} title={exact} className={className}>
      {isHydrated ? date.toLocaleString(undefined, LOCAL_FORMATS[shown]) : utcTime(date, shown)}
      {isHydrated && isRelativeShown ? ` (${relativeTime(date, now)})` : null}
    </time>
  );
}
