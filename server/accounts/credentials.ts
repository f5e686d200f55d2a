// The sign-up and log-in form schemas, shared by the forms and the server.
import { z } from "zod";

export const emailSchema = z
  .string()
  .trim()
  .min(1, "Enter your email address.")
  .max(254, "That email address is too long.")
  .pipe(z.email("Enter a valid email address, like name@school.org."))
  .transform((email) => email.toLowerCase());

export const newPasswordSchema = z
  .string()
  .min(10, "Use at least 10 characters for your password.")
  .max(200, "Use at most 200 characters for your password.");

export const signUpInput = z.object({
  name: z.string().trim().max(100, "Use at most 100 characters.").optional(),
  email: emailSchema,
  password: newPasswordSchema,
});

export const logInInput = z.object({
  email: emailSchema,
  password: z.string().min(1, "Enter your password.").max(200),
});

export type SignUpInput = z.infer<typeof signUpInput>;
