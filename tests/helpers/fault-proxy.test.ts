// The fault proxy against an echo server on loopback: each mode does to bytes what its name says.
import net from "node:net";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { startFaultProxy } from "./fault-proxy";

const received: string[] = [];
const echo = net.createServer((socket) =>
  socket.on("data", (chunk) => {
    received.push(chunk.toString());
    socket.write(chunk);
  }),
);
await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", () => resolve()));
const proxy = await startFaultProxy({ host: "127.0.0.1", port: (echo.address() as net.AddressInfo).port });

afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => echo.close(resolve));
});

beforeEach(() => {
  proxy.pass();
  received.length = 0;
});

async function connected() {
  const socket = net.connect(proxy.port, proxy.host);
  await new Promise((resolve) => socket.once("connect", resolve));
  const replies: string[] = [];
  socket.on("data", (chunk) => replies.push(chunk.toString()));
  socket.on("error", () => {});
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return { socket, replies, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = async (check: () => boolean, ms = 2000) => {
  for (const deadline = Date.now() + ms; !check(); await sleep(10)) if (Date.now() > deadline) throw new Error("timed out");
};

describe("the fault proxy", () => {
  it("passes bytes both ways", async () => {
    const { socket, replies } = await connected();
    socket.write("hello");
    await until(() => replies.join("") === "hello");
    socket.destroy();
  });

  it("holds bytes while paused and delivers them, in order, when passing again", async () => {
    const { socket, replies } = await connected();
    proxy.pause();
    socket.write("one,");
    socket.write("two");
    await sleep(200);
    expect(received).toEqual([]);
    proxy.pass();
    await until(() => replies.join("") === "one,two");
    socket.destroy();
  });

  it("black-holes: accepts, never forwards, and a black-holed connection stays dead after the hole closes", async () => {
    proxy.blackhole();
    const { socket, replies } = await connected();
    socket.write("lost");
    await sleep(200);
    proxy.pass();
    socket.write("still lost");
    await sleep(200);
    expect(received).toEqual([]);
    expect(replies).toEqual([]);
    socket.destroy();
  });

  it("drops: every open connection is reset", async () => {
    const { closed } = await connected();
    await until(() => proxy.openConnections === 1);
    proxy.drop();
    await closed;
    expect(proxy.openConnections).toBe(0);
  });

  it("delays each chunk", async () => {
    const { socket, replies } = await connected();
    proxy.delay(300);
    const started = Date.now();
    socket.write("slow");
    await until(() => replies.join("") === "slow");
    // There and back: two delayed hops.
    expect(Date.now() - started).toBeGreaterThanOrEqual(550);
    socket.destroy();
  });

  it("holds one connection from a matching chunk on, while others flow; a client that gives up loses its held bytes", async () => {
    const stuck = await connected();
    const other = await connected();
    const held = proxy.holdWhen((chunk) => chunk.toString().includes("SELECT"));
    stuck.socket.write("SELECT 1");
    await held;
    other.socket.write("ping");
    await until(() => other.replies.join("") === "ping");
    expect(received).toEqual(["ping"]);
    stuck.socket.destroy();
    await stuck.closed;
    await until(() => proxy.openConnections === 1);
    proxy.pass();
    await sleep(200);
    expect(received).toEqual(["ping"]);
    other.socket.destroy();
  });
});
