"use client";
// The instance's status and events as the page's one live stream (InstanceLive) knows them, for the panels it
// wraps: they follow the instance without a reload and without a second subscription of their own.
import { createContext, useContext } from "react";
import type { InstanceEvent, InstanceStatus } from "@/db/schema";

type LiveInstance = { status: InstanceStatus; events: InstanceEvent[] };

export const LiveInstanceContext = createContext<LiveInstance | null>(null);

export function useLiveInstance(): LiveInstance {
  const live = useContext(LiveInstanceContext);
  if (!live) throw new Error("useLiveInstance is used inside <InstanceLive>, which holds the live stream");
  return live;
}
