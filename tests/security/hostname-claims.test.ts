// Hostname claims across the fleet: every name an instance would serve (LMS, Studio, preview, apps; from its
// subdomain and from its custom domain) belongs to one instance at most, and the portal's own to none.
// Played through the registration wizard's tRPC procedures on real Postgres, races included.
import type { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";

const PORTAL_HOST = "learn-portal.localhost";
process.env.LYCEUM_PUBLIC_URL = `https://${PORTAL_HOST}`;

const { db } = await import("@/db");
const { instanceHostnames, instances } = await import("@/db/schema");
const { apiAs, uniqueSuffix } = await import("../helpers/accounts");
const { makeVerifiedUser } = await import("../helpers/registration");

async function draftOf() {
  const owner = await makeVerifiedUser();
  const { id } = await apiAs(owner).registration.saveInstance({
    values: { name: "Claim Academy", contactEmail: owner.email, description: "Courses.", privacyPolicyUrl: "https://example.org/privacy" },
  });
  const subdomain = `claim-${uniqueSuffix()}`;
  const saveDomain = (customDomain?: string, chosenSubdomain = subdomain) =>
    apiAs(owner).registration.saveDomain({ id, values: { subdomain: chosenSubdomain, customDomain } });
  return { id, subdomain, saveDomain };
}

const claimsOf = async (instanceId: string) =>
  (await db.select().from(instanceHostnames).where(eq(instanceHostnames.instanceId, instanceId)))
    .map(({ hostname, kind, source }) => `${source} ${kind} ${hostname}`)
    .sort();

describe("hostname claims across the fleet", () => {
  it("records every name the subdomain and the custom domain give an instance", async () => {
    const draft = await draftOf();
    const domain = `claims-${uniqueSuffix()}.example`;
    await draft.saveDomain(domain);
    expect(await claimsOf(draft.id)).toEqual(
      [
        `custom_domain apps apps.${domain}`,
        `custom_domain lms ${domain}`,
        `custom_domain preview preview.${domain}`,
        `custom_domain studio studio.${domain}`,
        `subdomain apps apps-${draft.subdomain}.localhost`,
        `subdomain lms ${draft.subdomain}.localhost`,
        `subdomain preview preview-${draft.subdomain}.localhost`,
        `subdomain studio studio-${draft.subdomain}.localhost`,
      ].sort(),
    );
  });

  it("refuses a custom domain that is another instance's Studio name, and one whose Studio name is another's domain", async () => {
    const domain = `college-${uniqueSuffix()}.example`;
    const first = await draftOf();
    await first.saveDomain(`studio.${domain}`);
    const second = await draftOf();
    // Its own Studio name would be studio.<domain>, the first instance's LMS.
    await expect(second.saveDomain(domain)).rejects.toMatchObject({
      code: "CONFLICT",
      message: `studio.${domain}, this domain's address for the Studio (course authoring), is already used by another Lyceum instance. Choose another domain.`,
    });
    const third = await draftOf();
    await expect(third.saveDomain(`apps.studio.${domain}`)).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining(`apps.studio.${domain}, this domain's address for the Learning site (LMS)`),
    });
    // The refused claims left nothing behind: not the domain on the instance, nor any name of it.
    for (const refused of [second, third]) {
      expect((await db.query.instances.findFirst({ where: eq(instances.id, refused.id) }))!.customDomain).toBeNull();
      expect((await claimsOf(refused.id)).filter((claim) => claim.startsWith("custom_domain"))).toEqual([]);
    }
  });

  it("releases the old names when a draft changes its custom domain", async () => {
    const domain = `moving-${uniqueSuffix()}.example`;
    const first = await draftOf();
    await first.saveDomain(domain);
    await first.saveDomain(`elsewhere-${uniqueSuffix()}.example`);
    const second = await draftOf();
    await second.saveDomain(`studio.${domain}`);
    expect(await claimsOf(second.id)).toContain(`custom_domain lms studio.${domain}`);
  });

  it("lets exactly one of many simultaneous clashing claims win", async () => {
    const domain = `race-${uniqueSuffix()}.example`;
    const drafts = await Promise.all(Array.from({ length: 8 }, () => draftOf()));
    // Every pair clashes: the same domain (studio.<domain> is in both), or one's LMS is the other's Studio.
    const results = await Promise.allSettled(drafts.map((draft, i) => draft.saveDomain(i % 2 ? `studio.${domain}` : domain)));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const loser of results.filter((result): result is PromiseRejectedResult => result.status === "rejected")) {
      expect((loser.reason as TRPCError).code).toBe("CONFLICT");
    }
    const holders = await db.select().from(instanceHostnames).where(eq(instanceHostnames.hostname, `studio.${domain}`));
    expect(holders).toHaveLength(1);
    const winner = drafts[results.findIndex((result) => result.status === "fulfilled")]!;
    expect(holders[0]!.instanceId).toBe(winner.id);
  });

  it("never lets a subdomain take another instance's Studio, preview or apps name", async () => {
    const victim = await draftOf();
    await victim.saveDomain();
    for (const prefix of ["studio-", "preview-", "apps-"]) {
      const attacker = await draftOf();
      // studio-<victim>.<base> is the victim's Studio: as the attacker's LMS it would take the victim's authoring site.
      await expect(attacker.saveDomain(undefined, `${prefix}${victim.subdomain}`)).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(`A subdomain cannot start with "${prefix}"`),
      });
      expect((await db.query.instances.findFirst({ where: eq(instances.id, attacker.id) }))!.subdomain).toBeNull();
    }
    // The victim's names stay its own.
    const holder = await db.select().from(instanceHostnames).where(eq(instanceHostnames.hostname, `studio-${victim.subdomain}.localhost`));
    expect(holder.map((row) => row.instanceId)).toEqual([victim.id]);
  });

  it("never lets a subdomain take the portal's hostname, though it is not on the reserved list", async () => {
    const draft = await draftOf();
    await expect(draft.saveDomain(undefined, "learn-portal")).rejects.toMatchObject({
      code: "BAD_REQUEST",
      message: `${PORTAL_HOST} is Lyceum's own address: it and the names below it cannot be used (this subdomain would give this instance ${PORTAL_HOST} for its Learning site (LMS)).`,
    });
    // (Custom domains at or below the portal: tests/security/certificate-hijack.test.ts.) Its own subdomain is still free.
    await expect(draft.saveDomain()).resolves.toMatchObject({ id: draft.id });
  });
});
