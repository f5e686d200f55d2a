// The front door: what stands between visitors and an instance's servers (HAProxy in production). Billing
// uses it to suspend a site without touching its servers or data.
export type FrontDoorTarget = {
  instanceId: string;
  /** Every hostname visitors use for the instance (LMS, Studio, …). */
  hostnames: string[];
  /** host:port of the deployment that serves the instance, when there is one. */
  backendAddress: string | null;
};

export interface FrontDoorDriver {
  readonly name: string;
  /**
   * Whether the maintenance page is served by the instance's own server (the local front door, without a load
   * balancer): then a suspended instance's server must keep running.
   */
  readonly maintenancePageNeedsServer: boolean;
  /** Visitors get the maintenance page (HTTP 503) instead of the site; servers and data stay as they are. */
  showMaintenancePage(target: FrontDoorTarget, signal: AbortSignal): Promise<void>;
  /** Visitors reach the site again. */
  serveNormally(target: FrontDoorTarget, signal: AbortSignal): Promise<void>;
  isShowingMaintenancePage(instanceId: string): Promise<boolean>;
}
