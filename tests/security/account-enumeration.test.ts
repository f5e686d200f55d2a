// Finding out who has an account: by signing up with their address, by asking for a password reset, or by
// timing the answers. Each answers as it would for anyone.
import { describe, expect, it } from "vitest";
import { signUpAccount } from "@/server/accounts/sign-up";
import { createUser, findUserByCredentials } from "@/server/accounts/users";
import { sendPasswordReset } from "@/server/accounts/verification";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";
import { uniqueSuffix } from "../helpers/accounts";
import { queuedEmailsTo } from "../helpers/queued-emails";

const clientIp = "192.0.2.77";

describe("probing which email addresses have an account", () => {
  it("answers a sign-up with a taken address exactly as a new sign-up, and tells the owner instead", async () => {
    const owner = await createUser({ email: `owner-${uniqueSuffix()}@example.org`, password: "the owner's password" });
    const fresh = `fresh-${uniqueSuffix()}@example.org`;
    const forNew = await signUpAccount({ email: fresh, password: "a long enough password" }, { clientIp });
    const forTaken = await signUpAccount({ email: owner.email.toUpperCase(), password: "the attacker's password" }, { clientIp });
    expect(forTaken).toEqual(forNew);
    expect(JSON.stringify(forTaken)).not.toContain(owner.id);

    // The owner's password is untouched, and the owner learns that someone tried.
    expect(await findUserByCredentials(owner.email, "the owner's password")).toMatchObject({ id: owner.id });
    expect(await findUserByCredentials(owner.email, "the attacker's password")).toBeNull();
    const toOwner = await queuedEmailsTo(owner.email);
    expect(toOwner).toHaveLength(1);
    expect(toOwner[0]!.text).toContain("Someone tried to create a Lyceum account with this email address");
    expect((await queuedEmailsTo(fresh))[0]!.subject).toBe("Confirm your email address for Lyceum");
  });

  it("answers a password reset for an unknown address exactly as for a known one", async () => {
    const owner = await createUser({ email: `owner-${uniqueSuffix()}@example.org`, password: "the owner's password" });
    const known = await sendPasswordReset(owner.email, { clientIp });
    const unknown = await sendPasswordReset(`nobody-${uniqueSuffix()}@example.org`, { clientIp });
    expect(unknown).toEqual(known);
    expect(await queuedEmailsTo(owner.email)).toHaveLength(1);
  });

  it("takes about as long to answer a taken address as a new one", async () => {
    const owner = await createUser({ email: `owner-${uniqueSuffix()}@example.org`, password: "the owner's password" });
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const taken: number[] = [];
    const fresh: number[] = [];
    for (let i = 0; i < 3; i++) {
      let startedAt = performance.now();
      await signUpAccount({ email: owner.email, password: "a long enough password" }, { clientIp: `192.0.2.${100 + i}` });
      taken.push(performance.now() - startedAt);
      startedAt = performance.now();
      await signUpAccount({ email: `fresh-${uniqueSuffix()}@example.org`, password: "a long enough password" }, { clientIp: `192.0.2.${110 + i}` });
      fresh.push(performance.now() - startedAt);
    }
    // A new account costs one scrypt hash (tens of milliseconds); a taken address must cost as much.
    expect(median(taken)).toBeGreaterThan(median(fresh) * 0.5);
  });

  it("throttles a flood of reset requests for one address alike, whether or not it has an account", async () => {
    const owner = await createUser({ email: `owner-${uniqueSuffix()}@example.org`, password: "the owner's password" });
    const nobody = `nobody-${uniqueSuffix()}@example.org`;
    async function refusalAfterFlood(email: string) {
      for (let i = 0; i < 20; i++) {
        try {
          await sendPasswordReset(email, { clientIp: `192.0.2.${150 + i}` });
        } catch (error) {
          if (error instanceof RateLimitedError) return { after: i, message: error.message.replace(/\d+/, "N") };
          throw error;
        }
      }
      return null;
    }
    const forOwner = await refusalAfterFlood(owner.email);
    expect(forOwner).toEqual({ after: 5, message: "Too many password reset requests. Try again in N minutes." });
    expect(await refusalAfterFlood(nobody)).toEqual(forOwner);
    expect(await queuedEmailsTo(owner.email)).toHaveLength(5);
  });

  it("throttles a flood of sign-ups from one address", async () => {
    let refusal: unknown = null;
    for (let i = 0; i < 120 && !refusal; i++) {
      await signUpAccount({ email: `bulk-${uniqueSuffix()}@example.org`, password: "a long enough password" }, { clientIp: "192.0.2.200" }).catch((error: unknown) => {
        if (!(error instanceof RateLimitedError)) throw error;
        refusal = error;
      });
    }
    expect(refusal).toBeInstanceOf(RateLimitedError);
  }, 240_000);
});
