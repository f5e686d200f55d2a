// Two-factor sign-in against the attacks it is for, through Auth.js's real credentials callback: a stolen
// password alone, a code seen over a shoulder used again, a recovery code used twice, the first step's note kept
// past a password change or forged, and a staff password alone reaching the staff console.
process.env.LYCEUM_STAFF_WITHOUT_TWO_FACTOR = "0";
export {};

const { describe, expect, it } = await import("vitest");
const { createUser, findUserById } = await import("@/server/accounts/users");
const { changePassword } = await import("@/server/accounts/password-change");
const { totpCode, totpStepAt } = await import("@/server/accounts/two-factor/totp");
const { SecondFactorExpiredError, SecondFactorNeededError, WrongSecondFactorError } = await import("@/server/auth/login-errors");
const { pendingSignInToken } = await import("@/server/auth/pending-sign-in");
const { apiAs, uniqueSuffix } = await import("../helpers/accounts");
const { logInThroughAuthJs, secondFactorThroughAuthJs, sessionThroughAuthJs } = await import("../helpers/auth-js");
const { registeredInstance } = await import("../helpers/instances");

const PASSWORD = "a long enough password";

async function accountWithTwoFactor(role: "client" | "staff" = "client") {
  const user = await createUser({ email: `two-factor-${uniqueSuffix()}@example.org`, password: PASSWORD }, role);
  const { secret } = await apiAs(user).account.twoFactor.start();
  // The app's code for the previous step: the next log-in (in the current step) must not be refused as a replay.
  const { recoveryCodes } = await apiAs(user).account.twoFactor.confirm({ code: totpCode(secret, totpStepAt(Date.now()) - 1) });
  return { user, secret, recoveryCodes };
}

/** The first step's refusal, and the note it carries. */
async function passwordStep(email: string, password = PASSWORD) {
  const refusal = await logInThroughAuthJs({ email, password }).then(
    () => null,
    (error: unknown) => error,
  );
  expect(refusal).toBeInstanceOf(SecondFactorNeededError);
  return (refusal as InstanceType<typeof SecondFactorNeededError>).pendingSignIn;
}

const currentCode = (secret: string) => totpCode(secret, totpStepAt(Date.now()));
/** The account as the next request reads it (each request's context reads it afresh). */
const reread = async (user: { id: string }) => (await findUserById(user.id))!;

