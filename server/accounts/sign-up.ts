// Sign-up: the account and its verification email commit together, so there is no account without its link.
import { db } from "@/db";
import type { SignUpInput } from "./credentials";
import { createUser } from "./users";
import { sendAccountVerification } from "./verification";

export async function signUpAccount(input: SignUpInput) {
  return db.transaction(async (tx) => {
    const user = await createUser(input, "client", tx);
    await sendAccountVerification(tx, user);
    return user;
  });
}
