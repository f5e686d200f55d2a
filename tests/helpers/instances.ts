// Instances in the states integration tests start from, made the way users make them: the tRPC API and a
// signed payment event on the real webhook route.
import { eq } from "drizzle-orm";
import { db } from "@/db";
import { faultInjections, instances, users, type InstanceStatus, type NewFaultInjection, type User } from "@/db/schema";
import { instanceResourceNames } from "@/server/instances/resource-names";
import { uniqueSuffix } from "./accounts";
import { createInstance, makeVerifiedUser } from "./registration";
import { checkoutAtStripe, deliver } from "./billing";
import { eventually } from "./waiting";

/** An instance whose registration is done, waiting for payment (the wizard is not the point of these tests). */
export async function registeredInstance(owner?: User, name = "Data School") {
  const user = owner ?? (await makeVerifiedUser());
  const instance = await createInstance(user.id, { name, subdomain: `ds-${uniqueSuffix()}`, plan: "starter" });
  return { owner: user, instance };
}

/** The owner pays at the (offline) checkout: its signed events reach the real webhook route. */
export async function pay(instanceId: string) {
  const instance = await instanceRow(instanceId);
  const owner = (await db.query.users.findFirst({ where: eq(users.id, instance.ownerId) }))!;
  await deliver(await checkoutAtStripe(instance, owner));
}

export async function instanceRow(instanceId: string) {
  return (await db.query.instances.findFirst({ where: eq(instances.id, instanceId) }))!;
}

export async function waitForStatus(instanceId: string, status: InstanceStatus, timeoutMs = 60_000) {
  return eventually(async () => {
    const row = await instanceRow(instanceId);
    return row.status === status ? row : undefined;
  }, timeoutMs, `instance ${instanceId} to be ${status}`);
}

/** Registered, paid and provisioned by the running worker. */
export async function runningInstance(name?: string) {
  const { owner, instance } = await registeredInstance(undefined, name);
  await pay(instance.id);
  const row = await waitForStatus(instance.id, "running");
  return { owner, instance: row, names: namesOf(row) };
}

export function namesOf(instance: { resourceKey: string }) {
  return instanceResourceNames(instance, process.env.LYCEUM_RESOURCE_PREFIX!);
}

/** The prefix every resource name of this instance starts with. */
export function namePrefixOf(instance: { resourceKey: string }) {
  return `${process.env.LYCEUM_RESOURCE_PREFIX}_${instance.resourceKey}`;
}

export async function injectFault(fault: NewFaultInjection) {
  const [row] = await db.insert(faultInjections).values(fault).returning();
  return row!;
}
