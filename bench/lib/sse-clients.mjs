// A share of the SSE fan-out's browsers, in a process of its own so that reading thousands of streams does not
// slow the process that times the events: raw sockets, one GET each on the subscription's URL, and for every
// event id a stream receives, the time it arrived (milliseconds since the epoch, comparable across processes).
// Messages from the parent: { open: { host, port, path, cookie, count } } → { opened, failed };
// { countOf: seq } → { count }; { report: true } → { arrivals: { [seq]: number[] } }; { close: true } closes every socket and exits.
import net from "node:net";

const now = () => performance.timeOrigin + performance.now();
/** @type {Map<number, number[]>} */
const arrivals = new Map();
/** @type {net.Socket[]} */
const sockets = [];

function openOne({ host, port, path, cookie }) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    let head = "";
    let isStreaming = false;
    let tail = "";
    socket.setNoDelay(true);
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nAccept: text/event-stream\r\nCookie: ${cookie}\r\n\r\n`);
    });
    socket.on("data", (chunk) => {
      const at = now();
      if (!isStreaming) {
        head += chunk;
        const end = head.indexOf("\r\n\r\n");
        if (end < 0) return;
        if (!head.startsWith("HTTP/1.1 200")) {
          socket.destroy();
          resolve(false);
          return;
        }
        isStreaming = true;
        resolve(true);
        chunk = head.slice(end + 4);
      }
      // An id line may be split across two reads: keep the unfinished last line for the next one.
      const text = tail + chunk;
      const lastNewline = text.lastIndexOf("\n");
      tail = text.slice(lastNewline + 1);
      for (const match of text.slice(0, lastNewline + 1).matchAll(/^id: ?(\d+)\r?$/gm)) {
        const seq = Number(match[1]);
        let list = arrivals.get(seq);
        if (!list) arrivals.set(seq, (list = []));
        list.push(at);
      }
    });
    socket.on("error", () => resolve(false));
    socket.on("close", () => resolve(false));
    sockets.push(socket);
  });
}

process.on("message", async (message) => {
  if (message.open) {
    const { count } = message.open;
    let opened = 0;
    // In waves: each request signs in and checks ownership on the web process before its stream starts.
    for (let i = 0; i < count; i += 100) {
      const results = await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => openOne(message.open)));
      opened += results.filter(Boolean).length;
    }
    process.send({ opened, failed: count - opened });
  } else if (message.countOf !== undefined) {
    process.send({ count: arrivals.get(message.countOf)?.length ?? 0 });
  } else if (message.report) {
    process.send({ arrivals: Object.fromEntries(arrivals) });
  } else if (message.close) {
    for (const socket of sockets) socket.destroy();
    process.exit(0);
  }
});
