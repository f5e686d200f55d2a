// Node-only start-up checks: invalid configuration stops the server here, naming the variable.
import { env } from "./server/env";

try {
  env();
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
