import { z } from "zod";

export const instanceIdInput = z.object({ id: z.uuid("That is not an instance id.") });
