// Runs on each production HAProxy node: `node --import tsx scripts/haproxy-consul-node.ts`. Starts HAProxy
// (master-worker, files under HAPROXY_NODE_DIR) on the configuration the portal's workers published to Consul,
// then follows it with blocking queries and reloads seamlessly on every change. Needs CONSUL_URL, CONSUL_TOKEN
// (key:read on the prefix), CONSUL_KV_PREFIX, HAPROXY_NODE_DIR and HAPROXY_BIN, as the workers have them.
import { envSchema } from "@/server/env";
import { ConsulLoadBalancer } from "@/server/infra/load-balancer/consul";
import { followPublishedConfiguration, placePublishedFiles } from "@/server/infra/load-balancer/consul-node";
import { HaproxyLoadBalancer } from "@/server/infra/load-balancer/haproxy";

const say = (line: string) => console.log(`[haproxy-consul-node] ${line}`);

async function main() {
  const config = envSchema
    .pick({ CONSUL_URL: true, CONSUL_TOKEN: true, CONSUL_KV_PREFIX: true, HAPROXY_NODE_DIR: true, HAPROXY_BIN: true })
    .parse(process.env);
  if (!config.CONSUL_URL) throw new Error("CONSUL_URL is required: the Consul agent's HTTP API, e.g. http://127.0.0.1:8500");
  const consul = new ConsulLoadBalancer({ url: config.CONSUL_URL, token: config.CONSUL_TOKEN, prefix: config.CONSUL_KV_PREFIX, nodeDir: config.HAPROXY_NODE_DIR });
  const haproxy = new HaproxyLoadBalancer(config.HAPROXY_NODE_DIR, config.HAPROXY_BIN);
  const controller = new AbortController();

  say(`waiting for a configuration under ${config.CONSUL_KV_PREFIX}/manifest at ${config.CONSUL_URL}…`);
  let index: number | undefined;
  for (;;) {
    const { index: next, published } = await consul.manifestAfter(index, { signal: controller.signal });
    index = next;
    if (!published) continue;
    const files = await consul.readFiles(published.manifest, controller.signal);
    const child = await haproxy.start(placePublishedFiles(files, published.manifest, config.HAPROXY_NODE_DIR), { onOutput: (line) => say(line) });
    say(`HAProxy started on configuration ${published.modifyIndex}: ${published.manifest.summary}`);
    const stop = () => {
      controller.abort();
      void haproxy.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    child.once("exit", (code, signal) => {
      if (controller.signal.aborted) return;
      say(`HAProxy exited (${signal ?? code}); stopping`);
      process.exit(1);
    });
    await followPublishedConfiguration({ consul, haproxy, publishedNodeDir: config.HAPROXY_NODE_DIR, signal: controller.signal, say });
    return;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
