// "Test connection" against a real SMTP server on loopback that accepts one account.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testSmtpConnection } from "@/server/mail/smtp-test";
import { startSmtpCatcher } from "./helpers/smtp-catcher";

let catcher: Awaited<ReturnType<typeof startSmtpCatcher>>;
beforeAll(async () => {
  catcher = await startSmtpCatcher({ user: "mailer", password: "right-password" });
});
afterAll(async () => {
  await catcher.close();
});

const attempt = (
  change: { host?: string; port?: number; tls?: "none" | "starttls" | "tls"; user?: string },
  password: string | null,
  options: { allowPrivateAddresses?: boolean } = {},
) =>
  testSmtpConnection({
    smtp: { host: "127.0.0.1", port: catcher.port, tls: "none", user: "mailer", ...change },
    password,
    from: { name: "Acme Academy", address: "courses@acme.example" },
    to: "owner@acme.example",
    timeoutMs: 3000,
    ...options,
  });

/** A port where nothing listens (taken, then released). */
async function closedPort() {
  const server = net.createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("testing a client's SMTP server", () => {
  it("connects, signs in with the right password and sends a test message", async () => {
    const result = await attempt({}, "right-password");
    expect(result).toEqual({ isOk: true, message: `Connected to 127.0.0.1:${catcher.port}, signed in and sent a test message to owner@acme.example.` });
    const mail = await catcher.waitFor("owner@acme.example", /test message from your mail server/);
    expect(mail.from).toContain("courses@acme.example");
  });

  it("says the password was refused", async () => {
    expect(await attempt({}, "wrong-password")).toEqual({
      isOk: false,
      stage: "auth",
      message: `The server at 127.0.0.1:${catcher.port} refused the user name or password.`,
    });
  });

  it("says when nothing answers on the port", async () => {
    const port = await closedPort();
    const result = await attempt({ port }, "right-password");
    expect(result).toMatchObject({ isOk: false, stage: "connect" });
    expect(result.message).toMatch(new RegExp(`^Could not connect to 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });

  it("says when TLS is asked of a server that does not speak it", async () => {
    const result = await attempt({ tls: "tls" }, "right-password");
    expect(result).toMatchObject({ isOk: false, stage: "tls" });
    expect(result.message).toMatch(/^The secure \(TLS\) connection to 127\.0\.0\.1:\d+ failed/);
  });

  it("says when STARTTLS is required but the server does not offer it", async () => {
    const result = await attempt({ tls: "starttls" }, "right-password");
    expect(result).toMatchObject({ isOk: false, stage: "tls" });
  });

  it("says when the server name does not resolve", async () => {
    const result = await attempt({ host: "no-such-mail-server.invalid" }, "right-password");
    expect(result).toEqual({
      isOk: false,
      stage: "dns",
      message: "The server name no-such-mail-server.invalid could not be found (DNS). Check the spelling.",
    });
  });
});

describe("testing an SMTP server that is not on the public internet", () => {
  const refusedWithout = { allowPrivateAddresses: false };

  it.each([
    ["127.0.0.1", "127.0.0.1 is not a public internet address (loopback)."],
    ["169.254.169.254", "169.254.169.254 is not a public internet address (link-local: cloud metadata)."],
    ["10.20.30.40", "10.20.30.40 is not a public internet address (a private network)."],
    ["::1", "::1 is not a public internet address (loopback)."],
    ["::ffff:127.0.0.1", "::ffff:127.0.0.1 is not a public internet address (loopback)."],
    ["fd00:ec2::254", "fd00:ec2::254 is not a public internet address (a private network (unique local))."],
  ])("refuses %s without connecting", async (host, message) => {
    const before = catcher.received.length;
    expect(await attempt({ host }, "right-password", refusedWithout)).toEqual({
      isOk: false,
      stage: "address",
      message: `${message} Lyceum connects only to mail servers on the public internet.`,
    });
    expect(catcher.received.length).toBe(before);
  });

  it("refuses a name that resolves to loopback", async () => {
    const result = await attempt({ host: "localhost" }, "right-password", refusedWithout);
    expect(result).toMatchObject({ isOk: false, stage: "address" });
    expect(result.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is not a public internet address \(loopback\)\./);
  });

  it("still says when a name does not resolve", async () => {
    expect(await attempt({ host: "no-such-mail-server.invalid" }, "right-password", refusedWithout)).toMatchObject({ isOk: false, stage: "dns" });
  });
});

describe("Test connection on the Email step", () => {
  it("allows 5 tests a minute per user, then says when to try again", async () => {
    const { apiAs } = await import("./helpers/accounts");
    const { makeVerifiedUser, ownSmtpValues, saveDraft } = await import("./helpers/registration");
    const [owner, other] = [await makeVerifiedUser(), await makeVerifiedUser()];
    const values = ownSmtpValues({ host: "127.0.0.1", port: catcher.port, tls: "none" }, "right-password");
    const id = await saveDraft(owner);
    for (let attempt = 1; attempt <= 5; attempt++) {
      expect(await apiAs(owner).registration.testEmail({ id, values })).toMatchObject({ isOk: true });
    }
    const refusal = apiAs(owner).registration.testEmail({ id, values });
    await expect(refusal).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
    const seconds = Number(/try again in (\d+) s\.$/.exec(((await refusal.catch((error: unknown) => error)) as Error).message)?.[1]);
    expect(seconds).toBeGreaterThanOrEqual(55);
    expect(seconds).toBeLessThanOrEqual(60);
    await expect(refusal).rejects.toThrow(/^Too many connection tests \(5 a minute\): try again in \d+ s\.$/);
    // The limit is the user's own.
    expect(await apiAs(other).registration.testEmail({ id: await saveDraft(other), values })).toMatchObject({ isOk: true });
  });

  it("uses the saved password for the server it was saved with, never for another user", async () => {
    const { apiAs } = await import("./helpers/accounts");
    const { makeVerifiedUser, ownSmtpValues, saveDraft } = await import("./helpers/registration");
    const owner = await makeVerifiedUser();
    const id = await saveDraft(owner);
    const api = apiAs(owner);
    const values = ownSmtpValues({ host: "127.0.0.1", port: catcher.port, tls: "none" }, "right-password");
    await api.registration.saveEmail({ id, values });
    expect(await api.registration.testEmail({ id, values: { ...values, password: "" } })).toMatchObject({ isOk: true });
    expect(await api.registration.testEmail({ id, values: { ...values, smtp: { ...values.smtp, user: "someone-else" }, password: "" } })).toMatchObject({
      isOk: false,
      stage: "auth",
    });
  });
});
