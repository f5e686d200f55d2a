import { NextRequest } from "next/server";
import { handlers } from "@/server/auth";
import { readBodyOrRefusal, withReadBody } from "@/server/http/read-body-capped";

/** Sign-in and sign-out forms are a few hundred bytes; Auth.js would read any body whole. */
const MAX_AUTH_BODY_BYTES = 64 * 1024;

export const { GET } = handlers;

export async function POST(request: NextRequest) {
  const read = await readBodyOrRefusal(request, MAX_AUTH_BODY_BYTES);
  if (read.refusal) return read.refusal;
  return handlers.POST(new NextRequest(withReadBody(request, read.body)));
}
