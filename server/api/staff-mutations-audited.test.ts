// Every staff mutation is a staff action: it runs through runStaffAction, so it cannot skip the audit log.
import type { AnyProcedure } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { appRouter } from "./root";
import type { ProcedureMeta } from "./trpc";

const STAFF_ROUTERS = ["staff.", "staffBilling."];

describe("staff mutations", () => {
  it("are all audited staff actions", () => {
    // At run time the router keeps its procedures flat, by dotted path.
    const mutations = Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>)
      .filter(([path, procedure]) => STAFF_ROUTERS.some((prefix) => path.startsWith(prefix)) && procedure._def.type === "mutation")
      .map(([path, procedure]) => [path, (procedure._def.meta as ProcedureMeta | undefined)?.staffAction ?? "NOT AUDITED"]);
    expect(mutations.length).toBeGreaterThan(0);
    expect(Object.fromEntries(mutations)).toEqual({
      "staff.cancelOperation": "cancel_operation",
      "staff.requeueJob": "requeue_job",
      "staff.retryOperation": "retry_operation",
      "staff.deprovision": "deprovision",
      "staff.suspend": "suspend",
      "staff.resume": "resume",
      "staff.redeploy": "redeploy",
      "staff.cleanUpOrphans": "clean_up_orphans",
      // Read-only: it queues a reconcile report, which lists and compares and removes nothing (the report
      // records who asked for it); cleaning up what it finds is the audited clean_up_orphans.
      "staff.runReconcile": "NOT AUDITED",
      "staffBilling.keepInstance": "keep_instance",
    });
  });
});
