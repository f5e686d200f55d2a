// Sign-up. The answer is the same whether or not the address already has an account (no account probing):
// a new account gets its verification link, an existing one a note that someone tried, and both take about
// one password hash of time. The account and its verification email commit together.
import { db } from "@/db";
import { verifyAgainstNoAccount } from "@/server/auth/password";
import { ABUSE_LIMITS, abuseRules, enforceRateLimits } from "@/server/rate-limit/abuse-limits";
import type { SignUpInput } from "./credentials";
import { createUser, EmailTakenError, findUserByEmail } from "./users";
import { sendAccountVerification, sendSignUpAttemptNotice } from "./verification";

/** What every accepted sign-up answers: check your inbox. */
const SIGN_UP_ACCEPTED = { isAccepted: true } as const;

export async function signUpAccount(input: SignUpInput, options: { clientIp?: string | null } = {}) {
  const limits = ABUSE_LIMITS.signUps;
  await enforceRateLimits(
    "sign-ups",
    abuseRules("sign-ups", [
      ["email", input.email, limits.perEmail],
      ["address", options.clientIp, limits.perAddress],
    ]),
  );
  const existing = await findUserByEmail(input.email);
  if (existing) return noteAttemptOn(existing, input.password);
  try {
    await db.transaction(async (tx) => {
      const user = await createUser(input, "client", tx);
      await sendAccountVerification(tx, user);
    });
  } catch (error) {
    // Taken between the look-up and the insert: answer as for any taken address.
    if (!(error instanceof EmailTakenError)) throw error;
    const winner = await findUserByEmail(input.email);
    if (winner) return noteAttemptOn(winner, input.password);
    throw error;
  }
  return SIGN_UP_ACCEPTED;
}

async function noteAttemptOn(owner: { email: string }, password: string) {
  // The hash a new account would have cost, so the answer's timing is the same.
  await verifyAgainstNoAccount(password);
  await sendSignUpAttemptNotice(db, owner);
  return SIGN_UP_ACCEPTED;
}
