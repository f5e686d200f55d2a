import { restorePipeline } from "../pipelines/restore";
import { operationTask } from "./operation-task";

export const restore_instance = operationTask(restorePipeline);
