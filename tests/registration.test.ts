import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";

describe("claiming a subdomain", () => {
  it("creates the instance awaiting payment, owned by the caller", async () => {
    const owner = await makeUser();
    const subdomain = `acme-${uniqueSuffix()}`;
    const instance = await apiAs(owner).instances.create({ name: "Acme Academy", subdomain, plan: "starter" });
    expect(instance).toMatchObject({ ownerId: owner.id, subdomain, status: "awaiting_payment", plan: "starter" });
  });

  it("refuses a subdomain that is taken, whatever its case", async () => {
    const first = await makeUser();
    const second = await makeUser();
    const subdomain = `taken-${uniqueSuffix()}`;
    await apiAs(first).instances.create({ name: "First", subdomain, plan: "starter" });
    await expect(
      apiAs(second).instances.create({ name: "Second", subdomain: subdomain.toUpperCase(), plan: "starter" }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: `"${subdomain}" is already taken. Choose another subdomain.` });
    expect(await apiAs(second).instances.subdomainAvailable({ subdomain })).toMatchObject({ isAvailable: false });
  });

  it("lets exactly one of many simultaneous claims win", async () => {
    const subdomain = `race-${uniqueSuffix()}`;
    const claimants = await Promise.all(Array.from({ length: 12 }, () => makeUser()));
    const results = await Promise.allSettled(
      claimants.map((user, i) => apiAs(user).instances.create({ name: `Claim ${i}`, subdomain, plan: "starter" })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(losers).toHaveLength(11);
    for (const loser of losers) expect((loser.reason as TRPCError).code).toBe("CONFLICT");
    const rows = await db.select().from(instances).where(eq(instances.subdomain, subdomain));
    expect(rows).toHaveLength(1);
  });

  it("is guarded by the database too: a second row differing only in case is refused", async () => {
    const owner = await makeUser();
    const subdomain = `guard-${uniqueSuffix()}`;
    await db.insert(instances).values({ ownerId: owner.id, name: "A", subdomain, plan: "starter" });
    await expect(
      db.insert(instances).values({ ownerId: owner.id, name: "B", subdomain: subdomain.toUpperCase(), plan: "starter" }),
    ).rejects.toThrow();
    const count = await db.execute(sql`select count(*)::int as n from instances where lower(subdomain) = ${subdomain}`);
    expect(count[0]).toMatchObject({ n: 1 });
  });

  it("answers bad input with the form's messages, never a 500", async () => {
    const owner = await makeUser();
    const error = await apiAs(owner)
      .instances.create({ name: "", subdomain: "a_b", plan: "gold" as "starter" })
      .catch((e: unknown) => e as TRPCError);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("BAD_REQUEST");
  });

  it("asks anonymous callers to log in", async () => {
    await expect(apiAs(null).instances.create({ name: "X", subdomain: `anon-${uniqueSuffix()}`, plan: "starter" })).rejects.toMatchObject({
      code: "UNAUTHORIZED",
    });
  });
});
