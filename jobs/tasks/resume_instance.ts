import { resumePipeline } from "../pipelines/resume";
import { operationTask } from "./operation-task";

export const resume_instance = operationTask(resumePipeline);
