// Small builders the integration tests share: real rows in the test database, nothing mocked.
import { randomUUID } from "node:crypto";
import { db } from "@/db";
import type { User, UserRole } from "@/db/schema";
import { createCaller } from "@/server/api/root";
import { createUser } from "@/server/accounts/users";

export function uniqueSuffix() {
  return randomUUID().slice(0, 8);
}

export async function makeUser(role: UserRole = "client"): Promise<User> {
  return createUser({ email: `user-${uniqueSuffix()}@example.org`, password: "a long enough password" }, role);
}

/** The tRPC API as this user would call it (the same procedures and checks as over HTTP). */
export function apiAs(user: User | null) {
  return createCaller({ db, user, headers: new Headers() });
}
