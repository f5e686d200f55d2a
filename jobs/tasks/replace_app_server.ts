import { replaceServerPipeline } from "../pipelines/replace-server";
import { operationTask } from "./operation-task";

export const replace_app_server = operationTask(replaceServerPipeline);
