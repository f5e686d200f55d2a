import { redeployPipeline } from "../pipelines/redeploy";
import { operationTask } from "./operation-task";

export const redeploy_instance = operationTask(redeployPipeline);
