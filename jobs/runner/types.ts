import type { Database, Transaction } from "@/db";
import type { Instance, InstanceOperation, OperationKind } from "@/db/schema";
import type { Env } from "@/server/env";
import type { Infrastructure } from "@/server/infra";
import type { Ledger } from "@/server/instances/ledger";

export type StepContext = {
  instance: Instance;
  operation: InstanceOperation;
  /** Aborted when the step times out, the operation is cancelled, or the worker shuts down. */
  signal: AbortSignal;
  ledger: Ledger;
  infra: Infrastructure;
  env: Env;
  db: Database;
  /** Adds a line to the instance's event log under this step. */
  log(message: string, level?: "debug" | "info" | "warn"): Promise<void>;
};

export type PipelineStep = {
  name: string;
  title: string;
  /** How long the step may run (default STEP_TIMEOUT_SECONDS); a function of the configuration when that decides it. */
  timeoutMs?: number | ((env: Env) => number);
  /** Does the step's work idempotently ("ensure", never "create") and says, in one line, what it did. */
  run(ctx: StepContext): Promise<string>;
};

export type Pipeline = {
  kind: OperationKind;
  steps: PipelineStep[];
  /** In the transaction that marks the operation running (first attempt only): e.g. queued → provisioning. */
  onStart(tx: Transaction, instance: Instance, operation: InstanceOperation): Promise<void>;
  onSuccess(tx: Transaction, instance: Instance, operation: InstanceOperation): Promise<void>;
  /** After the last attempt failed, or the operation was cancelled. */
  onFailure(tx: Transaction, instance: Instance, operation: InstanceOperation, error: Error): Promise<void>;
};
