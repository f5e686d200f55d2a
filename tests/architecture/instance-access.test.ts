// Every procedure whose input names an instance reaches it through the one access path
// (server/instances/access.ts): it is built on instanceProcedure, ownerProcedure or staffInstanceProcedure
// (instanceProcedureOf), or it is an audited staff action (staffProcedure, then runStaffAction locks the
// instance). The procedures are found by their input (a zod object with `id` or `instanceId`), not by their
// router's name, so a procedure added anywhere with a hand-written check, or none, is listed here.
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "@/server/api/root";
import { createTRPCRouter, instanceAccessChecks, ownerProcedure, protectedProcedure, staffProcedure, type ProcedureMeta } from "@/server/api/trpc";

const INSTANCE_ID_KEYS = ["id", "instanceId"];

// At run time a procedure keeps its middlewares and input parsers (its type does not say so).
type BuiltProcedure = AnyProcedure & { _def: { middlewares: unknown[]; inputs: z.ZodType[]; meta?: ProcedureMeta } };

/** The keys of a zod object, through the wrappers an input may have (optional, default, …). */
function keysOf(schema: z.ZodType): string[] {
  const def = schema._zod.def as { type: string; shape?: Record<string, unknown>; innerType?: z.ZodType; in?: z.ZodType };
  if (def.type === "object") return Object.keys(def.shape ?? {});
  const inner = def.innerType ?? def.in;
  return inner ? keysOf(inner) : [];
}

const BYPASS = "BYPASSES THE ACCESS PATH";

/**
 * How each procedure whose input names an instance reaches it: the access its check grants, "staff action", the
 * reason it is exempt, or BYPASS — also when it takes a second instance id its check did not load.
 */
function instanceAccessOf(router: AnyRouter, exemptions: Record<string, string> = {}): Record<string, string> {
  const procedures = router._def.procedures as unknown as Record<string, BuiltProcedure>;
  const found: Record<string, string> = {};
  for (const [path, procedure] of Object.entries(procedures)) {
    const instanceKeys = [...new Set(procedure._def.inputs.flatMap(keysOf))].filter((key) => INSTANCE_ID_KEYS.includes(key));
    if (instanceKeys.length === 0) continue;
    const check = procedure._def.middlewares.map((middleware) => instanceAccessChecks.get(middleware)).find(Boolean);
    if (exemptions[path]) found[path] = `exempt: ${exemptions[path]}`;
    else if (check) {
      const unchecked = instanceKeys.filter((key) => key !== check.key);
      found[path] = unchecked.length === 0 ? check.access : `${BYPASS} (${unchecked.join(", ")} unchecked)`;
    }
    else if (procedure._def.meta?.staffAction) found[path] = "staff action";
    else found[path] = BYPASS;
  }
  return found;
}

/** Procedures that take an instance id without loading it through a procedure check, and why that is safe. */
const EXEMPTIONS = {
  "instances.subdomainAvailable": "the id only exempts that instance's own claim from the answer; nothing of it is read or returned",
  "registration.saveInstance": "the id is optional (a new draft has none); saveInstanceStep locks an existing one with lockedInstanceFor(…, \"owner\")",
};

describe("procedures about one instance", () => {
  it("all reach it through the access path", () => {
    expect(instanceAccessOf(appRouter, EXEMPTIONS)).toEqual({
      "instances.byId": "ownerOrStaff",
      "instances.resources": "ownerOrStaff",
      "instances.retry": "ownerOrStaff",
      "instances.cancel": "ownerOrStaff",
      "instances.redeploy": "ownerOrStaff",
      "instances.backups": "ownerOrStaff",
      "instances.backUp": "ownerOrStaff",
      "instances.restore": "ownerOrStaff",
      "instances.releaseOptions": "ownerOrStaff",
      "instances.upgrade": "ownerOrStaff",
      "instances.rollback": "ownerOrStaff",
      "instances.subdomainAvailable": `exempt: ${EXEMPTIONS["instances.subdomainAvailable"]}`,
      "instances.usage": "ownerOrStaff",
      // Staff see the instance; the checkout itself refuses anyone but the owner (server/billing/checkout.ts).
      "instances.startCheckout": "ownerOrStaff",
      "instances.events": "ownerOrStaff",
      "registration.draft": "owner",
      "registration.saveInstance": `exempt: ${EXEMPTIONS["registration.saveInstance"]}`,
      "registration.resendContactVerification": "owner",
      "registration.saveDomain": "owner",
      "registration.checkDomain": "owner",
      "registration.saveBranding": "owner",
      "registration.saveEmail": "owner",
      "registration.testEmail": "owner",
      "registration.savePlan": "owner",
      "registration.submit": "owner",
      "settings.comparison": "owner",
      "settings.applyChanges": "owner",
      "settings.cancelChange": "owner",
      "settings.upgradeWindow": "owner",
      "settings.setUpgradeWindow": "owner",
      "billing.payLocalCheckout": "owner",
      "billing.forInstance": "ownerOrStaff",
      "certificates.forInstance": "ownerOrStaff",
      "certificates.upload": "owner",
      "localBilling.replaceCardAndPay": "owner",
      "localBilling.changePlan": "owner",
      "localBilling.setCancelAtPeriodEnd": "owner",
      "localBilling.subscription": "staff",
      "localBilling.setCardDeclines": "staff action",
      "localBilling.retryPayment": "staff action",
      "localBilling.cancelNow": "staff action",
      "staff.instance": "staff",
      "staff.retryOperation": "staff action",
      "staff.deprovision": "staff action",
      "staff.suspend": "staff action",
      "staff.resume": "staff action",
      "staff.redeploy": "staff action",
      "staff.setAppServers": "staff action",
      "staff.backUp": "staff action",
      "staff.restore": "staff action",
      "staff.upgrade": "staff action",
      "staff.rollback": "staff action",
      "staffBilling.instance": "staff",
      "staffBilling.keepInstance": "staff action",
    });
  });

  it("reports a procedure that checks the owner by hand, or not at all", () => {
    const resolve = () => null;
    const violating = createTRPCRouter({
      handWritten: protectedProcedure.input(z.object({ id: z.uuid() })).query(resolve),
      staffButNoAction: staffProcedure.input(z.object({ instanceId: z.uuid(), note: z.string() }).optional()).mutation(resolve),
      secondInstance: ownerProcedure.input(z.object({ instanceId: z.uuid() })).mutation(resolve),
      throughThePath: ownerProcedure.input(z.object({ note: z.string() })).mutation(resolve),
      aboutNoInstance: protectedProcedure.input(z.object({ jobId: z.string() })).query(resolve),
    });
    expect(instanceAccessOf(violating)).toEqual({
      handWritten: BYPASS,
      staffButNoAction: BYPASS,
      secondInstance: `${BYPASS} (instanceId unchecked)`,
      throughThePath: "owner",
    });
  });
});
