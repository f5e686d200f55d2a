// The tRPC caller for server components: same procedures, same checks, no HTTP round trip.
import "server-only";
import { headers } from "next/headers";
import { cache } from "react";
import { createCaller } from "./root";
import { createTRPCContext } from "./context";

export const serverApi = cache(async () => createCaller(await createTRPCContext({ headers: await headers() })));
