import { provisionPipeline } from "../pipelines/provision";
import { operationTask } from "./operation-task";

export const provision_instance = operationTask(provisionPipeline);
