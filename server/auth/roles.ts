import type { User } from "@/db/schema";

export function isStaff(user: Pick<User, "role"> | null | undefined): boolean {
  return user?.role === "staff";
}

/** A client sees only its own instances; staff see every one. */
export function canSeeInstance(user: Pick<User, "id" | "role">, instance: { ownerId: string }): boolean {
  return isStaff(user) || instance.ownerId === user.id;
}
