// Staff actions that call the instance service functions (server/instances/actions.ts): their refusals —
// wrong state, an operation in progress, an illegal move — become the framework's refusals, worded as they are.
import { InstanceActionRefusedError } from "@/server/instances/actions";
import { IllegalTransitionError } from "@/server/instances/lifecycle";
import { OperationInProgressError } from "@/server/instances/operations";
import { refuse } from "./staff-action";

export async function refusingAsStaffAction<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof InstanceActionRefusedError || error instanceof OperationInProgressError || error instanceof IllegalTransitionError) {
      refuse(error.message);
    }
    throw error;
  }
}
