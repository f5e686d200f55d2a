import { rollbackPipeline } from "../pipelines/rollback";
import { operationTask } from "./operation-task";

export const roll_back_instance = operationTask(rollbackPipeline);
