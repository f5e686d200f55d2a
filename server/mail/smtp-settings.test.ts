import { describe, expect, it } from "vitest";
import { fieldErrorsOf } from "@/server/forms/field-errors";
import { emailSettingsInput } from "./smtp-settings";

const own = { senderName: "Acme", senderAddress: "courses@acme.example", relay: "own" as const, password: "pw" };
const smtp = { host: "smtp.acme.example", port: "587", tls: "starttls", user: "mailer" };

describe("email settings", () => {
  it("accepts the platform relay with a sender", () => {
    expect(emailSettingsInput.parse({ senderName: "Acme", senderAddress: "Courses@Acme.example", relay: "platform" })).toEqual({
      settings: { relay: "platform", senderName: "Acme", senderAddress: "courses@acme.example" },
      password: "",
    });
  });

  it.each([
    [{ host: "SMTP.Acme.Example" }, { host: "smtp.acme.example" }],
    [{ host: "192.0.2.10" }, { host: "192.0.2.10" }],
    [{ port: "465", tls: "tls" }, { port: 465, tls: "tls" }],
    [{ port: 25, tls: "none", user: "" }, { port: 25, tls: "none", user: "" }],
  ])("accepts own SMTP %j", (change, expected) => {
    const parsed = emailSettingsInput.parse({ ...own, smtp: { ...smtp, ...change } });
    expect(parsed.settings).toMatchObject({ relay: "own", smtp: expected });
  });

  it.each([
    [{ host: "" }, "smtp.host", "Enter your mail server's name, like smtp.school.org."],
    [{ host: "smtp acme" }, "smtp.host", "Enter a server name like smtp.school.org, or an IP address."],
    [{ host: "-smtp.acme.example" }, "smtp.host", "Enter a server name like smtp.school.org, or an IP address."],
    [{ port: "abc" }, "smtp.port", "Enter a port number, like 587."],
    [{ port: "0" }, "smtp.port", "A port is a number from 1 to 65535."],
    [{ port: "70000" }, "smtp.port", "A port is a number from 1 to 65535."],
    [{ port: "58.7" }, "smtp.port", "Enter a whole port number, like 587."],
    [{ tls: "ssl3" }, "smtp.tls", "Choose how the connection is encrypted."],
  ])("rejects own SMTP %j next to %s", (change, field, message) => {
    const result = emailSettingsInput.safeParse({ ...own, smtp: { ...smtp, ...change } });
    expect(result.success).toBe(false);
    expect(fieldErrorsOf(result.error!)).toEqual({ [field]: [message] });
  });

  it.each([
    [{ senderName: "" }, "senderName", "Enter the name your emails come from."],
    [{ senderAddress: "not mail" }, "senderAddress", "Enter a valid email address, like name@school.org."],
    [{ relay: "carrier-pigeon" }, "relay", "Choose which server sends your emails."],
  ])("rejects %j next to %s", (change, field, message) => {
    const result = emailSettingsInput.safeParse({ senderName: "Acme", senderAddress: "a@acme.example", relay: "platform", ...change });
    expect(fieldErrorsOf(result.error!)).toEqual({ [field]: [message] });
  });
});
