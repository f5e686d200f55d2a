import { reconfigurePipeline } from "../pipelines/reconfigure";
import { operationTask } from "./operation-task";

export const reconfigure_instance = operationTask(reconfigurePipeline);
