import { scaleInPipeline } from "../pipelines/scale-in";
import { operationTask } from "./operation-task";

export const scale_in_instance = operationTask(scaleInPipeline);
