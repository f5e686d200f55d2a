import { scaleOutPipeline } from "../pipelines/scale-out";
import { operationTask } from "./operation-task";

export const scale_out_instance = operationTask(scaleOutPipeline);
