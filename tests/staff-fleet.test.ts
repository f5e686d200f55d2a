// The staff fleet list on 10 000 seeded instances (scripts/lib/seed-fleet.ts, what `npm run db:seed` runs):
// search, filters, sorting and pagination happen in the database, and the counts and charts agree with it.
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

// Its own database: the totals below are exact.
await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { instances, subscriptions, users } = await import("@/db/schema");
const { PLANS } = await import("@/server/billing/plans");
const { seedFleet } = await import("@/scripts/lib/seed-fleet");
const { apiAs, makeUser } = await import("./helpers/accounts");

const FLEET_SIZE = 10_000;
let staff: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  await seedFleet(db, { instances: FLEET_SIZE, seed: 7, tag: "flt" });
  staff = await makeUser("staff");
}, 120_000);

afterAll(async () => {
  await closeDb();
});

async function countWhere(condition: ReturnType<typeof sql>) {
  const [row] = await db.execute<{ count: number }>(sql`
    select count(*)::int as count from instances i left join subscriptions s on s.instance_id = i.id where ${condition}`);
  return row!.count;
}

describe("the staff fleet list on 10 000 instances", () => {
  it("counts every instance by status, and the counts add up to the fleet", async () => {
    const counts = await apiAs(staff).staff.statusCounts();
    expect(counts.total).toBe(FLEET_SIZE);
    for (const row of counts.byStatus) {
      expect(row.count).toBe(await countWhere(sql`i.status = ${row.status}`));
    }
    expect(counts.byStatus.map((row) => row.status)).toEqual(expect.arrayContaining(["running", "failed", "suspended", "awaiting_payment"]));
  });

  it("pages through the whole fleet with no instance missing or repeated", async () => {
    const seen = new Set<string>();
    let pageCount = 0;
    for (let page = 1; ; page++) {
      const result = await apiAs(staff).staff.fleet({ page, pageSize: 200 });
      expect(result.total).toBe(FLEET_SIZE);
      pageCount = result.pageCount;
      for (const row of result.rows) seen.add(row.id);
      if (page >= result.pageCount) break;
      expect(result.rows).toHaveLength(200);
    }
    expect(pageCount).toBe(50);
    expect(seen.size).toBe(FLEET_SIZE);
  });

  it("finds an instance by part of its name, subdomain, custom domain or owner email, or by its id", async () => {
    const [target] = await db
      .select({ id: instances.id, name: instances.name, subdomain: instances.subdomain, customDomain: instances.customDomain, email: users.email })
      .from(instances)
      .innerJoin(users, eq(users.id, instances.ownerId))
      .where(isNotNull(instances.customDomain))
      .limit(1);
    const searches = [
      target!.subdomain!.slice(-12), // "<n>-flt" tail of the subdomain
      target!.customDomain!.split(".")[0]!.toUpperCase(), // case does not matter
      target!.email.split("@")[0]!,
      target!.id,
    ];
    for (const search of searches) {
      const result = await apiAs(staff).staff.fleet({ search, pageSize: 200 });
      expect(result.rows.map((row) => row.id), `search "${search}"`).toContain(target!.id);
      const term = search.toLowerCase();
      for (const row of result.rows) {
        const haystack = [row.name, row.subdomain, row.customDomain ?? "", row.ownerEmail, row.id].join(" ").toLowerCase();
        expect(haystack, `"${search}" matched ${row.subdomain}`).toContain(term);
      }
    }
    const byName = await apiAs(staff).staff.fleet({ search: "harbor", pageSize: 25 });
    expect(byName.total).toBe(await countWhere(sql`lower(i.name) like '%harbor%' or lower(i.subdomain) like '%harbor%'`));
    expect(byName.total).toBeGreaterThan(25);
  });

  it("returns exactly the instances whose name, subdomain or owner email holds the search, on every page", async () => {
    const [owner] = await db.select({ email: users.email }).from(users).where(sql`${users.email} like '%.flt@%'`).limit(1);
    const searches = {
      name: "Cedar Ridge", // two words of a name, in any case: some dozens of instances
      subdomain: "-1234-flt", // one instance's numbered tail (and its custom domain's, when it has one)
      email: owner!.email.split("@")[0]!.split(".").slice(0, 2).join("."), // "first.last": several owners' instances
    };
    for (const [field, search] of Object.entries(searches)) {
      const found = new Set<string>();
      for (let page = 1; ; page++) {
        const result = await apiAs(staff).staff.fleet({ search, page, pageSize: 200 });
        for (const row of result.rows) found.add(row.id);
        if (page >= result.pageCount) break;
      }
      // The same question asked without LIKE or the trigram indexes: strpos over every instance.
      const term = search.toLowerCase();
      const expected = await db.execute<{ id: string }>(sql`
        select i.id from instances i join users u on u.id = i.owner_id
        where strpos(lower(i.name), ${term}) > 0 or strpos(lower(i.subdomain), ${term}) > 0
          or strpos(lower(coalesce(i.custom_domain, '')), ${term}) > 0 or strpos(lower(u.email), ${term}) > 0`);
      expect(expected.length, `${field} "${search}" matches something`).toBeGreaterThan(0);
      expect([...found].sort(), `${field} "${search}"`).toEqual(expected.map((row) => row.id).sort());
    }
  });

  it("treats % and _ in a search as the characters themselves", async () => {
    await expect(apiAs(staff).staff.fleet({ search: "%" })).resolves.toMatchObject({ total: 0, rows: [] });
    await expect(apiAs(staff).staff.fleet({ search: "_" })).resolves.toMatchObject({ total: 0 });
  });

  it("filters by status, plan and billing state, alone and together", async () => {
    const api = apiAs(staff);
    expect((await api.staff.fleet({ status: "failed" })).total).toBe(await countWhere(sql`i.status = 'failed'`));
    expect((await api.staff.fleet({ plan: "scale" })).total).toBe(await countWhere(sql`i.plan = 'scale'`));
    expect((await api.staff.fleet({ billing: "none" })).total).toBe(await countWhere(sql`s.id is null`));
    const combined = await api.staff.fleet({ status: "running", plan: "growth", billing: "past_due", pageSize: 200 });
    expect(combined.total).toBe(await countWhere(sql`i.status = 'running' and i.plan = 'growth' and s.status = 'past_due'`));
    expect(combined.total).toBeGreaterThan(0);
    for (const row of combined.rows) expect(row).toMatchObject({ status: "running", plan: "growth", billingStatus: "past_due" });
  });

  it("sorts by the chosen column in the chosen order", async () => {
    const byName = await apiAs(staff).staff.fleet({ sort: "name", direction: "asc", pageSize: 100 });
    const names = byName.rows.map((row) => row.name.toLowerCase());
    expect(names).toEqual([...names].sort());
    const byOwner = await apiAs(staff).staff.fleet({ sort: "owner", direction: "desc", page: 3, pageSize: 100 });
    const emails = byOwner.rows.map((row) => row.ownerEmail);
    expect(emails).toEqual([...emails].sort().reverse());
    const newest = await apiAs(staff).staff.fleet({ pageSize: 25 });
    const times = newest.rows.map((row) => row.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("rejects a page size it does not offer", async () => {
    await expect(apiAs(staff).staff.fleet({ pageSize: 5000 })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("the staff charts on the seeded fleet", () => {
  it("replays the status history so that today's counts are the fleet's current counts", async () => {
    const { statusOverTime } = await apiAs(staff).staff.charts({ days: 30 });
    expect(statusOverTime).toHaveLength(30);
    const today = statusOverTime.at(-1)!;
    const counts = await apiAs(staff).staff.statusCounts();
    for (const row of counts.byStatus) expect(today[row.status], row.status).toBe(row.count);
    // Earlier days can only have had fewer instances in total (the seed never deletes one).
    const totals = statusOverTime.map((day) => Object.entries(day).reduce((sum, [key, value]) => (key === "day" ? sum : sum + Number(value)), 0));
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    for (const day of statusOverTime) for (const [key, value] of Object.entries(day)) if (key !== "day") expect(value).toBeGreaterThanOrEqual(0);
  });

  it("reports provisioning p50 and p95 per day from succeeded provisions", async () => {
    const { provisioningDurations } = await apiAs(staff).staff.charts({ days: 30 });
    expect(provisioningDurations.length).toBeGreaterThan(20);
    for (const day of provisioningDurations) {
      expect(day.p50Seconds).toBeGreaterThanOrEqual(40);
      expect(day.p95Seconds).toBeGreaterThanOrEqual(day.p50Seconds);
      expect(day.count).toBeGreaterThan(0);
    }
  });

  it("adds up monthly recurring revenue from active and past-due subscriptions at plan prices", async () => {
    const { revenue } = await apiAs(staff).staff.charts();
    const rows = await db
      .select({ plan: subscriptions.plan, count: sql<number>`count(*)::int` })
      .from(subscriptions)
      .where(and(sql`${subscriptions.status} in ('active', 'past_due')`))
      .groupBy(subscriptions.plan);
    const expected = rows.reduce((sum, row) => sum + row.count * PLANS.find((plan) => plan.id === row.plan)!.priceMonthlyCents, 0);
    expect(revenue.totalCents).toBe(expected);
    expect(revenue.totalCents).toBeGreaterThan(0);
  });
});
