import { backupPipeline } from "../pipelines/backup";
import { operationTask } from "./operation-task";

export const back_up_instance = operationTask(backupPipeline);
