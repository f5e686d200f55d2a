// Every role against every procedure that declares one: the cases are generated from the router's own list
// (tests/helpers/procedure-access.ts), so a procedure added later is covered by the role it declares. Each case
// calls the procedure as a real account (a member with that role, a stranger, or staff) through the tRPC caller
// on real Postgres, with only the instance's or organisation's id as input: a caller the access path lets through
// gets whatever the procedure answers next (a result, a refused input, a refusal of the instance's state), and any
// other gets the access path's own refusal.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { db } from "@/db";
import { memberships, type OrganisationRole, type User } from "@/db/schema";
import { appRouter } from "@/server/api/root";
import { isStaff } from "@/server/auth/roles";
import { personalOrganisationOf } from "@/server/organisations/personal";
import { ORGANISATION_ROLES } from "@/server/organisations/roles";
import { apiAs, uniqueSuffix } from "./helpers/accounts";
import { checkedProcedures, type CheckedProcedure } from "./helpers/procedure-access";
import { createInstance, makeVerifiedUser } from "./helpers/registration";

type Caller = OrganisationRole | "stranger" | "staff";
const CALLERS: Caller[] = [...ORGANISATION_ROLES, "stranger", "staff"];

/** The refusals that come from the access path itself (and the sign-in gate of staff-only procedures). */
const ACCESS_REFUSALS = new Set(["NOT_FOUND No such instance.", "NOT_FOUND No such organisation.", "FORBIDDEN This is for Lyceum staff only."]);

/** Who may do what needs each role, written out here rather than read from server/organisations/roles.ts. */
const MAY: Record<OrganisationRole, Caller[]> = {
  viewer: ["owner", "admin", "billing", "viewer"],
  admin: ["owner", "admin"],
  billing: ["owner", "billing"],
  owner: ["owner"],
};

function isAllowed(caller: Caller, procedure: CheckedProcedure): boolean {
  if (caller === "staff") return procedure.staff;
  return procedure.role !== null && MAY[procedure.role].includes(caller);
}

const PROCEDURES = checkedProcedures(appRouter);
const CASES = PROCEDURES.flatMap((procedure) =>
  CALLERS.map((caller) => ({ caller, procedure, label: `${procedure.path} as ${caller}: ${isAllowed(caller, procedure) ? "allowed" : "refused"}` })),
);

let accounts: Record<Caller, User>;
let organisationId: string;
const instanceOf = new Map<string, string>();

beforeAll(async () => {
  const entries = await Promise.all(CALLERS.map(async (caller) => [caller, await makeVerifiedUser(caller === "staff" ? "staff" : "client")] as const));
  accounts = Object.fromEntries(entries) as Record<Caller, User>;
  organisationId = await personalOrganisationOf(db, accounts.owner.id);
}, 120_000);

/** The organisation's members as every case starts: one account per role (a case may have one leave, or pay). */
async function resetMembers() {
  await db.transaction(async (tx) => {
    await tx.delete(memberships).where(eq(memberships.organisationId, organisationId));
    await tx.insert(memberships).values(ORGANISATION_ROLES.map((role) => ({ organisationId, userId: accounts[role].id, role })));
  });
}

/** One instance of the organisation per procedure, so what one procedure changes does not decide another's case. */
async function instanceFor(path: string) {
  if (!instanceOf.has(path)) {
    const instance = await createInstance(accounts.owner.id, { name: `Roles ${path}`, subdomain: `roles-${uniqueSuffix()}`, plan: "starter" });
    instanceOf.set(path, instance.id);
  }
  return instanceOf.get(path)!;
}

/** The procedure's answer as "ok" or "CODE message". */
async function call(caller: Caller, procedure: CheckedProcedure): Promise<string> {
  const subjectId = procedure.subject === "organisation" ? organisationId : await instanceFor(procedure.path);
  const [router, name] = procedure.path.split(".") as [string, string];
  const api = apiAs(accounts[caller]) as unknown as Record<string, Record<string, (input: unknown) => Promise<unknown>>>;
  try {
    const result = await api[router]![name]!({ [procedure.key]: subjectId });
    if (procedure.type === "subscription") {
      // The check runs when the stream starts: a stream that yields, or waits for its first event, got through.
      const events = (result as AsyncIterable<unknown>)[Symbol.asyncIterator]();
      const first = await Promise.race([events.next(), new Promise((resolve) => setTimeout(resolve, 2_000, "waiting"))]);
      await events.return?.();
      void first;
    }
    return "ok";
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return `${code} ${message}`;
  }
}

describe("each role against each procedure", () => {
  it("has a case for every checked procedure and every role", () => {
    expect(PROCEDURES.length).toBeGreaterThan(30);
    expect(PROCEDURES.map((procedure) => procedure.path)).toEqual(expect.arrayContaining(["instances.redeploy", "organisations.transferOwnership"]));
    expect(isStaff(accounts.staff)).toBe(true);
  });

  it.each(CASES)("$label", { timeout: 60_000 }, async ({ caller, procedure }) => {
    await resetMembers();
    const answer = await call(caller, procedure);
    if (isAllowed(caller, procedure)) expect(ACCESS_REFUSALS.has(answer), answer).toBe(false);
    else expect(ACCESS_REFUSALS.has(answer), answer).toBe(true);
  });
});
