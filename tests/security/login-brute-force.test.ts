// Guessing passwords through the real log-in path (Auth.js's credentials callback with the portal's config):
// failures are counted in Postgres per account and per client address, and a throttled log-in is refused
// even with the right password until the window frees a place.
import { CredentialsSignin } from "@auth/core/errors";
import { describe, expect, it } from "vitest";
import { createUser } from "@/server/accounts/users";
import { logInFailureMessage } from "@/server/auth/login-errors";
import { uniqueSuffix } from "../helpers/accounts";
import { logInThroughAuthJs } from "../helpers/auth-js";

const PASSWORD = "the right password";

async function makeAccount() {
  return createUser({ email: `victim-${uniqueSuffix()}@example.org`, password: PASSWORD });
}

let nextAddress = 1;
function freshAddress() {
  nextAddress += 1;
  return `198.51.${Math.floor(nextAddress / 250)}.${nextAddress % 250}`;
}

async function attempt(input: { email: string; password: string; clientIp: string }) {
  try {
    await logInThroughAuthJs(input);
    return { isSignedIn: true as const };
  } catch (error) {
    if (!(error instanceof CredentialsSignin)) throw error;
    return { isSignedIn: false as const, code: error.code, message: logInFailureMessage(error) };
  }
}

describe("password guessing against the log-in form", () => {
  it("throttles 30 wrong passwords for one account, then refuses even the right password", async () => {
    const account = await makeAccount();
    const outcomes = [];
    // A new address for every guess: only the per-account limit can stop this.
    for (let i = 0; i < 30; i++) outcomes.push(await attempt({ email: account.email, password: `guess number ${i}`, clientIp: freshAddress() }));
    expect(outcomes.every((o) => !o.isSignedIn)).toBe(true);
    const throttled = outcomes.filter((o) => !o.isSignedIn && o.code === "too_many_attempts");
    expect(throttled.length).toBeGreaterThanOrEqual(15);

    const right = await attempt({ email: account.email, password: PASSWORD, clientIp: freshAddress() });
    expect(right).toMatchObject({ isSignedIn: false, code: "too_many_attempts" });
    expect(right.isSignedIn === false && right.message).toMatch(/^Too many log-in attempts\. Try again in \d+ (minutes?|seconds?)\.$/);
  });

  it("throttles one address guessing across many accounts, without locking those accounts out elsewhere", async () => {
    const attacker = freshAddress();
    const accounts = await Promise.all(Array.from({ length: 4 }, makeAccount));
    const outcomes = [];
    for (let i = 0; i < 70; i++) {
      const email = i % 2 === 0 ? accounts[i % 4]!.email : `nobody-${uniqueSuffix()}@example.org`;
      outcomes.push(await attempt({ email, password: `guess ${i}`, clientIp: attacker }));
    }
    expect(outcomes.some((o) => !o.isSignedIn && o.code === "too_many_attempts")).toBe(true);
    // The attacking address is refused even for an account it has not touched, with its right password.
    const bystander = await makeAccount();
    expect(await attempt({ email: bystander.email, password: PASSWORD, clientIp: attacker })).toMatchObject({ isSignedIn: false, code: "too_many_attempts" });
    // The owner of that account, from their own address, still logs in.
    expect(await attempt({ email: bystander.email, password: PASSWORD, clientIp: freshAddress() })).toEqual({ isSignedIn: true });
  });

  it("says 'wrong email or password' for an ordinary mistake, and lets the right password in", async () => {
    const account = await makeAccount();
    const wrong = await attempt({ email: account.email, password: "not it at all", clientIp: freshAddress() });
    expect(wrong).toMatchObject({ isSignedIn: false, code: "credentials", message: "Wrong email or password." });
    expect(await attempt({ email: account.email, password: PASSWORD, clientIp: freshAddress() })).toEqual({ isSignedIn: true });
  });

  it("spends as long on an unknown email as on a wrong password, so timing does not reveal accounts", async () => {
    const account = await makeAccount();
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    async function timed(email: string) {
      const startedAt = performance.now();
      await attempt({ email, password: "a wrong password", clientIp: freshAddress() });
      return performance.now() - startedAt;
    }
    const known: number[] = [];
    const unknown: number[] = [];
    for (let i = 0; i < 5; i++) {
      known.push(await timed(account.email));
      unknown.push(await timed(`nobody-${uniqueSuffix()}@example.org`));
    }
    // The scrypt verification dominates (tens of milliseconds); a bare database look-up is about one.
    expect(median(unknown)).toBeGreaterThan(median(known) * 0.5);
  });
});
