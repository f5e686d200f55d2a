import { describe, expect, it } from "vitest";
import { ActionRefusedError, actionReasonSchema, requireTypedConfirmation } from "./staff-action";

describe("staff action rules", () => {
  it("requires a reason of a few characters", () => {
    expect(actionReasonSchema.safeParse("  ").success).toBe(false);
    expect(actionReasonSchema.safeParse("ok").success).toBe(false);
    expect(actionReasonSchema.parse("  customer asked by email  ")).toBe("customer asked by email");
  });

  it("refuses a destructive action unless the subdomain is typed", () => {
    const instance = { subdomain: "acme-academy" };
    expect(() => requireTypedConfirmation(instance, undefined)).toThrow(ActionRefusedError);
    expect(() => requireTypedConfirmation(instance, "acme")).toThrow('Type the subdomain "acme-academy" to confirm.');
    expect(() => requireTypedConfirmation(instance, " ACME-Academy ")).not.toThrow();
  });
});
