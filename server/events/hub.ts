// One LISTEN connection per web process, fanned out to every live subscriber of an instance's events.
import { rawSql } from "@/db";

type Wake = () => void;

class InstanceEventHub {
  private readonly subscribers = new Map<string, Set<Wake>>();
  private listening: Promise<void> | null = null;

  /** Resolves once the LISTEN is in place; every (re)connection wakes all subscribers to re-read. */
  ready(): Promise<void> {
    this.listening ??= rawSql()
      .listen(
        "instance_events",
        (payload) => this.announce(payload),
        // Called again after postgres.js reconnects: anything announced meanwhile is re-read from the table.
        () => this.wakeAll(),
      )
      .then(() => undefined)
      .catch((error: unknown) => {
        this.listening = null;
        throw error;
      });
    return this.listening;
  }

  subscribe(instanceId: string, wake: Wake): () => void {
    let set = this.subscribers.get(instanceId);
    if (!set) this.subscribers.set(instanceId, (set = new Set()));
    set.add(wake);
    return () => {
      set.delete(wake);
      if (set.size === 0) this.subscribers.delete(instanceId);
    };
  }

  subscriberCount(): number {
    let total = 0;
    for (const set of this.subscribers.values()) total += set.size;
    return total;
  }

  private announce(payload: string) {
    let instanceId: string | undefined;
    try {
      instanceId = (JSON.parse(payload) as { instanceId?: string }).instanceId;
    } catch {
      return;
    }
    if (instanceId) for (const wake of this.subscribers.get(instanceId) ?? []) wake();
  }

  private wakeAll() {
    for (const set of this.subscribers.values()) for (const wake of set) wake();
  }
}

const globalForHub = globalThis as unknown as { __lyceumEventHub?: InstanceEventHub };
export const instanceEventHub = (globalForHub.__lyceumEventHub ??= new InstanceEventHub());
