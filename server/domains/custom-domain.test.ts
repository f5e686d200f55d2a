import { describe, expect, it } from "vitest";
import { parseCustomDomain } from "./custom-domain";
import { displayDomain } from "./display";

const base = "lyceum.example";

describe("custom domains", () => {
  it.each([
    ["learn.school.org", "learn.school.org"],
    ["LEARN.School.ORG", "learn.school.org"],
    ["learn.school.org.", "learn.school.org"],
    ["  school.org ", "school.org"],
    ["münchen.de", "xn--mnchen-3ya.de"],
    ["écolé.example", "xn--col-9lad.example"],
    ["学校.中国", "xn--48s290a.xn--fiqs8s"],
    ["xn--mnchen-3ya.de", "xn--mnchen-3ya.de"],
    [`${"a".repeat(63)}.example`, `${"a".repeat(63)}.example`],
    ["my-school.co.uk", "my-school.co.uk"],
  ])("accepts %j, stored as %j", (input, ascii) => {
    expect(parseCustomDomain(input, base)).toEqual({ domain: ascii });
  });

  it.each([
    ["", "Enter a domain name, like learn.school.org."],
    ["https://learn.school.org", "Enter only the domain name, without http:// or a path."],
    ["learn.school.org/courses", "Enter only the domain name, without http:// or a path."],
    ["learn school.org", "A domain name cannot contain spaces."],
    ["localhost", "Enter a full domain name with a dot, like learn.school.org."],
    ["learn..school.org", "A domain name cannot contain two dots in a row."],
    [`${"a".repeat(64)}.example`, "Each part between dots can be at most 63 characters long."],
    [`${"a.".repeat(127)}example`, "A domain name can be at most 253 characters long."],
    ["learn_school.org", "Use only letters, digits and hyphens between the dots."],
    ["-learn.school.org", "A part between dots cannot start or end with a hyphen."],
    ["learn-.school.org", "A part between dots cannot start or end with a hyphen."],
    ["10.0.0.1", "Enter a domain name, not an IP address."],
    ["user@school.org", "That is not a valid domain name."],
    ["lyceum.example", "Names under lyceum.example are provided by Lyceum: use your subdomain for those, or a domain of your own."],
    ["acme.lyceum.example", "Names under lyceum.example are provided by Lyceum: use your subdomain for those, or a domain of your own."],
    ["ACME.Lyceum.Example", "Names under lyceum.example are provided by Lyceum: use your subdomain for those, or a domain of your own."],
  ])("rejects %j: %s", (input, problem) => {
    expect(parseCustomDomain(input, base)).toEqual({ problem });
  });

  it("shows a stored punycode name in Unicode", () => {
    expect(displayDomain("xn--mnchen-3ya.de")).toBe("münchen.de");
    expect(displayDomain("learn.school.org")).toBe("learn.school.org");
  });
});
