import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { apiAs, makeUser, uniqueSuffix } from "./helpers/accounts";
import { makeVerifiedUser, registerInstance } from "./helpers/registration";

describe("who can see an instance", () => {
  it("shows an instance to its owner and to staff, and to no other client", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeUser();
    const staff = await makeUser("staff");
    const instance = await registerInstance(owner, { name: "Private", subdomain: `priv-${uniqueSuffix()}` });

    await expect(apiAs(owner).instances.byId({ id: instance.id })).resolves.toMatchObject({ instance: { id: instance.id } });
    await expect(apiAs(staff).instances.byId({ id: instance.id })).resolves.toMatchObject({ instance: { id: instance.id } });
    await expect(apiAs(stranger).instances.byId({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await apiAs(stranger).instances.mine()).map((i) => i.id)).not.toContain(instance.id);
  });

  it("lets only the owner start a checkout", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeUser();
    const instance = await registerInstance(owner, { name: "Pay", subdomain: `pay-${uniqueSuffix()}` });
    await expect(apiAs(stranger).instances.startCheckout({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(apiAs(owner).instances.startCheckout({ id: instance.id })).resolves.toEqual({ url: `/checkout/${instance.id}` });
  });

  it("refuses another client's live event stream", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeUser();
    const instance = await registerInstance(owner, { name: "Live", subdomain: `live-${uniqueSuffix()}` });
    // The access check runs before the stream starts; over SSE the refusal is the stream's first message either way.
    const firstEvent = apiAs(stranger)
      .instances.events({ id: instance.id })
      .then((stream) => stream[Symbol.asyncIterator]().next());
    await expect(firstEvent).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("answers another client's draft and a missing one alike, and lets staff edit neither", async () => {
    const owner = await makeVerifiedUser();
    const stranger = await makeUser();
    const staff = await makeUser("staff");
    const instance = await registerInstance(owner, { name: "Draft", subdomain: `draft-${uniqueSuffix()}` });
    const values = { name: "Taken over", contactEmail: stranger.email, description: "Mine now.", privacyPolicyUrl: "https://example.org/privacy" };
    for (const user of [stranger, staff]) {
      await expect(apiAs(user).registration.saveInstance({ id: instance.id, values })).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such instance." });
      await expect(apiAs(user).settings.comparison({ id: instance.id })).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such instance." });
    }
    await expect(apiAs(stranger).registration.draft({ id: randomUUID() })).rejects.toMatchObject({ code: "NOT_FOUND", message: "No such instance." });
    await expect(apiAs(staff).instances.startCheckout({ id: instance.id })).rejects.toMatchObject({ code: "FORBIDDEN", message: "Only the organisation's owners and billing members can pay." });
  });

  it("keeps the staff fleet list for staff", async () => {
    const client = await makeUser();
    const staff = await makeUser("staff");
    await expect(apiAs(client).staff.fleet()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(apiAs(staff).staff.fleet()).resolves.toMatchObject({ rows: expect.any(Array), page: 1 });
  });
});
