import { upgradePipeline } from "../pipelines/upgrade";
import { operationTask } from "./operation-task";

export const upgrade_instance = operationTask(upgradePipeline);
