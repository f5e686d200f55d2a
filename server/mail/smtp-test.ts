// "Test connection": really connects to the client's SMTP server, authenticates (nodemailer's verify) and
// sends a test message, and says which stage failed — address, DNS, connect, TLS or authentication — in plain
// words. The server must be on the public internet (unless LYCEUM_ALLOW_PRIVATE_SMTP=1): the test runs from
// inside our network, and must not become a way to probe it or the cloud metadata service.
import net from "node:net";
import nodemailer from "nodemailer";
import { env } from "@/server/env";
import { NonPublicAddressError, resolvePublicAddresses } from "@/server/net/public-address";
import type { OwnSmtp } from "./smtp-settings";

type SmtpTestResult =
  | { isOk: true; message: string }
  | { isOk: false; stage: "address" | "dns" | "connect" | "tls" | "auth" | "send"; message: string };

type SmtpError = Error & { code?: string; command?: string; responseCode?: number; reason?: string };

/** Which stage an error from nodemailer (or the socket below it) belongs to. */
function classifySmtpError(error: SmtpError, smtp: Pick<OwnSmtp, "host" | "port">): Exclude<SmtpTestResult, { isOk: true }> {
  const code = error.code ?? "";
  const text = `${error.message} ${error.reason ?? ""}`;
  const where = `${smtp.host}:${smtp.port}`;
  if (code === "EDNS" || /ENOTFOUND|EAI_AGAIN|getaddrinfo/.test(text)) {
    return { isOk: false, stage: "dns", message: `The server name ${smtp.host} could not be found (DNS). Check the spelling.` };
  }
  if (code === "EAUTH" || error.responseCode === 535 || error.command === "AUTH PLAIN" || error.command === "AUTH LOGIN") {
    return { isOk: false, stage: "auth", message: `The server at ${where} refused the user name or password.` };
  }
  if (code === "ETLS" || /TLS|SSL|certificate|wrong version number|EPROTO|self[- ]signed/i.test(text)) {
    return { isOk: false, stage: "tls", message: `The secure (TLS) connection to ${where} failed: ${error.message}. Check the encryption setting and the port.` };
  }
  if (code === "ECONNECTION" || code === "ETIMEDOUT" || code === "ESOCKET" || /ECONNREFUSED|ECONNRESET|EHOSTUNREACH|timeout/i.test(text)) {
    return { isOk: false, stage: "connect", message: `Could not connect to ${where}: ${error.message}. Check the server name and port.` };
  }
  return { isOk: false, stage: "send", message: `The server at ${where} answered with an error: ${error.message}` };
}

export async function testSmtpConnection(input: {
  smtp: OwnSmtp;
  password: string | null;
  from: { name: string; address: string };
  to: string;
  timeoutMs?: number;
  /** Default: LYCEUM_ALLOW_PRIVATE_SMTP. */
  allowPrivateAddresses?: boolean;
}): Promise<SmtpTestResult> {
  const { smtp } = input;
  const timeoutMs = input.timeoutMs ?? 10_000;
  let address = smtp.host;
  if (!(input.allowPrivateAddresses ?? env().LYCEUM_ALLOW_PRIVATE_SMTP)) {
    try {
      // Connect to the address that was checked, not to the name (which could resolve elsewhere a moment later).
      [address] = (await resolvePublicAddresses(smtp.host)) as [string];
    } catch (error) {
      if (!(error instanceof NonPublicAddressError)) return classifySmtpError(error as SmtpError, smtp);
      return { isOk: false, stage: "address", message: `${error.message} Lyceum connects only to mail servers on the public internet.` };
    }
  }
  const transport = nodemailer.createTransport({
    host: address,
    // The certificate is checked against the name the client gave, also when we connect by address.
    tls: net.isIP(smtp.host) ? undefined : { servername: smtp.host },
    port: smtp.port,
    secure: smtp.tls === "tls",
    requireTLS: smtp.tls === "starttls",
    ignoreTLS: smtp.tls === "none",
    auth: smtp.user ? { user: smtp.user, pass: input.password ?? "" } : undefined,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  try {
    await transport.verify();
    await transport.sendMail({
      from: { name: input.from.name, address: input.from.address },
      to: input.to,
      subject: "Lyceum: test message from your mail server",
      text: `This message was sent through ${smtp.host}:${smtp.port} to check your instance's email settings. They work.`,
    });
    return { isOk: true, message: `Connected to ${smtp.host}:${smtp.port}, signed in and sent a test message to ${input.to}.` };
  } catch (error) {
    return classifySmtpError(error as SmtpError, smtp);
  } finally {
    transport.close();
  }
}
