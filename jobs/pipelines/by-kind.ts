// Each kind of operation's pipeline, for code that handles an operation without its job (the stranded sweep).
import type { OperationKind } from "@/db/schema";
import type { Pipeline } from "../runner/types";
import { backupPipeline } from "./backup";
import { deprovisionPipeline } from "./deprovision";
import { provisionPipeline } from "./provision";
import { reconfigurePipeline } from "./reconfigure";
import { redeployPipeline } from "./redeploy";
import { replaceServerPipeline } from "./replace-server";
import { restorePipeline } from "./restore";
import { scaleInPipeline } from "./scale-in";
import { scaleOutPipeline } from "./scale-out";
import { rollbackPipeline } from "./rollback";
import { upgradePipeline } from "./upgrade";
import { resumePipeline } from "./resume";
import { suspendPipeline } from "./suspend";

export const PIPELINES: Record<OperationKind, Pipeline> = {
  provision: provisionPipeline,
  reconfigure: reconfigurePipeline,
  redeploy: redeployPipeline,
  suspend: suspendPipeline,
  resume: resumePipeline,
  deprovision: deprovisionPipeline,
  backup: backupPipeline,
  restore: restorePipeline,
  replace_server: replaceServerPipeline,
  upgrade: upgradePipeline,
  rollback: rollbackPipeline,
  scale_out: scaleOutPipeline,
  scale_in: scaleInPipeline,
};
