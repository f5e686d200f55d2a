import type { User } from "@/db/schema";

export function isStaff(user: Pick<User, "role"> | null | undefined): boolean {
  return user?.role === "staff";
}