describe("two-factor sign-in", () => {
  it("a stolen password alone signs nobody in; with the app's code it does", async () => {
    const { user, secret } = await accountWithTwoFactor();
    const pendingSignIn = await passwordStep(user.email);
    await expect(secondFactorThroughAuthJs({ pendingSignIn, code: "000000" === currentCode(secret) ? "111111" : "000000" })).rejects.toBeInstanceOf(
      WrongSecondFactorError,
    );
    const cookie = await secondFactorThroughAuthJs({ pendingSignIn, code: currentCode(secret) });
    expect(await sessionThroughAuthJs(cookie)).toMatchObject({ user: { id: user.id } });
  });

  it("a code that signed in once is refused the second time (seen over a shoulder)", async () => {
    const { user, secret } = await accountWithTwoFactor();
    const code = currentCode(secret);
    await secondFactorThroughAuthJs({ pendingSignIn: await passwordStep(user.email), code });
    await expect(secondFactorThroughAuthJs({ pendingSignIn: await passwordStep(user.email), code })).rejects.toBeInstanceOf(WrongSecondFactorError);
  });

  it("a recovery code signs in once, in any case and without its dashes, then never again", async () => {
    const { user, recoveryCodes } = await accountWithTwoFactor();
    expect(recoveryCodes).toHaveLength(10);
    const code = recoveryCodes[3]!;
    const cookie = await secondFactorThroughAuthJs({ pendingSignIn: await passwordStep(user.email), code: code.replaceAll("-", "").toUpperCase() });
    expect(await sessionThroughAuthJs(cookie)).toMatchObject({ user: { id: user.id } });
    await expect(secondFactorThroughAuthJs({ pendingSignIn: await passwordStep(user.email), code })).rejects.toBeInstanceOf(WrongSecondFactorError);
    expect(await apiAs(await reread(user)).account.twoFactor.status()).toMatchObject({ isOn: true, unusedRecoveryCodes: 9 });
  });

  it("the first step's note stops working when the password changes, and a forged or expired one never works", async () => {
    const { user, secret } = await accountWithTwoFactor();
    const pendingSignIn = await passwordStep(user.email);
    await changePassword(user.id, { currentPassword: PASSWORD, newPassword: "another long password" });
    await expect(secondFactorThroughAuthJs({ pendingSignIn, code: currentCode(secret) })).rejects.toBeInstanceOf(SecondFactorExpiredError);

    const [payload, signature] = pendingSignInToken({ id: user.id, credentialVersion: 1 }).split(".");
    const forged = `${Buffer.from(JSON.stringify({ u: user.id, v: 1, e: Date.now() + 60_000 })).toString("base64url")}.${signature}`;
    expect(forged.split(".")[0]).not.toBe(payload);
    await expect(secondFactorThroughAuthJs({ pendingSignIn: forged, code: currentCode(secret) })).rejects.toBeInstanceOf(SecondFactorExpiredError);
    const expired = pendingSignInToken({ id: user.id, credentialVersion: 1 }, Date.now() - 6 * 60_000);
    await expect(secondFactorThroughAuthJs({ pendingSignIn: expired, code: currentCode(secret) })).rejects.toBeInstanceOf(SecondFactorExpiredError);
  });

  it("enrolment takes a code from the new secret, and turning it off takes the password and a code", async () => {
    const user = await createUser({ email: `enrol-${uniqueSuffix()}@example.org`, password: PASSWORD });
    const { secret, otpauthUri, qrCodeSvg } = await apiAs(user).account.twoFactor.start();
    expect(otpauthUri).toContain(`secret=${secret}`);
    expect(qrCodeSvg).toMatch(/^<svg/);
    await expect(apiAs(user).account.twoFactor.confirm({ code: "123456" === currentCode(secret) ? "654321" : "123456" })).rejects.toThrow(
      "That code does not match",
    );
    // Still off: the password alone signs in.
    expect(await sessionThroughAuthJs(await logInThroughAuthJs({ email: user.email, password: PASSWORD }))).toMatchObject({ user: { id: user.id } });
    await apiAs(user).account.twoFactor.confirm({ code: currentCode(secret) });
    await passwordStep(user.email);

    const refreshed = await reread(user);
    await expect(apiAs(refreshed).account.twoFactor.disable({ password: "not the password", code: currentCode(secret) })).rejects.toThrow(
      "That is not your current password.",
    );
    const { recoveryCodes } = await apiAs(refreshed).account.twoFactor.regenerateRecoveryCodes({ code: totpCode(secret, totpStepAt(Date.now()) + 1) });
    await apiAs(refreshed).account.twoFactor.disable({ password: PASSWORD, code: recoveryCodes[0]! });
    expect(await apiAs(await reread(user)).account.twoFactor.status()).toMatchObject({ isOn: false, unusedRecoveryCodes: 0 });
    expect(await sessionThroughAuthJs(await logInThroughAuthJs({ email: user.email, password: PASSWORD }))).toMatchObject({ user: { id: user.id } });
  });

  it("a staff password alone does not reach the staff console or other schools' instances", async () => {
    const { instance } = await registeredInstance(undefined, "Two Factor Staff School");
    const staff = await createUser({ email: `staff-${uniqueSuffix()}@example.org`, password: PASSWORD }, "staff");
    await expect(apiAs(staff).staff.statusCounts()).rejects.toThrow("Staff accounts must turn on two-factor sign-in");
    await expect(apiAs(staff).instances.byId({ id: instance.id })).rejects.toThrow("No such instance.");

    const { user: enrolledStaff } = await accountWithTwoFactor("staff");
    const staffNow = await reread(enrolledStaff);
    await expect(apiAs(staffNow).staff.statusCounts()).resolves.toBeDefined();
    await expect(apiAs(staffNow).instances.byId({ id: instance.id })).resolves.toMatchObject({ instance: { id: instance.id } });
  });
});
