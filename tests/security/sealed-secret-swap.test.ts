// Someone who can write the database but has no key (a leaked backup restored, an SQL injection, a rogue
// operator) copies one tenant's sealed value over another's: it must not open there, and a ciphertext whose
// authentication tag was cut short (GCM checks only as many tag bytes as it is given) must not open at all.
import { createCipheriv, randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

const { db, closeDb } = await import("@/db");
const { instances } = await import("@/db/schema");
const { sealedCells } = await import("@/server/crypto/sealed-cells");
const { decryptSecret } = await import("@/server/crypto/secrets");
const { resealLegacySecrets } = await import("@/server/crypto/reseal");
const { env } = await import("@/server/env");
const { ledgerFor } = await import("@/server/instances/ledger");
const { renderServiceConfig } = await import("@/server/instances/service-config");
const { apiAs } = await import("../helpers/accounts");
const { makeVerifiedUser, ownSmtpValues, saveDraft } = await import("../helpers/registration");

afterAll(async () => {
  await closeDb();
});

/** A tenant with its own SMTP server and password, saved through the Email step as a client does. */
async function tenantWithOwnSmtp(password: string) {
  const owner = await makeVerifiedUser();
  const id = await saveDraft(owner);
  await apiAs(owner).registration.saveEmail({ id, values: ownSmtpValues({ host: "smtp.acme.example", port: 587 }, password) });
  return id;
}

/** A value as Lyceum sealed it before the upgrade: "v1", no additional data. */
function sealedTheOldWay(plaintext: string) {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(env().LYCEUM_ENCRYPTION_KEY, "base64"), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return ["v1", iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === "string" ? part : part.toString("base64url"))).join(":");
}

const rowOf = async (id: string) => (await db.query.instances.findFirst({ where: eq(instances.id, id) }))!;

describe("swapping sealed secrets between rows", () => {
  it("a client's SMTP password copied into another instance's row does not open there", async () => {
    const victim = await tenantWithOwnSmtp("victim-smtp-password");
    const attacker = await tenantWithOwnSmtp("attacker-smtp-password");
    // The victim's sealed password, copied into the attacker's row: the attacker's site config would carry it.
    await db.execute(sql`update instances set smtp_password_sealed = (select smtp_password_sealed from instances where id = ${victim}) where id = ${attacker}`);

    const swapped = await rowOf(attacker);
    expect(() => decryptSecret(swapped.smtpPasswordSealed!, sealedCells.smtpPassword(attacker))).toThrow(/does not open: it was sealed for another row/);
    // The path a deployment takes (the config step renders the own SMTP part from the row) refuses as well.
    expect(() => renderServiceConfig([], undefined, swapped)).toThrow(/instances\.smtp_password_sealed/);
    // The victim's own row still opens.
    expect(decryptSecret((await rowOf(victim)).smtpPasswordSealed!, sealedCells.smtpPassword(victim))).toBe("victim-smtp-password");
  });

  it("a data service's sealed password moved to another ledger entry does not open there", async () => {
    const owner = await makeVerifiedUser();
    const [one, two] = [await saveDraft(owner), await saveDraft(owner)];
    await ledgerFor(db, one).record("mysql.user", "lyc_one_edxapp", { role: "edxapp", databases: ["lyc_one_edxapp"], access: "all", server: "mysql.internal:3306" }, { password: "one-mysql-password" });
    await ledgerFor(db, two).record("mysql.user", "lyc_two_edxapp", { role: "edxapp", databases: ["lyc_two_edxapp"], access: "all", server: "mysql.internal:3306" }, { password: "two-mysql-password" });
    await db.execute(sql`update instance_resources set secrets = (select secrets from instance_resources where instance_id = ${one}) where instance_id = ${two}`);

    const [moved] = await ledgerFor(db, two).list("mysql.user");
    expect(() => ledgerFor(db, two).secretsOf(moved!)).toThrow(/instance_resources\.secrets .* does not open/);
    const [kept] = await ledgerFor(db, one).list("mysql.user");
    expect(ledgerFor(db, one).secretsOf(kept!)).toEqual({ password: "one-mysql-password" });
  });

  it("a sealed value whose authentication tag was cut to 4 bytes is refused", async () => {
    const id = await tenantWithOwnSmtp("tagged-smtp-password");
    const [version, iv, tag, ciphertext] = (await rowOf(id)).smtpPasswordSealed!.split(":");
    const shortTag = Buffer.from(tag!, "base64url").subarray(0, 4).toString("base64url");
    await db.update(instances).set({ smtpPasswordSealed: [version, iv, shortTag, ciphertext].join(":") }).where(eq(instances.id, id));

    const truncated = (await rowOf(id)).smtpPasswordSealed!;
    expect(() => decryptSecret(truncated, sealedCells.smtpPassword(id))).toThrow(/the authentication tag is 4 bytes, not 16/);
  });

  it("a secret sealed before the upgrade still opens, and once re-sealed to its row a copy no longer opens elsewhere", async () => {
    const [legacy, other] = [await tenantWithOwnSmtp("placeholder-password"), await tenantWithOwnSmtp("other-smtp-password")];
    await db.update(instances).set({ smtpPasswordSealed: sealedTheOldWay("legacy-smtp-password") }).where(eq(instances.id, legacy));
    expect(decryptSecret((await rowOf(legacy)).smtpPasswordSealed!, sealedCells.smtpPassword(legacy))).toBe("legacy-smtp-password");

    expect((await resealLegacySecrets(db))["instances.smtp_password_sealed"]).toBeGreaterThanOrEqual(1);
    const resealed = (await rowOf(legacy)).smtpPasswordSealed!;
    expect(resealed).toMatch(/^v2:/);
    expect(decryptSecret(resealed, sealedCells.smtpPassword(legacy))).toBe("legacy-smtp-password");
    await db.update(instances).set({ smtpPasswordSealed: resealed }).where(eq(instances.id, other));
    expect(() => decryptSecret(resealed, sealedCells.smtpPassword(other))).toThrow(/sealed for another row/);
  });
});
