// A client picks an ordinary word as its SMTP password. Every secret Lyceum seals is scrubbed from logs and
// events, so with one process-wide list that word vanished from every tenant's event log and from every log
// line the operators read. A client's secrets are now scrubbed only from what concerns its own instance.
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const { db, closeDb } = await import("@/db");
const { env } = await import("@/server/env");
const { appendInstanceEvent, eventsAfter } = await import("@/server/instances/events");
const { withLogContext } = await import("@/server/observability/log-context");
const { logger, setLogDestination } = await import("@/server/observability/logger");
const { apiAs } = await import("../helpers/accounts");
const { makeVerifiedUser, ownSmtpValues, saveDraft } = await import("../helpers/registration");

// An ordinary word, long enough to count as a secret.
const WORD = "provisioning";
const lines: string[] = [];

beforeAll(() => {
  setLogDestination(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(...chunk.toString().split("\n").filter(Boolean));
        done();
      },
    }),
  );
});

afterAll(async () => {
  setLogDestination(null);
  await closeDb();
});

const logAbout = (instanceId: string, message: string) => {
  lines.length = 0;
  withLogContext({ instanceId }, () => logger().error(message));
  return JSON.parse(lines.at(-1)!) as { msg: string; instanceId: string };
};

const lastEventMessage = async (instanceId: string, message: string) => {
  await appendInstanceEvent(db, { instanceId, kind: "log", message });
  return (await eventsAfter(db, instanceId, 0)).at(-1)!.message;
};

describe("a client's SMTP password blanking words from other tenants' logs", () => {
  it("scrubs the password from its own instance's log lines and events, and from no one else's", async () => {
    const attacker = await makeVerifiedUser();
    const attackerInstance = await saveDraft(attacker);
    // Saving seals the password, which is how this process learns it is a secret.
    await apiAs(attacker).registration.saveEmail({ id: attackerInstance, values: ownSmtpValues({ host: "smtp.attacker.example", port: 587 }, WORD) });
    const victimInstance = await saveDraft(await makeVerifiedUser());

    expect(logAbout(victimInstance, `${WORD} started`).msg).toBe(`${WORD} started`);
    expect(await lastEventMessage(victimInstance, `Started ${WORD} your site`)).toBe(`Started ${WORD} your site`);
    // A line about no instance at all (the platform's own work) keeps its words too.
    lines.length = 0;
    logger().error(`${WORD} queue is empty`);
    expect(JSON.parse(lines.at(-1)!).msg).toBe(`${WORD} queue is empty`);

    // Not vacuous: the attacker's own instance is still scrubbed of its password.
    expect(logAbout(attackerInstance, `login with ${WORD} failed`).msg).toBe("login with [redacted] failed");
    expect(await lastEventMessage(attackerInstance, `login with ${WORD} failed`)).toBe("login with [redacted] failed");
  });

  it("still scrubs the platform's own secrets from every tenant's log lines", async () => {
    const instance = await saveDraft(await makeVerifiedUser());
    const { AUTH_SECRET } = env();
    expect(logAbout(instance, `signing with ${AUTH_SECRET}`).msg).toBe("signing with [redacted]");
  });
});
