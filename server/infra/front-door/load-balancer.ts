// The front door when a load balancer is configured: the database says what visitors of each instance get
// (the front-door steps set instances.maintenancePageSince first), and the load balancer is re-rendered from
// it. The local site servers are left alone: they keep serving the site, HAProxy answers in front of them.
import { eq } from "drizzle-orm";
import type { Queryable } from "@/db";
import { instances } from "@/db/schema";
import { syncLoadBalancer, type LoadBalancer } from "../load-balancer";
import type { SiteMode } from "../load-balancer/state";
import type { FrontDoorDriver, FrontDoorTarget } from "./driver";

export function createLoadBalancerFrontDoor(loadBalancer: LoadBalancer, db: Queryable): FrontDoorDriver {
  async function applyAndCheck(target: FrontDoorTarget, isMaintenance: boolean, signal: AbortSignal) {
    const { state } = await syncLoadBalancer(db, loadBalancer, signal);
    const mode: SiteMode | undefined = state.sites.find((site) => site.instanceId === target.instanceId)?.mode;
    const isRightMode = isMaintenance ? mode === "maintenance" : mode !== "maintenance";
    if (!isRightMode) {
      throw new Error(
        `the load balancer now serves instance ${target.instanceId} as ${mode ?? "not routed"}, not ${isMaintenance ? "maintenance" : "the site"}: instances.maintenance_page_since was not ${isMaintenance ? "set" : "cleared"} first`,
      );
    }
  }

  return {
    name: `load-balancer (${loadBalancer.driver.name})`,
    maintenancePageNeedsServer: false,
    showMaintenancePage: (target, signal) => applyAndCheck(target, true, signal),
    serveNormally: (target, signal) => applyAndCheck(target, false, signal),
    async isShowingMaintenancePage(instanceId) {
      const [row] = await db.select({ since: instances.maintenancePageSince }).from(instances).where(eq(instances.id, instanceId));
      return Boolean(row?.since);
    },
  };
}
