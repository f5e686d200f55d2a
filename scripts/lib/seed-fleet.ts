// Realistic fleet data for trying the staff console and measuring it: owners, instances in every status
// with the status_changed history that got them there, provision/deprovision operations with believable
// durations, and subscriptions. No servers exist for them (no deployments), so nothing tries to reach them.
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { getTableColumns, getTableName } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import type { TransactionSql } from "postgres";
import type { Database } from "@/db";
import {
  instanceEvents,
  instanceOperations,
  instances,
  memberships,
  organisations,
  subscriptions,
  users,
  type InstanceStatus,
  type OperationKind,
  type OperationStatus,
} from "@/db/schema";
import type { PlanId } from "@/server/billing/plans";

type SeedOptions = {
  instances: number;
  /** Same seed, same fleet shape (the tag keeps names unique across runs). */
  seed?: number;
  /** Appended to every subdomain and email; random when omitted. Tests search for it. */
  tag?: string;
  /** Instances are registered over this many days before now. */
  spreadDays?: number;
  /**
   * False: no events or operations, only owners, instances and subscriptions (the fleet list's benchmark reads no
   * history, and every event row is a NOTIFY to the portal's live streams: half a million of them at 100 000).
   */
  withHistory?: boolean;
};

type SeedResult = { tag: string; owners: number; instances: number; events: number; operations: number; subscriptions: number };

const MINUTE = 60_000;
const DAY = 86_400_000;

// Cumulative weights: most of a hosting fleet is running; the rest is spread over the lifecycle.
const STATUS_WEIGHTS: [InstanceStatus, number][] = [
  ["running", 0.7],
  ["awaiting_payment", 0.06],
  ["queued", 0.01],
  ["provisioning", 0.01],
  ["failed", 0.04],
  ["suspended", 0.05],
  ["deprovisioning", 0.01],
  ["deprovisioned", 0.12],
];
const PLAN_WEIGHTS: [PlanId, number][] = [
  ["starter", 0.6],
  ["growth", 0.3],
  ["scale", 0.1],
];
const ADJECTIVES = ["Northern", "Open", "Bright", "Cedar", "Harbor", "Summit", "Riverside", "Golden", "Blue", "Maple", "Silver", "Granite", "Coastal", "Evergreen", "Prairie", "Lakeside"];
const NOUNS = ["Lights", "Valley", "Ridge", "Bridge", "Forest", "Meadow", "Harbour", "Stone", "Oak", "Pine", "Falls", "Point", "Hill", "Field"];
const KINDS = ["Academy", "Institute", "School", "College", "Learning", "University", "Training", "Campus"];
const FIRST_NAMES = ["ana", "ben", "chloe", "dev", "elif", "farid", "grace", "hugo", "ines", "jonas", "kofi", "lena", "mei", "noah", "olga", "priya"];
const LAST_NAMES = ["martin", "okafor", "schmidt", "rossi", "tanaka", "silva", "novak", "dubois", "kim", "haddad", "larsen", "moreau"];
const DOMAINS = ["school.example.org", "academy.example.com", "uni.example.edu", "training.example.net"];

type SeedEvent = {
  kind: "log" | "status_changed" | "operation_finished";
  level: "info" | "success" | "error";
  message: string;
  /** ms on the instance's own clock */
  at: number;
  data?: Record<string, unknown>;
  operationId?: string;
};

type SeedOperation = {
  id: string;
  kind: OperationKind;
  status: OperationStatus;
  reason?: string;
  error?: string;
  queuedAt: number;
  startedAt?: number;
  finishedAt?: number;
};

