// Changing a running instance: edits are a draft compared with what is deployed; Apply runs the reconfigure
// pipeline on a real worker and the running local site changes; a second Apply is refused; a queued change
// can be cancelled.
import { and, eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { isolatedDatabase } from "./helpers/isolated-database";

await isolatedDatabase();

const { db, closeDb } = await import("@/db");
const { deployments, instanceOperations, instances } = await import("@/db/schema");
const { startWorker } = await import("@/jobs/start-worker");
const { createLocalComputeDriver } = await import("@/server/infra/compute/local");
const { apiAs, uniqueSuffix } = await import("./helpers/accounts");
const { GOOD_BRANDING, makeVerifiedUser, registerInstance } = await import("./helpers/registration");
const { checkoutAtStripe, deliver } = await import("./helpers/billing");
const { eventually } = await import("./helpers/waiting");
const { makePng } = await import("./helpers/sample-images");
const { uploadBrandingImage } = await import("@/server/branding/uploads");

let worker: Awaited<ReturnType<typeof startWorker>> | null = null;

afterAll(async () => {
  await worker?.stop();
  const compute = createLocalComputeDriver(process.env.LYCEUM_STATE_DIR!);
  for (const server of await compute.listServers()) await compute.destroyServer(server.serverId);
  await closeDb();
});

async function siteAddress(instanceId: string) {
  const row = await db.query.instances.findFirst({ where: eq(instances.id, instanceId) });
  const deployment = await db.query.deployments.findFirst({ where: eq(deployments.id, row!.activeDeploymentId!) });
  return deployment!.address!;
}

describe("changing a running instance", () => {
  it("keeps edits as a draft, applies them to the running site, refuses a second Apply and cancels a queued one", async () => {
    worker = await startWorker({ concurrency: 2, quiet: true });
    const owner = await makeVerifiedUser();
    const api = apiAs(owner);
    const instance = await registerInstance(owner, { name: "Themed Academy", subdomain: `theme-${uniqueSuffix()}` });
    await deliver(await checkoutAtStripe(instance, owner));
    await eventually(async () => {
      const row = await db.query.instances.findFirst({ where: eq(instances.id, instance.id) });
      return row?.status === "running" ? row : undefined;
    }, 60_000, "the instance to run");
    const address = await siteAddress(instance.id);
    const before = await fetch(`http://${address}/`).then((r) => r.text());
    expect(before).toContain(`background: ${GOOD_BRANDING.headerBackground}`);
    expect((await api.settings.comparison({ id: instance.id })).differences).toEqual([]);

    const pages = { ...GOOD_BRANDING.pages, about: { isVisible: true, markdown: "# About us\n\n<script>alert(1)</script> We teach." } };
    await api.registration.saveBranding({ id: instance.id, values: { ...GOOD_BRANDING, headerBackground: "#7c2d12", pages } });
    const upload = await uploadBrandingImage(owner, instance.id, "logo", new Blob([makePng(120, 40)]));
    const logoSha = (upload.body as { sha256: string }).sha256;
    const { differences } = await api.settings.comparison({ id: instance.id });
    expect(differences).toEqual(
      expect.arrayContaining([
        { field: "Header background", deployed: "#1e3a8a", draft: "#7c2d12" },
        { field: "About page shown", deployed: "no", draft: "yes" },
        { field: "Logo", deployed: "—", draft: `image ${logoSha.slice(0, 8)}` },
      ]),
    );
    // Nothing changed on the site yet: it is a draft.
    expect(await fetch(`http://${address}/`).then((r) => r.text())).toContain("background: #1e3a8a");

    // With no worker running, a change stays queued: a second Apply is refused, and the queued one cancelled.
    await worker.stop();
    worker = null;
    const { operationId } = await api.settings.applyChanges({ id: instance.id });
    await expect(api.settings.applyChanges({ id: instance.id })).rejects.toMatchObject({
      code: "CONFLICT",
      message: "Your previous changes are still being applied. Wait for them to finish, or cancel them, before applying again.",
    });
    expect(await api.settings.cancelChange({ id: instance.id })).toEqual({ outcome: "cancelled" });
    expect(await db.query.instanceOperations.findFirst({ where: eq(instanceOperations.id, operationId) })).toMatchObject({ status: "cancelled" });
    expect((await api.settings.comparison({ id: instance.id })).activeOperation).toBeNull();

    worker = await startWorker({ concurrency: 2, quiet: true });
    const applied = await api.settings.applyChanges({ id: instance.id });
    await eventually(async () => {
      const operation = await db.query.instanceOperations.findFirst({
        where: and(eq(instanceOperations.id, applied.operationId), eq(instanceOperations.status, "succeeded")),
      });
      return operation ?? undefined;
    }, 60_000, "the reconfigure operation");
    expect(await siteAddress(instance.id)).toBe(address); // the same server, reconfigured in place
    const after = await fetch(`http://${address}/`).then((r) => r.text());
    expect(after).toContain("background: #7c2d12");
    expect(after).toContain(`/api/assets/${instance.id}/logo?v=${logoSha}`);
    const about = await fetch(`http://${address}/about`).then((r) => r.text());
    expect(about).toContain("<h1>About us</h1>");
    expect(about).not.toContain("<script>alert");
    expect((await api.settings.comparison({ id: instance.id })).differences).toEqual([]);
  });
});
