// A client's own SMTP password reaches the deployment sealed: the config step puts the server and user in the
// deployment's config and the password only in its sealed secrets, and the application server gets it merged in.
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";

const { db, closeDb } = await import("@/db");
const { deployments, instances } = await import("@/db/schema");
const { renderDeploymentConfig } = await import("@/jobs/steps/deployment");
const { sealedCells } = await import("@/server/crypto/sealed-cells");
const { decryptJson, encryptSecret } = await import("@/server/crypto/secrets");
const { env } = await import("@/server/env");
const { ledgerFor } = await import("@/server/instances/ledger");
const { startOperation } = await import("@/server/instances/operations");
const { siteConfigOf } = await import("@/server/instances/service-config");
const { createInstance, makeVerifiedUser } = await import("./helpers/registration");
const { uniqueSuffix } = await import("./helpers/accounts");

type Infrastructure = import("@/server/infra").Infrastructure;

afterAll(async () => {
  await closeDb();
});

describe("the client's own SMTP password in a deployment", () => {
  it("is sealed in the deployment's secrets, never in its config, and merged in for the server", async () => {
    const password = `smtp-${uniqueSuffix()}-Pa55word`;
    const owner = await makeVerifiedUser();
    const created = await createInstance(owner.id, { name: "Own Mail Academy", subdomain: `mail-${uniqueSuffix()}`, plan: "starter" });
    const [instance] = await db
      .update(instances)
      .set({
        emailSettings: {
          relay: "own",
          senderName: "Own Mail Academy",
          senderAddress: "courses@school.example",
          smtp: { host: "smtp.school.example", port: 587, tls: "starttls", user: "mailer" },
        },
        smtpPasswordSealed: encryptSecret(password, sealedCells.smtpPassword(created.id)),
      })
      .where(eq(instances.id, created.id))
      .returning();
    const operation = await startOperation(db, { instanceId: instance!.id, kind: "provision", initiator: "owner" });
    // The step reads only the object-storage settings and the compute driver's name from the drivers.
    const infra = { objectStorage: { settings: { endpoint: null, forcePathStyle: false } }, compute: { name: "local" } } as unknown as Infrastructure;

    await renderDeploymentConfig.run({
      instance: instance!,
      operation,
      signal: new AbortController().signal,
      ledger: ledgerFor(db, instance!.id),
      infra,
      env: env(),
      db,
      log: async () => {},
    });

    const deployment = await db.query.deployments.findFirst({ where: eq(deployments.operationId, operation.id) });
    expect(deployment?.config).toMatchObject({ services: { smtp: { host: "smtp.school.example", port: 587, tls: "starttls", username: "mailer" } } });
    expect(JSON.stringify(deployment?.config)).not.toContain(password);
    expect(deployment?.secrets).not.toContain(password);
    expect(decryptJson(deployment!.secrets!, sealedCells.deploymentSecrets(deployment!))).toEqual({ services: { smtp: { password } }, bootReport: { token: expect.any(String) } });
    expect(siteConfigOf(deployment!)).toMatchObject({ services: { smtp: { host: "smtp.school.example", username: "mailer", password } } });
  });
});
