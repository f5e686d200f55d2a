// Every procedure whose input names an instance or an organisation reaches it through the one access path
// (server/instances/access.ts, server/organisations/access.ts) and declares the member role it needs: it is built
// on instanceProcedure(role), memberProcedure(role) or staffInstanceProcedure (instanceProcedureOf), or on
// organisationProcedure(role), or it is an audited staff action (staffProcedure, then runStaffAction locks the
// instance). The procedures are found by their input (a zod object with `id`, `instanceId` or `organisationId`),
// not by their router's name, so a procedure added anywhere with a hand-written check, or none, is listed here.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { appRouter } from "@/server/api/root";
import { createTRPCRouter, memberProcedure, organisationProcedure, protectedProcedure, staffProcedure } from "@/server/api/trpc";
import { accessOf, BYPASS, checkedProcedures } from "../helpers/procedure-access";

/** Procedures that take an instance id without loading it through a procedure check, and why that is safe. */
const EXEMPTIONS = {
  "instances.subdomainAvailable": "the id only exempts that instance's own claim from the answer; nothing of it is read or returned",
  "registration.saveInstance": "the id is optional (a new draft has none); saveInstanceStep locks an existing one with lockedInstanceFor(…, { role: \"admin\", staff: false })",
};

describe("procedures about one instance", () => {
  it("all reach it through the access path", () => {
    expect(accessOf(appRouter, EXEMPTIONS)).toEqual({
      "instances.byId": "viewer or staff",
      "instances.resources": "viewer or staff",
      "instances.retry": "admin or staff",
      "instances.cancel": "admin or staff",
      "instances.redeploy": "admin or staff",
      "instances.backups": "viewer or staff",
      "instances.backUp": "admin or staff",
      "instances.restore": "admin or staff",
      "instances.releaseOptions": "viewer or staff",
      "instances.upgrade": "admin or staff",
      "instances.rollback": "admin or staff",
      "instances.subdomainAvailable": `exempt: ${EXEMPTIONS["instances.subdomainAvailable"]}`,
      "instances.usage": "viewer or staff",
      // Staff see the instance; the checkout itself refuses anyone without the billing role (server/billing/checkout.ts).
      "instances.startCheckout": "billing or staff",
      "instances.events": "viewer or staff",
      "registration.draft": "admin",
      "registration.saveInstance": `exempt: ${EXEMPTIONS["registration.saveInstance"]}`,
      "registration.resendContactVerification": "admin",
      "registration.saveDomain": "admin",
      "registration.checkDomain": "admin",
      "registration.saveBranding": "admin",
      "registration.saveEmail": "admin",
      "registration.testEmail": "admin",
      "registration.savePlan": "admin",
      "registration.submit": "admin",
      "settings.comparison": "admin",
      "settings.applyChanges": "admin",
      "settings.cancelChange": "admin",
      "settings.upgradeWindow": "admin",
      "settings.setUpgradeWindow": "admin",
      "billing.payLocalCheckout": "billing",
      "billing.forInstance": "viewer or staff",
      "certificates.forInstance": "viewer or staff",
      "certificates.upload": "admin",
      "localBilling.replaceCardAndPay": "billing",
      "localBilling.changePlan": "billing",
      "localBilling.setCancelAtPeriodEnd": "billing",
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
      "organisations.members": "organisation: viewer",
      "organisations.invitations": "organisation: admin",
      "organisations.invite": "organisation: admin",
      "organisations.revokeInvitation": "organisation: admin",
      "organisations.removeMember": "organisation: admin",
      "organisations.leave": "organisation: viewer",
      "organisations.transferOwnership": "organisation: owner",
    });
  });

  it("finds a declared role on every procedure that goes through the path", () => {
    const checked = checkedProcedures(appRouter);
    expect(checked.length).toBeGreaterThan(30);
    for (const procedure of checked) {
      // Staff-only procedures have no member role; every other one names the least role it needs.
      expect(procedure.role !== null || (procedure.staff && procedure.subject === "instance"), procedure.path).toBe(true);
    }
  });

  it("reports a procedure that checks the owner by hand, or not at all", () => {
    const resolve = () => null;
    const violating = createTRPCRouter({
      handWritten: protectedProcedure.input(z.object({ id: z.uuid() })).query(resolve),
      staffButNoAction: staffProcedure.input(z.object({ instanceId: z.uuid(), note: z.string() }).optional()).mutation(resolve),
      secondInstance: memberProcedure("admin").input(z.object({ instanceId: z.uuid() })).mutation(resolve),
      throughThePath: memberProcedure("admin").input(z.object({ note: z.string() })).mutation(resolve),
      organisationByHand: protectedProcedure.input(z.object({ organisationId: z.uuid() })).query(resolve),
      organisationThroughThePath: organisationProcedure("viewer").query(resolve),
      aboutNoInstance: protectedProcedure.input(z.object({ jobId: z.string() })).query(resolve),
    });
    expect(accessOf(violating)).toEqual({
      handWritten: BYPASS,
      staffButNoAction: BYPASS,
      secondInstance: `${BYPASS} (instanceId unchecked)`,
      throughThePath: "admin",
      organisationByHand: BYPASS,
      organisationThroughThePath: "organisation: viewer",
    });
  });
});
