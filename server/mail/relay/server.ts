// The instance mail relay: an SMTP submission server Lyceum runs for the instances on "Lyceum relay" mail. Each
// instance signs in with its own credential (./credentials.ts), may send only as its own senders (./senders.ts),
// within a per-instance recipient budget, and what it sends is forwarded through the platform's relay
// (LYCEUM_SMTP_URL). The platform relay's password stays here: a compromised VM can leak only its own token,
// which deprovisioning revokes.
import { eq } from "drizzle-orm";
import nodemailer from "nodemailer";
import addressparser from "nodemailer/lib/addressparser";
import { SMTPServer, type SMTPServerSession } from "smtp-server";
import type { Queryable } from "@/db";
import { instances } from "@/db/schema";
import { logger } from "@/server/observability/logger";
import { consumeRateLimit } from "@/server/rate-limit/consume";
import { authenticateRelayUser } from "./credentials";
import { allowedSenders, isAllowedSender } from "./senders";

/** Open edX mail is small; attachments beyond this belong in the course's files, not in email. */
const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const HOUR_MS = 3_600_000;

type MailRelayOptions = {
  db: Queryable;
  host: string;
  /** 0: any free port (tests). */
  port: number;
  /** Where accepted mail goes: smtp://user:pass@host:port or smtps://… */
  platformSmtpUrl: string;
  /** Instances' sender domains are their hostnames under this base domain (and their verified custom domain). */
  baseDomain: string;
  recipientsPerHour: number;
  /** PEM certificate and key: STARTTLS is offered and required before AUTH. Without them, plain SMTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
};

type MailRelay = { host: string; port: number; close(): Promise<void> };

type Signed = { instanceId: string; username: string };

/** A refusal the SMTP client sees with its code ("550 5.7.1 …"): 4xx may be retried, 5xx may not. */
function refusal(code: number, message: string) {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startMailRelay(options: MailRelayOptions): Promise<MailRelay> {
  const log = logger().child({ service: "mail-relay" });
  const platform = nodemailer.createTransport(options.platformSmtpUrl);
  const signedOf = (session: SMTPServerSession) => session.user as Signed | undefined;

  const server = new SMTPServer({
    name: options.host,
    banner: "Lyceum instance mail relay",
    secure: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { disabledCommands: ["STARTTLS"] }),
    // With a certificate, a password never crosses the network in clear: AUTH needs STARTTLS first.
    allowInsecureAuth: !options.tls,
    authMethods: ["PLAIN", "LOGIN"],
    size: MAX_MESSAGE_BYTES,
    // smtp-server logs every command (AUTH included) when given a logger; ours go through pino instead.
    logger: false,

    onAuth(auth, session, callback) {
      const username = auth.username ?? "";
      authenticateRelayUser(options.db, username, auth.password ?? "")
        .then((found) => {
          if (!found) {
            log.warn({ username, remoteAddress: session.remoteAddress }, "refused a relay sign-in");
            return callback(refusal(535, "5.7.8 Authentication credentials invalid"));
          }
          callback(null, { user: { instanceId: found.instanceId, username } satisfies Signed });
        })
        .catch((error: Error) => callback(refusal(454, `4.7.0 Temporary authentication failure: ${error.message}`)));
    },

    onMailFrom(address, session, callback) {
      const signed = signedOf(session)!;
      sendersOf(options, signed.instanceId)
        .then((allowed) => {
          if (!allowed || !isAllowedSender(allowed, address.address)) {
            log.warn({ instanceId: signed.instanceId, sender: address.address }, "refused a sender the instance does not own");
            return callback(refusal(553, `5.7.1 ${signed.username} may not send as <${address.address}>: not this instance's sender or domain`));
          }
          callback();
        })
        .catch((error: Error) => callback(refusal(451, `4.3.0 ${error.message}`)));
    },

    onRcptTo(_address, session, callback) {
      const signed = signedOf(session)!;
      consumeRateLimit({ key: `mail-relay:${signed.instanceId}`, limit: options.recipientsPerHour, windowMs: HOUR_MS }, options.db)
        .then((verdict) => {
          if (verdict.isAllowed) return callback();
          log.warn({ instanceId: signed.instanceId }, "instance reached its hourly recipient limit on the relay");
          callback(refusal(450, `4.7.1 ${signed.username} reached its limit of ${options.recipientsPerHour} recipients an hour: try again in ${verdict.retryAfterSeconds} s`));
        })
        .catch((error: Error) => callback(refusal(451, `4.3.0 ${error.message}`)));
    },

    onData(stream, session, callback) {
      const signed = signedOf(session)!;
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("error", (error: Error) => callback(error));
      stream.on("end", () => {
        void (async () => {
          if ((stream as typeof stream & { sizeExceeded?: boolean }).sizeExceeded) {
            return callback(refusal(552, `5.3.4 Message larger than ${MAX_MESSAGE_BYTES} bytes`));
          }
          const raw = Buffer.concat(chunks);
          // The envelope sender was checked at MAIL FROM; what readers see is the From (and Sender) header.
          const shown = headerAddresses(raw, ["from", "sender"]);
          const allowed = await sendersOf(options, signed.instanceId);
          const foreign = shown.find((address) => !allowed || !isAllowedSender(allowed, address));
          if (shown.length === 0 || foreign !== undefined) {
            log.warn({ instanceId: signed.instanceId, sender: foreign ?? null }, "refused a message whose From header is not the instance's");
            return callback(refusal(550, `5.7.1 ${foreign ? `the From header <${foreign}> is not this instance's sender or domain` : "the message has no From header"}`));
          }
          const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : "";
          const to = session.envelope.rcptTo.map((recipient) => recipient.address);
          try {
            await platform.sendMail({ envelope: { from, to }, raw });
          } catch (error) {
            log.error({ instanceId: signed.instanceId, err: error }, "the platform relay did not take a message");
            return callback(refusal(451, "4.4.0 The platform relay did not accept the message; try again later"));
          }
          log.info({ instanceId: signed.instanceId, recipients: to.length }, "relayed a message");
          callback();
        })().catch((error: Error) => callback(refusal(451, `4.3.0 ${error.message}`)));
      });
    },
  });

  server.on("error", (error) => log.error({ err: error }, "mail relay connection error"));
  await new Promise<void>((resolve, reject) => {
    server.server.once("error", reject);
    server.listen(options.port, options.host, () => {
      server.server.off("error", reject);
      resolve();
    });
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    host: options.host,
    port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      platform.close();
    },
  };
}

/** The instance's senders as they are now (its settings may have changed since it signed in); null if it is gone. */
async function sendersOf(options: Pick<MailRelayOptions, "db" | "baseDomain">, instanceId: string) {
  const [instance] = await options.db.select().from(instances).where(eq(instances.id, instanceId));
  return instance ? allowedSenders(instance, options.baseDomain) : null;
}

/** Every address in the named header fields of a raw message (folded lines joined, as RFC 5322 unfolds them). */
function headerAddresses(raw: Buffer, fields: string[]): string[] {
  const text = raw.toString("utf8");
  const end = text.search(/\r?\n\r?\n/);
  const header = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, " ");
  return header
    .split(/\r?\n/)
    .flatMap((line) => {
      const match = /^([^:\s]+)\s*:(.*)$/.exec(line);
      return match && fields.includes(match[1]!.toLowerCase()) ? addressparser(match[2]!, { flatten: true }) : [];
    })
    .map((parsed) => parsed.address)
    .filter((address): address is string => Boolean(address));
}
