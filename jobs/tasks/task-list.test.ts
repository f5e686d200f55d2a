// Every job name has a task and every task a job name; the compiler holds both, and `tsc --noEmit` fails if
// one of the deliberate violations below stops being an error.
import type { Task } from "graphile-worker";
import { describe, expect, it } from "vitest";
import type { Queryable } from "@/db";
import { enqueueJob } from "@/server/queue/enqueue";
import { jobPayloads, type JobName } from "@/server/queue/payloads";
import { taskList } from "./index";

describe("the task list", () => {
  it("has one task for each job name, and nothing else", () => {
    expect(Object.keys(taskList).sort()).toEqual(Object.keys(jobPayloads).sort());
  });

  it("refuses, at compile time, a job name without a task, a task without a job name, and an unknown job", () => {
    const withoutOne: Omit<typeof taskList, "send_email"> = taskList;
    // @ts-expect-error: send_email is a job name with no task in this list.
    void (withoutOne satisfies Record<JobName, Task>);
    // @ts-expect-error: an unknown name is not a job anyone may add.
    void ({ ...taskList, send_fax: taskList.send_email } satisfies Record<JobName, Task>);
    const neverCalled = (q: Queryable) =>
      // @ts-expect-error: the enqueue helper takes only a JobName.
      enqueueJob(q, "send_fax", {});
    expect(neverCalled).toBeTypeOf("function");
  });
});
