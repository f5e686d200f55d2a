// A stolen session outliving the password reset meant to end it: the JWT is valid for 30 days on its own,
// so the session now carries the account's credential version and every read of it checks that version.
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { changePassword } from "@/server/accounts/password-change";
import { issueToken } from "@/server/accounts/tokens";
import { createUser } from "@/server/accounts/users";
import { resetPassword } from "@/server/accounts/verification";
import { uniqueSuffix } from "../helpers/accounts";
import { logInThroughAuthJs, sessionThroughAuthJs } from "../helpers/auth-js";

const PASSWORD = "the original password";

async function signedInAccount() {
  const user = await createUser({ email: `reset-${uniqueSuffix()}@example.org`, password: PASSWORD });
  const stolenCookie = await logInThroughAuthJs({ email: user.email, password: PASSWORD, clientIp: "192.0.2.1" });
  expect(await sessionThroughAuthJs(stolenCookie)).toMatchObject({ user: { id: user.id } });
  return { user, stolenCookie };
}

describe("a session taken before a password reset", () => {
  it("is refused once the password has been reset through the emailed link", async () => {
    const { user, stolenCookie } = await signedInAccount();
    const token = await issueToken(db, { userId: user.id, purpose: "reset_password", email: user.email });
    expect(await resetPassword(token, "a brand new password")).toMatchObject({ isValid: true });

    expect(await sessionThroughAuthJs(stolenCookie)).toBeNull();
    // A log-in with the new password makes a session that works.
    const fresh = await logInThroughAuthJs({ email: user.email, password: "a brand new password", clientIp: "192.0.2.1" });
    expect(await sessionThroughAuthJs(fresh)).toMatchObject({ user: { id: user.id } });
  });

  it("is refused once the password has been changed from another session", async () => {
    const { user, stolenCookie } = await signedInAccount();
    await changePassword(user.id, { currentPassword: PASSWORD, newPassword: "a changed password here" });
    expect(await sessionThroughAuthJs(stolenCookie)).toBeNull();
  });

  it("keeps working when nothing about the credentials changed", async () => {
    const { user, stolenCookie } = await signedInAccount();
    const token = await issueToken(db, { userId: user.id, purpose: "reset_password", email: user.email });
    // An unused reset link changes nothing.
    expect(token).toBeTruthy();
    expect(await sessionThroughAuthJs(stolenCookie)).toMatchObject({ user: { id: user.id } });
  });
});
