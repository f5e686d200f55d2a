import { suspendPipeline } from "../pipelines/suspend";
import { operationTask } from "./operation-task";

export const suspend_instance = operationTask(suspendPipeline);
