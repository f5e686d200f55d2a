// The plans, in one place: the home page, registration, checkout, billing and the VM size all read them
// from here. Stripe price ids come from configuration (server/billing/prices.ts), named by `stripePriceEnv`.
import type { PlanConfig } from "@/server/deployments/config";

export type AutoscalePolicy = {
  minServers: number;
  maxServers: number;
  scaleOutRequestsPerSecondPerServer: number;
  scaleOutResponseTimeMs: number;
  scaleInRequestsPerSecondPerServer: number;
};

export const PLANS = [
  {
    id: "starter",
    name: "Starter",
    priceMonthlyCents: 4900,
    description: "For a first course and a pilot cohort.",
    limits: { learners: 500, courses: 10, storageGb: 20 },
    vmFlavor: "b3-8",
    servicesVmFlavor: null,
    appServers: 1,
    autoscale: null,
    trialDays: null,
    stripePriceEnv: "STRIPE_PRICE_STARTER",
    backupRetention: { daily: 7, weekly: 4, monthly: 3, finalBackupDays: 30 },
  },
  {
    id: "growth",
    name: "Growth",
    priceMonthlyCents: 14900,
    description: "For a school running several programmes.",
    limits: { learners: 5000, courses: 100, storageGb: 100 },
    vmFlavor: "b3-16",
    servicesVmFlavor: null,
    appServers: 2,
    autoscale: { minServers: 2, maxServers: 4, scaleOutRequestsPerSecondPerServer: 40, scaleOutResponseTimeMs: 1500, scaleInRequestsPerSecondPerServer: 10 },
    trialDays: 14,
    stripePriceEnv: "STRIPE_PRICE_GROWTH",
    backupRetention: { daily: 14, weekly: 4, monthly: 6, finalBackupDays: 60 },
  },
  {
    id: "scale",
    name: "Scale",
    priceMonthlyCents: 49900,
    description: "For institutions with large enrolments.",
    limits: { learners: 50000, courses: 1000, storageGb: 500 },
    vmFlavor: "b3-32",
    servicesVmFlavor: "b3-8",
    appServers: 3,
    autoscale: { minServers: 3, maxServers: 6, scaleOutRequestsPerSecondPerServer: 40, scaleOutResponseTimeMs: 1500, scaleInRequestsPerSecondPerServer: 10 },
    trialDays: null,
    stripePriceEnv: "STRIPE_PRICE_SCALE",
    backupRetention: { daily: 30, weekly: 8, monthly: 12, finalBackupDays: 90 },
  },
] as const satisfies readonly {
  id: string;
  name: string;
  priceMonthlyCents: number;
  description: string;
  limits: { learners: number; courses: number; storageGb: number };
  vmFlavor: string;
  /**
   * A second, smaller server of the instance's own running memcached and Elasticsearch (so the application
   * server's memory goes to Open edX), by OVH flavor name; null: both run on the application server. Kept across
   * deployments, deleted with the instance (docs/drivers.md).
   */
  servicesVmFlavor: string | null;
  /** How many application servers (VMs of vmFlavor) run the instance behind the load balancer; staff may override it. */
  appServers: number;
  /**
   * Opt-in autoscaling between minServers and maxServers (server/deployments/autoscale.ts), from the load HAProxy
   * measures: a server is added when the requests per second per server or the average response time stay above
   * their threshold for AUTOSCALE_OUT_AFTER_SECONDS, one removed when the rate stays below the scale-in threshold
   * for AUTOSCALE_IN_AFTER_SECONDS. Null: the plan's appServers, always.
   */
  autoscale: AutoscalePolicy | null;
  /** Free days before the first charge (Stripe's `trial_period_days`), or null for none. */
  trialDays: number | null;
  stripePriceEnv: string;
  /**
   * Which daily backups are kept (server/backups/retention.ts): the newest of each of the last `daily` days, then of
   * `weekly` ISO weeks and `monthly` calendar months before those; a deleted instance's final backup for
   * `finalBackupDays` after it was taken.
   */
  backupRetention: { daily: number; weekly: number; monthly: number; finalBackupDays: number };
}[];

export type Plan = (typeof PLANS)[number];
export type PlanId = Plan["id"];
export const PLAN_IDS = PLANS.map((plan) => plan.id) as [PlanId, ...PlanId[]];

export function planById(id: string): Plan {
  const plan = PLANS.find((candidate) => candidate.id === id);
  if (!plan) throw new Error(`Unknown plan "${id}"`);
  return plan;
}

/** What a deployment's configuration says about its plan: the VM size it boots with and the limits it enforces. */
export function planDeploymentConfig(plan: Plan): PlanConfig {
  return { plan: plan.id, vmFlavor: plan.vmFlavor, limits: plan.limits };
}

export function formatPrice(cents: number): string {
  return new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(cents / 100);
}
