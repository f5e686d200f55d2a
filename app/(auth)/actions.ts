"use server";
// Sign-up, log-in and log-out as server actions: the forms work before (and without) JavaScript.
import { headers } from "next/headers";
import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { emailSchema, logInInput, newPasswordSchema, signUpInput } from "@/server/accounts/credentials";
import { changePassword, WrongCurrentPasswordError } from "@/server/accounts/password-change";
import { signUpAccount } from "@/server/accounts/sign-up";
import { resetPassword as resetPasswordWithToken, sendPasswordReset } from "@/server/accounts/verification";
import { signIn, signOut } from "@/server/auth";
import { logInFailureMessage, SecondFactorExpiredError, SecondFactorNeededError } from "@/server/auth/login-errors";
import { safeRedirectPath } from "@/server/auth/safe-redirect";
import { currentUser } from "@/server/auth/session";
import { clientAddressOf } from "@/server/net/client-address";
import { RateLimitedError } from "@/server/rate-limit/rate-limited-error";

export type AuthFormState = {
  fieldErrors?: Partial<Record<"name" | "email" | "password" | "code", string[]>>;
  formError?: string;
  values?: { email?: string; name?: string };
  /** Sign-up accepted: the same answer whether or not the address already had an account. */
  isDone?: boolean;
  /** The password was right and the account has two-factor sign-in: the form asks for a code, carrying this note. */
  pendingSignIn?: string;
};

async function requestClientAddress() {
  return clientAddressOf(await headers());
}

export async function logIn(previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const pendingSignIn = formData.get("pendingSignIn");
  if (typeof pendingSignIn === "string" && pendingSignIn) return logInWithSecondFactor(pendingSignIn, formData, previous.values);
  const values = { email: String(formData.get("email") ?? "") };
  const parsed = logInInput.safeParse({ email: formData.get("email"), password: formData.get("password") });
  if (!parsed.success) return { fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeRedirectPath(formData.get("next")) });
  } catch (error) {
    if (error instanceof SecondFactorNeededError) return { pendingSignIn: error.pendingSignIn, values };
    if (error instanceof CredentialsSignin) return { formError: logInFailureMessage(error), values };
    if (error instanceof AuthError) return { formError: "Wrong email or password.", values };
    throw error; // the redirect that signals success
  }
  return {};
}

async function logInWithSecondFactor(pendingSignIn: string, formData: FormData, values: AuthFormState["values"]): Promise<AuthFormState> {
  const code = String(formData.get("code") ?? "").trim();
  if (!code) return { pendingSignIn, values, fieldErrors: { code: ["Enter the code from your authenticator app, or a recovery code."] } };
  try {
    await signIn("credentials", { pendingSignIn, code, redirectTo: safeRedirectPath(formData.get("next")) });
  } catch (error) {
    // Too late, or the password changed since: back to the first step.
    if (error instanceof SecondFactorExpiredError) return { formError: logInFailureMessage(error), values };
    if (error instanceof CredentialsSignin) return { pendingSignIn, values, fieldErrors: { code: [logInFailureMessage(error)] } };
    if (error instanceof AuthError) return { formError: "Enter your email and password again.", values };
    throw error;
  }
  return {};
}

/**
 * Never signs in: doing so only for new addresses would tell anyone which addresses have an account. The
 * person confirms the address through the emailed link and logs in.
 */
export async function signUp(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const values = { email: String(formData.get("email") ?? ""), name: String(formData.get("name") ?? "") };
  const parsed = signUpInput.safeParse({
    name: formData.get("name") || undefined,
    email: formData.get("email"),
    password: formData.get("password"),
  });
  if (!parsed.success) return { fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    await signUpAccount(parsed.data, { clientIp: await requestClientAddress() });
  } catch (error) {
    if (error instanceof RateLimitedError) return { formError: error.message, values };
    throw error;
  }
  return { isDone: true, values: { email: parsed.data.email } };
}

export type PasswordFormState = {
  fieldErrors?: Partial<Record<"email" | "password" | "currentPassword", string[]>>;
  formError?: string;
  isDone?: boolean;
  email?: string;
};

export async function requestPasswordReset(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const parsed = emailSchema.safeParse(formData.get("email"));
  if (!parsed.success) return { fieldErrors: { email: [parsed.error.issues[0]!.message] }, email: String(formData.get("email") ?? "") };
  try {
    await sendPasswordReset(parsed.data, { clientIp: await requestClientAddress() });
  } catch (error) {
    if (error instanceof RateLimitedError) return { formError: error.message, email: parsed.data };
    throw error;
  }
  return { isDone: true, email: parsed.data };
}

export async function chooseNewPassword(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const parsed = newPasswordSchema.safeParse(formData.get("password"));
  if (!parsed.success) return { fieldErrors: { password: [parsed.error.issues[0]!.message] } };
  const result = await resetPasswordWithToken(String(formData.get("token") ?? ""), parsed.data);
  if (!result.isValid) return { formError: result.message };
  return { isDone: true };
}

/** Signs out every other session (new credential version) and signs this one in again with the new password. */
export async function changeOwnPassword(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const user = await currentUser();
  if (!user) return { formError: "Log in again to change your password." };
  const currentPassword = String(formData.get("currentPassword") ?? "");
  const parsed = newPasswordSchema.safeParse(formData.get("password"));
  if (!parsed.success) return { fieldErrors: { password: [parsed.error.issues[0]!.message] } };
  try {
    await changePassword(user.id, { currentPassword, newPassword: parsed.data });
  } catch (error) {
    if (error instanceof WrongCurrentPasswordError) return { fieldErrors: { currentPassword: [error.message] } };
    throw error;
  }
  try {
    await signIn("credentials", { email: user.email, password: parsed.data, redirect: false });
  } catch (error) {
    // The change stands; only this session's fresh token is missing, so the next page asks to log in.
    if (!(error instanceof AuthError)) throw error;
  }
  return { isDone: true };
}

export async function logOut() {
  await signOut({ redirectTo: "/" });
}
