// Every staff mutation is a staff action: it runs through runStaffAction, so it cannot skip the audit log.
// A staff mutation is found by what it is built on (staffProcedure's check), not by its router's name, so a
// staff-only mutation added to any router (the offline billing controls live in `localBilling`) is listed.
import type { AnyProcedure } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { appRouter } from "./root";
import { staffProcedure, type ProcedureMeta } from "./trpc";

// At run time a procedure keeps the middlewares it was built with (its type does not say so).
type BuiltProcedure = AnyProcedure & { _def: { middlewares: unknown[] } };
const procedures = appRouter._def.procedures as unknown as Record<string, BuiltProcedure>;

// The middleware staffProcedure adds last: the staff-only check every staff procedure runs.
const staffOnlyCheck = staffProcedure._def.middlewares.at(-1);

describe("staff mutations", () => {
  it("are all audited staff actions", () => {
    expect(staffOnlyCheck).toBeTypeOf("function");
    // At run time the router keeps its procedures flat, by dotted path.
    const mutations = Object.entries(procedures)
      .filter(([, procedure]) => procedure._def.type === "mutation" && procedure._def.middlewares.includes(staffOnlyCheck))
      .map(([path, procedure]) => [path, (procedure._def.meta as ProcedureMeta | undefined)?.staffAction ?? "NOT AUDITED"]);
    expect(Object.fromEntries(mutations)).toEqual({
      "staff.cancelOperation": "cancel_operation",
      "staff.requeueJob": "requeue_job",
      "staff.retryOperation": "retry_operation",
      "staff.deprovision": "deprovision",
      "staff.suspend": "suspend",
      "staff.resume": "resume",
      "staff.redeploy": "redeploy",
      "staff.setAppServers": "set_app_servers",
      "staff.backUp": "back_up",
      "staff.restore": "restore",
      "staff.clone": "clone",
      "staff.cleanUpOrphans": "clean_up_orphans",
      "staff.upgrade": "upgrade",
      "staff.rollback": "rollback",
      "staff.addRelease": "add_release",
      "staff.changeRelease": "change_release",
      "staff.startRollout": "start_upgrade_rollout",
      "staff.stopRollout": "stop_upgrade_rollout",
      // Read-only: it queues a reconcile report, which lists and compares and removes nothing (the report
      // records who asked for it); cleaning up what it finds is the audited clean_up_orphans.
      "staff.runReconcile": "NOT AUDITED",
      "staffBilling.keepInstance": "keep_instance",
      "localBilling.advanceClock": "advance_billing_clock",
      "localBilling.setCardDeclines": "set_card_declines",
      "localBilling.retryPayment": "retry_payment",
      "localBilling.cancelNow": "cancel_subscription_now",
    });
  });

  it("are told apart from the owner's own mutations", () => {
    // The owner's customer-portal stand-in is not staff-only: it must not be mistaken for (or hide) a staff mutation.
    expect(procedures["localBilling.replaceCardAndPay"]!._def.middlewares.includes(staffOnlyCheck)).toBe(false);
  });
});
