import { describe, expect, it } from "vitest";
import { allowedSenders, isAllowedSender } from "./senders";

const instance = {
  emailSettings: { relay: "platform" as const, senderName: "Alpha", senderAddress: "Courses@Alpha.example" },
  contactEmail: "owner@mail.example",
  subdomain: "alpha",
  customDomain: "learn.alpha.example",
  customDomainStatus: "pending" as const,
};

describe("the senders an instance may use on the mail relay", () => {
  it("allows its configured sender and contact address, and any address at its own hostnames", () => {
    const allowed = allowedSenders(instance, "lyceum.example");
    for (const address of ["courses@alpha.example", "COURSES@ALPHA.EXAMPLE", "owner@mail.example", "no-reply@alpha.lyceum.example", "x@studio-alpha.lyceum.example"]) {
      expect(isAllowedSender(allowed, address)).toBe(true);
    }
  });

  it("refuses other addresses at its sender's domain, other instances' hostnames and an unverified custom domain", () => {
    const allowed = allowedSenders(instance, "lyceum.example");
    for (const address of ["ceo@alpha.example", "no-reply@beta.lyceum.example", "no-reply@lyceum.example", "no-reply@learn.alpha.example", "", "no-at-sign"]) {
      expect(isAllowedSender(allowed, address)).toBe(false);
    }
    const verified = allowedSenders({ ...instance, customDomainStatus: "verified" }, "lyceum.example");
    expect(isAllowedSender(verified, "no-reply@learn.alpha.example")).toBe(true);
  });

  it("allows its nested names only while it still serves them", () => {
    expect(isAllowedSender(allowedSenders(instance, "lyceum.example"), "x@studio.alpha.lyceum.example")).toBe(false);
    expect(isAllowedSender(allowedSenders({ ...instance, hasNestedHostnames: true }, "lyceum.example"), "x@studio.alpha.lyceum.example")).toBe(true);
  });
});
