// The HAProxy node's side of the Consul driver: follow the published manifest with blocking queries and apply
// each new configuration to the HAProxy on this node, checked with `haproxy -c` and reloaded seamlessly, exactly
// as the local driver does. A configuration this node's HAProxy refuses is logged and skipped; the previous one
// keeps serving until the next is published.
import type { ConsulLoadBalancer, ConsulManifest } from "./consul";
import type { HaproxyLoadBalancer, RenderFor } from "./haproxy";

/**
 * The published files, moved to where this node's HAProxy keeps them: the workers rendered them for
 * `publishedNodeDir` (HAPROXY_NODE_DIR); the local driver writes each configuration to a directory of its own.
 */
export function placePublishedFiles(files: Record<string, string>, manifest: ConsulManifest, publishedNodeDir: string): RenderFor {
  const dir = publishedNodeDir.replace(/\/$/, "");
  return (options) => {
    const move = (content: string) =>
      content
        .split(`${dir}/config/`).join(`${options.configDir}/`)
        .split(`${dir}/certs/`).join(`${options.certDir}/`)
        .split(`${dir}/admin.sock`).join(options.adminSocket ?? `${dir}/admin.sock`);
    const rendered = { files: {} as Record<string, string>, certificates: {} as Record<string, string>, summary: manifest.summary };
    for (const [name, content] of Object.entries(files)) {
      if (name.startsWith("config/")) rendered.files[name.slice("config/".length)] = move(content);
      else if (name.startsWith("certs/")) rendered.certificates[name.slice("certs/".length)] = content;
      else throw new Error(`unexpected published file ${name}`);
    }
    return rendered;
  };
}

type FollowOptions = {
  consul: ConsulLoadBalancer;
  haproxy: HaproxyLoadBalancer;
  publishedNodeDir: string;
  signal: AbortSignal;
  /** Consul's blocking query wait (e.g. "5m"). */
  wait?: string;
  say?: (line: string) => void;
};

/** Applies every manifest published from now on (and the current one) until the signal aborts. */
export async function followPublishedConfiguration(options: FollowOptions): Promise<void> {
  const say = options.say ?? (() => {});
  let index: number | undefined;
  let appliedModifyIndex: number | null = null;
  let backoffMs = 500;
  while (!options.signal.aborted) {
    try {
      const { index: nextIndex, published } = await options.consul.manifestAfter(index, { wait: options.wait, signal: options.signal });
      // Consul's advice: an index that goes backwards (a snapshot restore) means start again from zero.
      index = index !== undefined && nextIndex < index ? 0 : nextIndex;
      if (published && published.modifyIndex !== appliedModifyIndex) {
        const files = await options.consul.readFiles(published.manifest, options.signal);
        const result = await options.haproxy.applyRendered(placePublishedFiles(files, published.manifest, options.publishedNodeDir), options.signal);
        appliedModifyIndex = published.modifyIndex;
        say(`${result.isChanged ? "applied" : "already serving"} configuration ${published.modifyIndex}: ${published.manifest.summary}`);
      }
      backoffMs = 500;
    } catch (error) {
      if (options.signal.aborted) return;
      // Read the current manifest again after the pause (rather than wait for the next one): the cause may pass.
      index = undefined;
      say(`could not apply the published configuration: ${(error as Error).message}; retrying in ${backoffMs / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, backoffMs));
      backoffMs = Math.min(backoffMs * 2, 30_000);
    }
  }
}
