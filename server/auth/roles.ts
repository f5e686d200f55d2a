import type { User } from "@/db/schema";
import { env } from "@/server/env";

export function isStaff(user: Pick<User, "role"> | null | undefined): boolean {
  return user?.role === "staff";
}

/**
 * A staff account without two-factor sign-in may log in (to turn it on) but not use the staff console: its
 * password alone would reach every school's instances. Development stacks allow it (LYCEUM_STAFF_WITHOUT_TWO_FACTOR).
 */
export function isStaffMissingTwoFactor(user: Pick<User, "role" | "twoFactorEnabledAt">): boolean {
  return isStaff(user) && user.twoFactorEnabledAt === null && !env().LYCEUM_STAFF_WITHOUT_TWO_FACTOR;
}

export const STAFF_TWO_FACTOR_MESSAGE = "Staff accounts must turn on two-factor sign-in before using the staff console (Account → Two-factor sign-in).";

/** Staff who may act as staff now: everywhere a staff account reaches what its owner role alone would not. */
export function actsAsStaff(user: Pick<User, "role" | "twoFactorEnabledAt">): boolean {
  return isStaff(user) && !isStaffMissingTwoFactor(user);
}
