// A real SMTP server on loopback that keeps what it receives, parsed: tests read emails from here.
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer } from "smtp-server";

export type CaughtEmail = { to: string[]; from: string; subject: string; text: string; html: string | null };

export async function startSmtpCatcher(
  options: { user?: string; password?: string; port?: number; onMessage?: (mail: CaughtEmail) => void } = {},
) {
  const received: CaughtEmail[] = [];
  const waiters: (() => void)[] = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ["STARTTLS"],
    authOptional: !options.user,
    onAuth(auth, _session, callback) {
      if (auth.username === options.user && auth.password === options.password) return callback(null, { user: auth.username });
      return callback(new Error("Invalid username or password"));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail: ParsedMail) => {
          const to = [mail.to].flat().flatMap((address) => address?.value.map((v) => v.address ?? "") ?? []);
          const caught: CaughtEmail = {
            to,
            from: mail.from?.text ?? "",
            subject: mail.subject ?? "",
            text: mail.text ?? "",
            html: typeof mail.html === "string" ? mail.html : null,
          };
          received.push(caught);
          options.onMessage?.(caught);
          waiters.splice(0).forEach((wake) => wake());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: options.user ? `smtp://${options.user}:${options.password}@127.0.0.1:${port}` : `smtp://127.0.0.1:${port}`,
    received,
    /** The first email to `to` whose subject matches, waiting for it to arrive. */
    async waitFor(to: string, subject: RegExp, timeoutMs = 20_000): Promise<CaughtEmail> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = received.find((mail) => mail.to.includes(to) && subject.test(mail.subject));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${subject} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
