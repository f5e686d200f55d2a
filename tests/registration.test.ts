import { TRPCError } from "@trpc/server";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instances } from "@/db/schema";
import { sealedCells } from "@/server/crypto/sealed-cells";
import { decryptSecret } from "@/server/crypto/secrets";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { GOOD_BRANDING, makeVerifiedUser, ownSmtpValues, registerInstance, saveDraft } from "./helpers/registration";
import { personalOrganisationOf } from "@/server/organisations/personal";

const profile = (email: string) => ({
  name: "Acme Academy",
  contactEmail: email,
  description: "",
  privacyPolicyUrl: "https://acme.example/privacy",
});

async function rowOf(id: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!;
}

describe("the registration wizard", () => {
  it("keeps the draft on the server at every step and resumes at the furthest step reached", async () => {
    const owner = await makeVerifiedUser();
    const api = apiAs(owner);
    const { id } = await api.registration.saveInstance({ values: profile(owner.email) });
    expect(await rowOf(id)).toMatchObject({ status: "draft", subdomain: null, wizardStep: "domain", name: "Acme Academy" });
    const subdomain = `acme-${uniqueSuffix()}`;
    await api.registration.saveDomain({ id, values: { subdomain: subdomain.toUpperCase() } });
    expect(await rowOf(id)).toMatchObject({ subdomain, wizardStep: "branding" });
    // Going back to an earlier step does not lose the furthest one.
    await api.registration.saveInstance({ id, values: { ...profile(owner.email), name: "Acme Academy 2" } });
    expect(await rowOf(id)).toMatchObject({ name: "Acme Academy 2", wizardStep: "branding" });
    const view = await api.registration.draft({ id });
    expect(view.hostnames).toEqual({
      lms: `${subdomain}.localhost`,
      studio: `studio-${subdomain}.localhost`,
      preview: `preview-${subdomain}.localhost`,
      apps: `apps-${subdomain}.localhost`,
    });
  });

  it("goes from draft to awaiting payment only when every step is complete", async () => {
    const owner = await makeVerifiedUser();
    const api = apiAs(owner);
    const { id } = await api.registration.saveInstance({ values: profile(owner.email) });
    await expect(api.registration.submit({ id })).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("Choose a subdomain") });
    const done = await registerInstance(owner);
    expect(done.status).toBe("awaiting_payment");
  });

  it("will not let an unverified account pay", async () => {
    const owner = await makeUser();
    const id = await saveDraft(owner);
    await expect(apiAs(owner).registration.submit({ id })).rejects.toMatchObject({
      message: expect.stringContaining("Confirm your account's email address first"),
    });
  });

  it("refuses a subdomain that is taken, whatever its case, next to the field", async () => {
    const first = await makeVerifiedUser();
    const second = await makeVerifiedUser();
    const subdomain = `taken-${uniqueSuffix()}`;
    await saveDraft(first, { subdomain });
    const { id } = await apiAs(second).registration.saveInstance({ values: profile(second.email) });
    const error = (await apiAs(second)
      .registration.saveDomain({ id, values: { subdomain: subdomain.toUpperCase() } })
      .catch((e: unknown) => e)) as TRPCError & { cause: unknown };
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toBe(`"${subdomain}" is already taken. Choose another subdomain.`);
    expect(await apiAs(second).instances.subdomainAvailable({ subdomain })).toMatchObject({ isAvailable: false });
    expect(await apiAs(first).instances.subdomainAvailable({ subdomain: `free-${uniqueSuffix()}` })).toMatchObject({ isAvailable: true });
  });

  it("lets exactly one of many simultaneous claims win", async () => {
    const subdomain = `race-${uniqueSuffix()}`;
    const claimants = await Promise.all(Array.from({ length: 8 }, () => makeVerifiedUser()));
    const drafts = await Promise.all(claimants.map((user) => apiAs(user).registration.saveInstance({ values: profile(user.email) })));
    const results = await Promise.allSettled(
      claimants.map((user, i) => apiAs(user).registration.saveDomain({ id: drafts[i]!.id, values: { subdomain } })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const loser of results.filter((r): r is PromiseRejectedResult => r.status === "rejected")) {
      expect((loser.reason as TRPCError).code).toBe("CONFLICT");
    }
    const rows = await db.select().from(instances).where(eq(instances.subdomain, subdomain));
    expect(rows).toHaveLength(1);
  });

  it("is guarded by the database too: a second row differing only in case is refused", async () => {
    const owner = await makeUser();
    const subdomain = `guard-${uniqueSuffix()}`;
    const organisationId = await personalOrganisationOf(db, owner.id);
    await db.insert(instances).values({ ownerId: owner.id, organisationId, name: "A", subdomain });
    await expect(db.insert(instances).values({ ownerId: owner.id, organisationId, name: "B", subdomain: subdomain.toUpperCase() })).rejects.toThrow();
    const count = await db.execute(sql`select count(*)::int as n from instances where lower(subdomain) = ${subdomain}`);
    expect(count[0]).toMatchObject({ n: 1 });
  });

  it("stores a custom domain as punycode, unique across instances, and queues its DNS check", async () => {
    const owner = await makeVerifiedUser();
    const api = apiAs(owner);
    const { id } = await api.registration.saveInstance({ values: profile(owner.email) });
    const domain = `écolé-${uniqueSuffix()}.example`;
    await api.registration.saveDomain({ id, values: { subdomain: `idn-${uniqueSuffix()}`, customDomain: domain } });
    const row = await rowOf(id);
    expect(row.customDomain).toMatch(/^xn--/);
    expect(row.customDomainStatus).toBe("pending");
    const view = await api.registration.draft({ id });
    expect(view.customDomainShown).toBe(domain);
    expect(view.dnsRecords.map((record) => `${record.type} ${record.nameShown}`)).toEqual([
      `CNAME ${domain}`,
      `CNAME studio.${domain}`,
      `CNAME preview.${domain}`,
      `CNAME apps.${domain}`,
      `TXT _lyceum-challenge.${domain}`,
    ]);
    const jobs = await db.execute(sql`select 1 from graphile_worker.jobs where key = ${`verify_domain:${id}`}`);
    expect(jobs).toHaveLength(1);

    const other = await makeVerifiedUser();
    const second = await apiAs(other).registration.saveInstance({ values: profile(other.email) });
    await expect(
      apiAs(other).registration.saveDomain({ id: second.id, values: { subdomain: `idn-${uniqueSuffix()}`, customDomain: domain.toUpperCase() } }),
    ).rejects.toMatchObject({ code: "CONFLICT", message: "Another Lyceum instance already uses this domain." });
  });

  it("answers crafted input with the form's messages for each field, never a 500", async () => {
    const owner = await makeVerifiedUser();
    const api = apiAs(owner);
    const bad = (await api.registration
      .saveInstance({ values: { name: "", contactEmail: "nope", description: "", privacyPolicyUrl: "http://insecure.example" } })
      .catch((e: unknown) => e)) as TRPCError;
    expect(bad.code).toBe("BAD_REQUEST");
    const { id } = await api.registration.saveInstance({ values: profile(owner.email) });
    const domainError = (await api.registration
      .saveDomain({ id, values: { subdomain: "a_b", customDomain: "x.localhost" } })
      .catch((e: unknown) => e)) as TRPCError;
    expect(domainError.code).toBe("BAD_REQUEST");
    const { fieldErrorsOf } = await import("@/server/forms/field-errors");
    const { ZodError } = await import("zod");
    expect(domainError.cause).toBeInstanceOf(ZodError);
    expect(fieldErrorsOf(domainError.cause as InstanceType<typeof ZodError>)).toEqual({
      subdomain: ["Use only letters a–z, digits and hyphens."],
      customDomain: ["Names under localhost are provided by Lyceum: use your subdomain for those, or a domain of your own."],
    });
    await expect(
      api.registration.saveBranding({ id, values: { ...GOOD_BRANDING, headerBackground: "#ffff00" } }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST", message: expect.stringContaining("White header text would be hard to read") });
    await expect(
      api.registration.saveBranding({ id, values: { ...GOOD_BRANDING, headerBackground: "#ffff00", acceptLowContrast: true } }),
    ).resolves.toMatchObject({ id });
  });

  it("keeps the SMTP password encrypted and never returns it", async () => {
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const api = apiAs(owner);
    const values = ownSmtpValues({ host: "smtp.acme.example", port: 587 }, "s3cret-smtp-password");
    await api.registration.saveEmail({ id, values });
    const row = await rowOf(id);
    expect(row.smtpPasswordSealed).not.toContain("s3cret");
    expect(decryptSecret(row.smtpPasswordSealed!, sealedCells.smtpPassword(id))).toBe("s3cret-smtp-password");
    const view = await api.registration.draft({ id });
    expect(JSON.stringify(view)).not.toContain(row.smtpPasswordSealed!);
    expect(view.instance.hasSmtpPassword).toBe(true);
    // Saving again without a password keeps the saved one.
    await api.registration.saveEmail({ id, values: { ...values, password: "" } });
    expect(decryptSecret((await rowOf(id)).smtpPasswordSealed!, sealedCells.smtpPassword(id))).toBe("s3cret-smtp-password");
    // A user on a new server needs its password.
    await expect(
      api.registration.saveEmail({ id, values: { ...values, smtp: { ...values.smtp, host: "other.acme.example" }, password: "" } }),
    ).rejects.toMatchObject({ message: "Enter the password of this mail server user." });
  });

  it("shows a draft only to its owner", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeVerifiedUser();
    const id = await saveDraft(owner);
    await expect(apiAs(stranger).registration.draft({ id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(apiAs(stranger).registration.savePlan({ id, values: { plan: "scale" } })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("lets staff open a draft that has no subdomain yet, without its sealed SMTP password", async () => {
    const owner = await makeVerifiedUser();
    const staff = await makeUser("staff");
    const { id } = await apiAs(owner).registration.saveInstance({ values: profile(owner.email) });
    const detail = await apiAs(staff).staff.instance({ id });
    expect(detail.hostnames).toBeNull();
    expect(detail.instance).not.toHaveProperty("smtpPasswordSealed");
  });

  it("asks anonymous callers to log in", async () => {
    await expect(apiAs(null).registration.saveInstance({ values: profile("x@example.org") })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});
