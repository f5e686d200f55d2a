// A streaming tar (POSIX ustar, with pax headers for long names and sizes): enough to hand a backup to its owner as
// one archive, each entry's size known in advance from the manifest. No dependency for a format this small.
import { Readable } from "node:stream";

export type TarEntry = { name: string; size: number; mtime: Date; body: () => AsyncIterable<Buffer> };

const BLOCK = 512;
const MAX_USTAR_SIZE = 8 ** 11 - 1;

function octal(value: number, width: number) {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

function header(name: string, size: number, mtime: Date, type: "0" | "x") {
  const block = Buffer.alloc(BLOCK);
  block.write(name.slice(0, 100), 0, 100, "utf8");
  block.write(octal(0o644, 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(Math.min(size, MAX_USTAR_SIZE), 12), 124);
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136);
  block.fill(" ", 148, 156);
  block.write(type, 156);
  block.write("ustar\0", 257);
  block.write("00", 263);
  let checksum = 0;
  for (const byte of block) checksum += byte;
  block.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148);
  return block;
}

/** A pax record is "<length> <key>=<value>\n", where the length counts its own digits. */
function paxRecord(key: string, value: string) {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function padding(size: number) {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

async function* tarChunks(entries: Iterable<TarEntry>): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const records = [
      ...(Buffer.byteLength(entry.name) > 100 ? [paxRecord("path", entry.name)] : []),
      ...(entry.size > MAX_USTAR_SIZE ? [paxRecord("size", String(entry.size))] : []),
    ].join("");
    if (records) {
      const pax = Buffer.from(records, "utf8");
      yield header("PaxHeader", pax.length, entry.mtime, "x");
      yield pax;
      yield padding(pax.length);
    }
    yield header(entry.name, entry.size, entry.mtime, "0");
    let written = 0;
    for await (const chunk of entry.body()) {
      written += chunk.length;
      yield chunk;
    }
    // The header promised a size: an archive whose entry came out shorter or longer is corrupt, so it stops here.
    if (written !== entry.size) throw new Error(`tar entry ${entry.name}: ${written} bytes, ${entry.size} announced`);
    yield padding(entry.size);
  }
  yield Buffer.alloc(BLOCK * 2);
}

export function tarStream(entries: Iterable<TarEntry>): Readable {
  return Readable.from(tarChunks(entries));
}
