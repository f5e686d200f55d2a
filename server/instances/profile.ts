// The Instance step: what the instance is called and how its learners reach the people behind it.
import { z } from "zod";
import { emailSchema } from "@/server/accounts/credentials";

const instanceNameSchema = z
  .string()
  .trim()
  .min(2, "Give your instance a name of at least 2 characters.")
  .max(80, "Use at most 80 characters for the name.");

const privacyPolicyUrlSchema = z
  .string()
  .trim()
  .max(2000, "That address is too long.")
  .refine((value) => {
    try {
      return new URL(value).protocol === "https:";
    } catch {
      return false;
    }
  }, "Enter the full address of your privacy policy, starting with https://.")
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.hostname.includes(".") && !url.username && !url.password;
    } catch {
      return false;
    }
  }, "Enter the full address of your privacy policy, starting with https://.");

export const instanceProfileInput = z.object({
  name: instanceNameSchema,
  contactEmail: emailSchema,
  description: z.string().trim().max(500, "Keep the description under 500 characters.").default(""),
  privacyPolicyUrl: privacyPolicyUrlSchema,
});

export type InstanceProfileInput = z.infer<typeof instanceProfileInput>;
