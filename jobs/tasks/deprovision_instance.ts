import { deprovisionPipeline } from "../pipelines/deprovision";
import { operationTask } from "./operation-task";

export const deprovision_instance = operationTask(deprovisionPipeline);
