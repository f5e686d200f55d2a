// The load balancer as a capability: make it serve a state (rendered from the database by the caller).
import type { LoadBalancerState } from "./state";

export type ApplyResult = {
  /** False when the load balancer already served exactly this state (nothing was reloaded). */
  isChanged: boolean;
  /** One line for the instance's event log. */
  summary: string;
};

export interface LoadBalancerDriver {
  readonly name: string;
  /**
   * Serves `state` from now on. When the new configuration is refused (by `haproxy -c` or by a concurrent
   * writer), it throws with the reason and the previous configuration keeps serving.
   */
  apply(state: LoadBalancerState, signal?: AbortSignal): Promise<ApplyResult>;
}
