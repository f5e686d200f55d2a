import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "@/server/forms/field-errors";
import { instanceProfileInput } from "./profile";

const good = { name: "Acme Academy", contactEmail: "hello@acme.example", description: "", privacyPolicyUrl: "https://acme.example/privacy" };

describe("the Instance step", () => {
  it("accepts a complete profile", () => {
    expect(instanceProfileInput.parse({ ...good, contactEmail: "Hello@Acme.example" })).toEqual({ ...good, contactEmail: "hello@acme.example" });
  });

  it.each([
    [{ name: "A" }, "name", "Give your instance a name of at least 2 characters."],
    [{ name: "x".repeat(81) }, "name", "Use at most 80 characters for the name."],
    [{ contactEmail: "" }, "contactEmail", "Enter your email address."],
    [{ contactEmail: "hello" }, "contactEmail", "Enter a valid email address, like name@school.org."],
    [{ description: "x".repeat(501) }, "description", "Keep the description under 500 characters."],
    [{ privacyPolicyUrl: "http://acme.example/privacy" }, "privacyPolicyUrl", "Enter the full address of your privacy policy, starting with https://."],
    [{ privacyPolicyUrl: "acme.example/privacy" }, "privacyPolicyUrl", "Enter the full address of your privacy policy, starting with https://."],
    [{ privacyPolicyUrl: "javascript:alert(1)" }, "privacyPolicyUrl", "Enter the full address of your privacy policy, starting with https://."],
    [{ privacyPolicyUrl: "https://localhost/privacy" }, "privacyPolicyUrl", "Enter the full address of your privacy policy, starting with https://."],
  ])("rejects %j next to %s", (change, field, message) => {
    const result = instanceProfileInput.safeParse({ ...good, ...change });
    expect(fieldErrorsOf(result.error!)[field]?.[0]).toBe(message);
  });
});
