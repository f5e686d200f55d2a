import { describe, expect, it } from "vitest";
import { subdomainSchema } from "./subdomain";

describe("subdomain rules", () => {
  it.each([
    ["acme", "acme"],
    ["ACME", "acme"],
    ["  acme-2  ", "acme-2"],
    ["a1b", "a1b"],
    ["school-of-arts", "school-of-arts"],
    ["x".repeat(40), "x".repeat(40)],
    ["123", "123"],
    ["studios-of-art", "studios-of-art"],
    ["my-studio-acme", "my-studio-acme"],
  ])("accepts %j as %j", (input, expected) => {
    expect(subdomainSchema.parse(input)).toBe(expected);
  });

  it.each([
    ["", "Choose a subdomain."],
    ["ab", "Use at least 3 characters."],
    ["x".repeat(41), "Use at most 40 characters."],
    ["-acme", "A subdomain cannot start or end with a hyphen."],
    ["acme-", "A subdomain cannot start or end with a hyphen."],
    ["ac--me", "Use single hyphens only."],
    ["ac_me", "Use only letters a–z, digits and hyphens."],
    ["ac.me", "Use only letters a–z, digits and hyphens."],
    ["écol", "Use only letters a–z, digits and hyphens."],
    ["ac me", "Use only letters a–z, digits and hyphens."],
    ["www", '"www" is reserved. Choose another subdomain.'],
    ["API", '"api" is reserved. Choose another subdomain.'],
    ["admin", '"admin" is reserved. Choose another subdomain.'],
    ["staff", '"staff" is reserved. Choose another subdomain.'],
    ["studio", '"studio" is reserved. Choose another subdomain.'],
    ["preview", '"preview" is reserved. Choose another subdomain.'],
    ["mail", '"mail" is reserved. Choose another subdomain.'],
    ["smtp", '"smtp" is reserved. Choose another subdomain.'],
    ["status", '"status" is reserved. Choose another subdomain.'],
    ["help", '"help" is reserved. Choose another subdomain.'],
    ["support", '"support" is reserved. Choose another subdomain.'],
    ["docs", '"docs" is reserved. Choose another subdomain.'],
    ["billing", '"billing" is reserved. Choose another subdomain.'],
    ["app", '"app" is reserved. Choose another subdomain.'],
    ["dashboard", '"dashboard" is reserved. Choose another subdomain.'],
    ["lyceum", '"lyceum" is reserved. Choose another subdomain.'],
    // Another instance's Studio, preview and apps names (studio-acme.<base> is acme's Studio).
    ["studio-acme", 'A subdomain cannot start with "studio-": those names belong to each instance\'s Studio, preview and apps.'],
    ["Preview-acme", 'A subdomain cannot start with "preview-": those names belong to each instance\'s Studio, preview and apps.'],
    ["apps-acme", 'A subdomain cannot start with "apps-": those names belong to each instance\'s Studio, preview and apps.'],
  ])("rejects %j: %s", (input, message) => {
    const result = subdomainSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(message);
  });
});
