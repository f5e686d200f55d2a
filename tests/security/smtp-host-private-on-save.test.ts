// A client saves its own SMTP server as an address inside our network (loopback, the cloud metadata service, a
// private range, or a name that resolves to one) and never presses "Test connection", the only place that
// checked. Its deployed site would then connect there. Saving refuses such a host now.
import type { TRPCError } from "@trpc/server";
import { afterAll, describe, expect, it } from "vitest";
import type { ZodError } from "zod";
import { startDnsServer } from "../helpers/dns-server";

// A real DNS server on loopback answers for the names below; the switch tests otherwise set is off.
const dns = await startDnsServer({ records: { "mail.inside.example": { A: ["10.20.30.40"] }, "mail.public.example": { A: ["93.184.215.14"] } } });
process.env.LYCEUM_DNS_RESOLVER = dns.address;
process.env.LYCEUM_ALLOW_PRIVATE_SMTP = "0";

const { closeDb } = await import("@/db");
const { fieldErrorsOf } = await import("@/server/forms/field-errors");
const { apiAs } = await import("../helpers/accounts");
const { makeVerifiedUser, ownSmtpValues, saveDraft } = await import("../helpers/registration");

afterAll(async () => {
  dns.close();
  await closeDb();
});

/** The error that saving `host` as the instance's own SMTP server ends with, or null when it is saved. */
async function saveHost(host: string) {
  const owner = await makeVerifiedUser();
  const id = await saveDraft(owner);
  try {
    await apiAs(owner).registration.saveEmail({ id, values: ownSmtpValues({ host, port: 587 }, "a-mailer-password") });
    return null;
  } catch (error) {
    return error as TRPCError;
  }
}

describe("saving an own SMTP server inside Lyceum's network", () => {
  it.each([
    ["127.0.0.1", "127.0.0.1 is not a public internet address (loopback)."],
    ["169.254.169.254", "169.254.169.254 is not a public internet address (link-local: cloud metadata)."],
    ["mail.inside.example", "mail.inside.example resolves to 10.20.30.40, which is not a public internet address (a private network)."],
  ])("refuses %s with an error on the server field", async (host, reason) => {
    const error = await saveHost(host);
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect(fieldErrorsOf(error!.cause as ZodError)).toEqual({ "smtp.host": [`${reason} Lyceum sends mail only through servers on the public internet.`] });
  });

  it("refuses a name that does not resolve, saying so", async () => {
    const error = await saveHost("no-such-mail.inside.example");
    expect(error).toMatchObject({ code: "BAD_REQUEST" });
    expect(fieldErrorsOf(error!.cause as ZodError)).toEqual({ "smtp.host": ["The server name no-such-mail.inside.example could not be found (DNS). Check the spelling."] });
  });

  it("saves a server on a public address", async () => {
    expect(await saveHost("mail.public.example")).toBeNull();
  });
});
