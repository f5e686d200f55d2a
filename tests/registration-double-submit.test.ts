import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { db } from "@/db";
import { instanceEvents, instances } from "@/db/schema";
import { apiAs } from "./helpers/accounts";
import { makeVerifiedUser } from "./helpers/registration";

const profile = (email: string, name = "Acme Academy") => ({
  name,
  contactEmail: email,
  description: "",
  privacyPolicyUrl: "https://acme.example/privacy",
});

const draftsOf = (ownerId: string) => db.select().from(instances).where(eq(instances.ownerId, ownerId));

describe("the wizard's first step, submitted more than once", () => {
  it("makes one draft of ten simultaneous submits with one key", async () => {
    const owner = await makeVerifiedUser();
    const creationKey = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => apiAs(owner).registration.saveInstance({ creationKey, values: profile(owner.email) })),
    );
    const drafts = await draftsOf(owner.id);
    expect(drafts).toHaveLength(1);
    expect(new Set(results.map((result) => result.id))).toEqual(new Set([drafts[0]!.id]));
    const events = await db.select().from(instanceEvents).where(eq(instanceEvents.instanceId, drafts[0]!.id));
    expect(events.filter((event) => event.message.startsWith("Registration of"))).toHaveLength(1);
  });

  it("saves a later submit with the same key over the draft the first one made", async () => {
    const owner = await makeVerifiedUser();
    const creationKey = randomUUID();
    const first = await apiAs(owner).registration.saveInstance({ creationKey, values: profile(owner.email) });
    const again = await apiAs(owner).registration.saveInstance({ creationKey, values: profile(owner.email, "Acme Academy, renamed") });
    expect(again.id).toBe(first.id);
    expect((await draftsOf(owner.id)).map((draft) => draft.name)).toEqual(["Acme Academy, renamed"]);
  });

  it("keeps keys per account: another account's key makes that account its own draft", async () => {
    const [first, second] = [await makeVerifiedUser(), await makeVerifiedUser()];
    const creationKey = randomUUID();
    const a = await apiAs(first).registration.saveInstance({ creationKey, values: profile(first.email) });
    const b = await apiAs(second).registration.saveInstance({ creationKey, values: profile(second.email) });
    expect(b.id).not.toBe(a.id);
    expect(await draftsOf(second.id)).toHaveLength(1);
    expect((await draftsOf(first.id))[0]).toMatchObject({ id: a.id, name: "Acme Academy" });
  });

  it("makes a new draft for each new key (a new wizard session)", async () => {
    const owner = await makeVerifiedUser();
    await apiAs(owner).registration.saveInstance({ creationKey: randomUUID(), values: profile(owner.email) });
    await apiAs(owner).registration.saveInstance({ creationKey: randomUUID(), values: profile(owner.email) });
    expect(await draftsOf(owner.id)).toHaveLength(2);
  });
});
