// What a log line is about (request id, job id, instance id, …), carried through async calls so every
// line logged while handling one request or one job says so without passing a logger around.
import { AsyncLocalStorage } from "node:async_hooks";

type LogContext = {
  requestId?: string;
  jobId?: string;
  task?: string;
  instanceId?: string;
  operationId?: string;
  userId?: string;
  procedure?: string;
};

const globalForContext = globalThis as unknown as { __lyceumLogContext?: AsyncLocalStorage<LogContext> };
const storage = (globalForContext.__lyceumLogContext ??= new AsyncLocalStorage<LogContext>());

/** Runs `work` with `fields` added to the current context (the outer context is left as it was). */
export function withLogContext<T>(fields: LogContext, work: () => T): T {
  return storage.run({ ...storage.getStore(), ...fields }, work);
}

/** Adds fields to the context of the request or job in progress, e.g. the instance once it is known. */
export function addLogContext(fields: LogContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, fields);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
