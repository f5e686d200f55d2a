// A TCP proxy that a fault test puts between Lyceum and a real service (Postgres, MariaDB, RabbitMQ, HAProxy) to
// make the network fail the ways it does: held bytes (a partition that heals: TCP delivers them late), a reset,
// a black hole (accepted, never answered) and latency. One proxy, one upstream; every mode applies at once to
// the connections open now and to the ones opened later.
import net from "node:net";

type FaultProxyMode =
  /** Bytes flow both ways. */
  | { kind: "pass" }
  /** Bytes are held on every connection until `pass()`; then they are delivered in order. */
  | { kind: "pause" }
  /** New connections are accepted and never forwarded; bytes on open ones are discarded. Nothing is answered. */
  | { kind: "blackhole" }
  /** Each chunk is forwarded after `ms`. */
  | { kind: "delay"; ms: number };

type Link = {
  client: net.Socket;
  upstream: net.Socket | null;
  /** Chunks not yet forwarded, with their direction. */
  held: { toUpstream: boolean; chunk: Buffer }[];
  /** Held by `holdWhen` (this connection only) until `pass()`. */
  isHeldAlone: boolean;
  isBlackholed: boolean;
};

type FaultProxy = {
  readonly host: string;
  readonly port: number;
  /** `upstreamUrl` with its host and port replaced by the proxy's. */
  urlFor(upstreamUrl: string): string;
  pass(): void;
  pause(): void;
  blackhole(): void;
  delay(ms: number): void;
  /** Resets every open connection (RST); new ones are still accepted. */
  drop(): void;
  /**
   * Holds one connection from the moment its client sends a chunk `matches` accepts (that chunk included), until
   * `pass()`: one query stuck on the wire while the service answers everyone else.
   */
  holdWhen(matches: (chunk: Buffer) => boolean): Promise<void>;
  /** Connections open now. */
  readonly openConnections: number;
  close(): Promise<void>;
};

export async function startFaultProxy(upstream: { host: string; port: number }): Promise<FaultProxy> {
  let mode: FaultProxyMode = { kind: "pass" };
  const links = new Set<Link>();
  let trigger: { matches: (chunk: Buffer) => boolean; resolve: () => void } | null = null;

  const isHolding = (link: Link) => link.isHeldAlone || mode.kind === "pause";

  function flush(link: Link) {
    if (isHolding(link) || !link.upstream) return;
    for (const { toUpstream, chunk } of link.held.splice(0)) forward(link, toUpstream, chunk);
  }

  function forward(link: Link, toUpstream: boolean, chunk: Buffer) {
    const target = toUpstream ? link.upstream : link.client;
    if (!target || target.destroyed) return;
    if (mode.kind === "delay") {
      const ms = mode.ms;
      setTimeout(() => !target.destroyed && target.write(chunk), ms);
    } else {
      target.write(chunk);
    }
  }

  function onChunk(link: Link, toUpstream: boolean, chunk: Buffer) {
    if (link.isBlackholed || mode.kind === "blackhole") return;
    if (toUpstream && trigger && !link.isHeldAlone && trigger.matches(chunk)) {
      link.isHeldAlone = true;
      trigger.resolve();
      trigger = null;
    }
    if (isHolding(link) || !link.upstream || link.held.length > 0) {
      link.held.push({ toUpstream, chunk });
      return;
    }
    forward(link, toUpstream, chunk);
  }

  function end(link: Link) {
    if (!links.delete(link)) return;
    // A client that gives up on a held connection takes its unsent bytes with it: nothing reaches the service.
    link.held.length = 0;
    link.client.destroy();
    link.upstream?.destroy();
  }

  function connectUpstream(link: Link) {
    const socket = net.connect(upstream.port, upstream.host);
    socket.setNoDelay(true);
    socket.on("connect", () => {
      link.upstream = socket;
      flush(link);
    });
    socket.on("data", (chunk) => onChunk(link, false, chunk));
    socket.on("error", () => end(link));
    socket.on("close", () => end(link));
  }

  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const link: Link = { client, upstream: null, held: [], isHeldAlone: false, isBlackholed: mode.kind === "blackhole" };
    links.add(link);
    client.on("data", (chunk) => onChunk(link, true, chunk));
    client.on("error", () => end(link));
    client.on("close", () => end(link));
    // A black-holed connection never reaches the service, even after the hole closes (as a SYN that was lost).
    if (!link.isBlackholed) connectUpstream(link);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;

  return {
    host: "127.0.0.1",
    port,
    urlFor(upstreamUrl) {
      const url = new URL(upstreamUrl);
      url.hostname = "127.0.0.1";
      url.port = String(port);
      return url.toString();
    },
    pass() {
      mode = { kind: "pass" };
      for (const link of links) {
        link.isHeldAlone = false;
        flush(link);
      }
    },
    pause() {
      mode = { kind: "pause" };
    },
    blackhole() {
      mode = { kind: "blackhole" };
      for (const link of links) {
        link.isBlackholed = true;
        link.held.length = 0;
      }
    },
    delay(ms) {
      mode = { kind: "delay", ms };
    },
    drop() {
      for (const link of [...links]) {
        link.client.resetAndDestroy();
        end(link);
      }
    },
    holdWhen(matches) {
      return new Promise<void>((resolve) => {
        trigger = { matches, resolve };
      });
    },
    get openConnections() {
      return links.size;
    },
    async close() {
      for (const link of [...links]) end(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
