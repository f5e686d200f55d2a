"use server";
// Sign-up, log-in and log-out as server actions: the forms work before (and without) JavaScript.
import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { emailSchema, logInInput, newPasswordSchema, signUpInput } from "@/server/accounts/credentials";
import { signUpAccount } from "@/server/accounts/sign-up";
import { EmailTakenError } from "@/server/accounts/users";
import { resetPassword as resetPasswordWithToken, sendPasswordReset } from "@/server/accounts/verification";
import { signIn, signOut } from "@/server/auth";
import { logInFailureMessage } from "@/server/auth/login-errors";
import { safeRedirectPath } from "@/server/auth/safe-redirect";

export type AuthFormState = {
  fieldErrors?: Partial<Record<"name" | "email" | "password", string[]>>;
  formError?: string;
  values?: { email?: string; name?: string };
};

export async function logIn(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const values = { email: String(formData.get("email") ?? "") };
  const parsed = logInInput.safeParse({ email: formData.get("email"), password: formData.get("password") });
  if (!parsed.success) return { fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    await signIn("credentials", { ...parsed.data, redirectTo: safeRedirectPath(formData.get("next")) });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { formError: logInFailureMessage(error), values };
    if (error instanceof AuthError) return { formError: "Wrong email or password.", values };
    throw error; // the redirect that signals success
  }
  return {};
}

export async function signUp(_previous: AuthFormState, formData: FormData): Promise<AuthFormState> {
  const values = { email: String(formData.get("email") ?? ""), name: String(formData.get("name") ?? "") };
  const parsed = signUpInput.safeParse({
    name: formData.get("name") || undefined,
    email: formData.get("email"),
    password: formData.get("password"),
  });
  if (!parsed.success) return { fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  try {
    await signUpAccount(parsed.data);
  } catch (error) {
    if (error instanceof EmailTakenError) return { fieldErrors: { email: [error.message] }, values };
    throw error;
  }
  await signIn("credentials", {
    email: parsed.data.email,
    password: parsed.data.password,
    redirectTo: safeRedirectPath(formData.get("next")),
  });
  return {};
}

export type PasswordFormState = { fieldErrors?: Partial<Record<"email" | "password", string[]>>; formError?: string; isDone?: boolean; email?: string };

export async function requestPasswordReset(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const parsed = emailSchema.safeParse(formData.get("email"));
  if (!parsed.success) return { fieldErrors: { email: [parsed.error.issues[0]!.message] }, email: String(formData.get("email") ?? "") };
  await sendPasswordReset(parsed.data);
  return { isDone: true, email: parsed.data };
}

export async function chooseNewPassword(_previous: PasswordFormState, formData: FormData): Promise<PasswordFormState> {
  const parsed = newPasswordSchema.safeParse(formData.get("password"));
  if (!parsed.success) return { fieldErrors: { password: [parsed.error.issues[0]!.message] } };
  const result = await resetPasswordWithToken(String(formData.get("token") ?? ""), parsed.data);
  if (!result.isValid) return { formError: result.message };
  return { isDone: true };
}

export async function logOut() {
  await signOut({ redirectTo: "/" });
}