/** mulberry32: a small seeded PRNG, so a seed gives the same fleet every time. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedFleet(db: Database, options: SeedOptions): Promise<SeedResult> {
  const next = random(options.seed ?? 42);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const weighted = <T>(weights: [T, number][]) => {
    let roll = next();
    for (const [value, weight] of weights) if ((roll -= weight) < 0) return value;
    return weights[0]![0];
  };
  const between = (min: number, max: number) => min + next() * (max - min);
  const tag = options.tag ?? randomBytes(3).toString("hex");
  const now = Date.now();
  const spreadMs = (options.spreadDays ?? 90) * DAY;

  const ownerCount = Math.max(1, Math.ceil(options.instances / 3));
  const ownerRows = Array.from({ length: ownerCount }, (_, i) => {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    return {
      id: crypto.randomUUID(),
      email: `${first}.${last}.${i}.${tag}@${pick(DOMAINS)}`,
      name: `${first[0]!.toUpperCase()}${first.slice(1)} ${last[0]!.toUpperCase()}${last.slice(1)}`,
      role: "client" as const,
      createdAt: new Date(now - spreadMs - between(0, 30) * DAY),
    };
  });
  // Each owner's personal organisation, as sign-up makes it.
  const organisationRows = ownerRows.map((owner) => ({ id: crypto.randomUUID(), name: owner.name, personalOf: owner.id, createdAt: owner.createdAt }));
  const membershipRows = organisationRows.map((organisation) => ({ organisationId: organisation.id, userId: organisation.personalOf, role: "owner" as const }));

  const instanceRows: (typeof instances.$inferInsert)[] = [];
  const eventRows: (typeof instanceEvents.$inferInsert)[] = [];
  const operationRows: (typeof instanceOperations.$inferInsert)[] = [];
  const subscriptionRows: (typeof subscriptions.$inferInsert)[] = [];

  for (let i = 0; i < options.instances; i++) {
    const id = crypto.randomUUID();
    const name = `${pick(ADJECTIVES)} ${pick(NOUNS)} ${pick(KINDS)}`;
    const subdomain = `${name.toLowerCase().replace(/[^a-z]+/g, "-").slice(0, 24)}-${i}-${tag}`;
    const target = weighted(STATUS_WEIGHTS);
    const plan = weighted(PLAN_WEIGHTS);
    const owner = ownerRows[i % ownerCount]!;
    const organisation = organisationRows[i % ownerCount]!;

    // The history is written on the instance's own clock (0 = registration, in ms), then placed so that it
    // ends before now: a recent instance's provisioning is never cut short by the present.
    let time = 0;
    let status: InstanceStatus = "awaiting_payment";
    const events: SeedEvent[] = [{ kind: "log", level: "info", message: `Registered "${name}" at ${subdomain}; waiting for payment.`, at: 0 }];
    const operations: SeedOperation[] = [];
    const move = (to: InstanceStatus, afterMs: number, message: string, operationId?: string) => {
      time += afterMs;
      events.push({ kind: "status_changed", level: to === "failed" ? "error" : to === "running" ? "success" : "info", message, at: time, data: { from: status, to }, operationId });
      status = to;
    };
    let paidAt: number | null = null;

    if (target !== "awaiting_payment") {
      move("queued", between(1, 2 * 24 * 60) * MINUTE, "Payment received; provisioning is queued.");
      paidAt = time;
      const provision: SeedOperation = { id: crypto.randomUUID(), kind: "provision", status: "queued", queuedAt: time };
      operations.push(provision);
      if (target !== "queued") {
        move("provisioning", between(1, 20) * 1000, "Provisioning started.", provision.id);
        Object.assign(provision, { status: "running", startedAt: time });
        // Mostly a minute or two, with a long tail: what a real cloud's VM boot looks like.
        const durationMs = (40 + Math.pow(next(), 3) * 600) * 1000;
        if (target === "failed") {
          move("failed", durationMs * 3, "Provisioning stopped: boot_server: quota exceeded for flavor b3-8", provision.id);
          Object.assign(provision, { status: "failed", finishedAt: time, error: "quota exceeded for flavor b3-8" });
          events.push({ kind: "operation_finished", level: "error", message: "Provision failed: quota exceeded for flavor b3-8", at: time, operationId: provision.id });
        } else if (target !== "provisioning") {
          move("running", durationMs, `Your instance is running at http://${subdomain}.localhost/`, provision.id);
          Object.assign(provision, { status: "succeeded", finishedAt: time });
          events.push({ kind: "operation_finished", level: "success", message: "Provision finished.", at: time, operationId: provision.id });
          if (target === "suspended") move("suspended", between(1, 60) * DAY, "Suspended: the subscription is unpaid.");
          if (target === "deprovisioning" || target === "deprovisioned") {
            const deprovision: SeedOperation = { id: crypto.randomUUID(), kind: "deprovision", status: "running", reason: "subscription cancelled", queuedAt: 0 };
            move("deprovisioning", between(1, 60) * DAY, "Deprovisioning started.", deprovision.id);
            Object.assign(deprovision, { queuedAt: time, startedAt: time });
            if (target === "deprovisioned") {
              move("deprovisioned", between(20, 120) * 1000, "Deprovisioned: every resource was removed.", deprovision.id);
              Object.assign(deprovision, { status: "succeeded", finishedAt: time });
            }
            operations.push(deprovision);
          }
        }
      }
    }

    const offset = now - 1000 - time - between(0, Math.max(0, spreadMs - time));
    const at = (relative: number) => new Date(offset + relative);
    instanceRows.push({
      id,
      ownerId: owner.id,
      organisationId: organisation.id,
      name,
      subdomain,
      customDomain: next() < 0.08 ? `learn-${i}-${tag}.${name.toLowerCase().replace(/[^a-z]+/g, "")}.org` : null,
      plan,
      status,
      // A suspended instance's front door shows the maintenance page (what the suspend step records).
      maintenancePageSince: target === "suspended" ? at(time) : null,
      lastEventSeq: events.length,
      createdAt: at(0),
      updatedAt: at(time),
    });
    events.forEach((event, index) =>
      eventRows.push({
        instanceId: id,
        seq: index + 1,
        operationId: event.operationId ?? null,
        kind: event.kind,
        level: event.level,
        message: event.message,
        data: event.data ?? null,
        createdAt: at(event.at),
      }),
    );
    for (const operation of operations) {
      operationRows.push({
        id: operation.id,
        instanceId: id,
        kind: operation.kind,
        status: operation.status,
        reason: operation.reason ?? null,
        error: operation.error ?? null,
        createdAt: at(operation.queuedAt),
        startedAt: operation.startedAt === undefined ? null : at(operation.startedAt),
        finishedAt: operation.finishedAt === undefined ? null : at(operation.finishedAt),
      });
    }
    if (paidAt !== null) {
      subscriptionRows.push({
        instanceId: id,
        stripeCustomerId: `cus_seed_${i}_${tag}`,
        stripeSubscriptionId: `sub_seed_${i}_${tag}`,
        plan,
        status:
          target === "suspended" ? (next() < 0.5 ? "past_due" : "unpaid")
          : target === "deprovisioning" || target === "deprovisioned" ? "canceled"
          : target === "running" && next() < 0.05 ? "past_due"
          : "active",
        currentPeriodEnd: new Date(now + between(1, 30) * DAY),
        createdAt: at(paidAt),
        updatedAt: at(time),
      });
    }
  }

  // COPY rather than INSERTs: 100 000 instances come with half a million events, and COPY writes them several
  // times faster (no statement to parse and plan per chunk, no parameter limit).
  await db.$client.begin(async (tx) => {
    await copyRows(tx, users, ownerRows);
    await copyRows(tx, organisations, organisationRows);
    await copyRows(tx, memberships, membershipRows);
    await copyRows(tx, instances, instanceRows);
    if (options.withHistory !== false) {
      await copyRows(tx, instanceOperations, operationRows);
      await copyRows(tx, instanceEvents, eventRows);
    }
    await copyRows(tx, subscriptions, subscriptionRows);
  });
  // Fresh statistics, so the planner sees the new rows (and uses the trigram indexes) at once; and VACUUM, which
  // merges the rows waiting in each GIN index's pending list: until then every search reads that list through
  // (at 100 000 instances, freshly seeded, a name search took three times as long).
  await db.$client.unsafe("vacuum analyze users, organisations, memberships, instances, instance_events, instance_operations, subscriptions");
  return {
    tag,
    owners: ownerRows.length,
    instances: instanceRows.length,
    events: options.withHistory === false ? 0 : eventRows.length,
    operations: options.withHistory === false ? 0 : operationRows.length,
    subscriptions: subscriptionRows.length,
  };
}

/** COPY … FROM STDIN (text format) of rows in drizzle's insert shape, each value through its column's own mapping. */
async function copyRows(tx: TransactionSql, table: PgTable, rows: Record<string, unknown>[]) {
  if (rows.length === 0) return;
  // The columns the rows give, and those drizzle fills itself ($defaultFn); the database fills the rest.
  const columns = Object.entries(getTableColumns(table)).filter(([key, column]) => key in rows[0]! || column.defaultFn);
  const text = (value: unknown) => String(value).replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]!);
  const line = (row: Record<string, unknown>) =>
    columns
      .map(([key, column]) => {
        const value = key in row ? row[key] : column.defaultFn!();
        return value === null || value === undefined ? "\\N" : text(column.mapToDriverValue(value));
      })
      .join("\t");
  function* chunks() {
    for (let start = 0; start < rows.length; start += 1000) yield `${rows.slice(start, start + 1000).map(line).join("\n")}\n`;
  }
  const target = await tx.unsafe(`copy "${getTableName(table)}" (${columns.map(([, column]) => `"${column.name}"`).join(", ")}) from stdin`).writable();
  await pipeline(Readable.from(chunks()), target);
}
