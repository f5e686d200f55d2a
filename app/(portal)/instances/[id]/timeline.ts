// Derives what the instance page shows (status, steps, progress) from the event log alone.
import type { InstanceEvent, InstanceStatus } from "@/db/schema";

export type StepState = "pending" | "running" | "done" | "failed" | "skipped";
export type StepView = { name: string; title: string; state: StepState; message?: string };

export function deriveTimeline(events: InstanceEvent[], initialStatus: InstanceStatus, initialSiteUrl: string | null) {
  let status = initialStatus;
  let siteUrl = initialSiteUrl;
  let steps: StepView[] = [];
  for (const event of events) {
    const data = (event.data ?? {}) as Record<string, unknown>;
    if (event.kind === "status_changed" && typeof data.to === "string") {
      status = data.to as InstanceStatus;
      if (typeof data.siteUrl === "string") siteUrl = data.siteUrl;
    } else if (event.kind === "operation_started" && Array.isArray(data.steps)) {
      const previous = new Map(steps.map((step) => [step.name, step]));
      // A retried attempt, or an operation resumed with Retry, keeps what earlier attempts finished.
      const isFresh = data.attempt === 1 && !data.isResumed;
      steps = (data.steps as { name: string; title: string }[]).map((step) => ({
        ...step,
        state: isFresh ? "pending" : (previous.get(step.name)?.state === "done" ? "done" : "pending"),
        message: isFresh ? undefined : previous.get(step.name)?.message,
      }));
    } else if (event.step) {
      const step = steps.find((candidate) => candidate.name === event.step);
      if (!step) continue;
      if (event.kind === "step_started") Object.assign(step, { state: "running", message: event.message });
      else if (event.kind === "step_succeeded") Object.assign(step, { state: "done", message: event.message });
      else if (event.kind === "step_skipped") Object.assign(step, { state: "done" });
      else if (event.kind === "step_failed") Object.assign(step, { state: "failed", message: event.message });
    }
  }
  const done = steps.filter((step) => step.state === "done").length;
  const progress = status === "running" ? 100 : steps.length ? Math.round((done / steps.length) * 100) : 0;
  return { status, siteUrl, steps, progress };
}
