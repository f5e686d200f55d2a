// A loopback server that speaks MongoDB's wire protocol the way mongod does, for the MongoDB driver's contract
// test (no MongoDB server runs on this machine). It answers the handshake (OP_QUERY isMaster → OP_REPLY, as the
// Node driver sends it before it knows the server's wire version), then OP_MSG commands; it authenticates with
// SCRAM-SHA-256 (RFC 5802/7677, as mongod does) and refuses unauthenticated commands; and it keeps the users that
// createUser/updateUser/dropUser manage, answering with mongod's error codes. Every command is recorded.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import net from "node:net";
import { BSON } from "mongodb";

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;
const SCRAM_ITERATIONS = 15_000;

type Document = Record<string, unknown>;
type StoredUser = { db: string; user: string; pwd: string; roles: unknown[]; salt: Buffer };
type RecordedCommand = { name: string; db: string; body: Document; authenticatedAs: string | null };

// https://www.mongodb.com/docs/manual/reference/error-codes/
const errors = {
  unauthorized: (name: string) => ({ ok: 0, code: 13, codeName: "Unauthorized", errmsg: `command ${name} requires authentication` }),
  authFailed: () => ({ ok: 0, code: 18, codeName: "AuthenticationFailed", errmsg: "Authentication failed." }),
  userExists: (user: string, db: string) => ({ ok: 0, code: 51003, codeName: "Location51003", errmsg: `User "${user}@${db}" already exists` }),
  userNotFound: (user: string, db: string) => ({ ok: 0, code: 11, codeName: "UserNotFound", errmsg: `User '${user}@${db}' not found` }),
  badValue: (message: string) => ({ ok: 0, code: 2, codeName: "BadValue", errmsg: message }),
  noSuchCommand: (name: string) => ({ ok: 0, code: 59, codeName: "CommandNotFound", errmsg: `no such command: '${name}'` }),
};

export async function startFakeMongod(admin: { user: string; password: string }) {
  const users = new Map<string, StoredUser>();
  const commands: RecordedCommand[] = [];
  const sockets = new Set<net.Socket>();
  const droppedDatabases: string[] = [];
  /** Databases that hold data (mongod lists only those); a test adds names as if something had been written. */
  const databases = new Set<string>(["admin"]);
  const opCodes = new Set<number>();
  const keyOf = (db: string, user: string) => `${db}.${user}`;
  users.set(keyOf("admin", admin.user), { db: "admin", user: admin.user, pwd: admin.password, roles: ["root"], salt: randomBytes(28) });
  let connectionCount = 0;

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    const connectionId = ++connectionCount;
    const session: { user: StoredUser | null; scram: ScramConversation | null } = { user: null, scram: null };
    let buffered = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4 && buffered.length >= buffered.readInt32LE(0)) {
        const length = buffered.readInt32LE(0);
        const message = buffered.subarray(0, length);
        buffered = buffered.subarray(length);
        const reply = handleMessage(message, connectionId, session);
        if (reply) socket.write(reply);
      }
    });
    socket.on("error", () => socket.destroy());
  });

  function handleMessage(message: Buffer, connectionId: number, session: Session): Buffer | null {
    const requestId = message.readInt32LE(4);
    const opCode = message.readInt32LE(12);
    opCodes.add(opCode);
    if (opCode === OP_QUERY) {
      // flags(4) fullCollectionName(cstring) numberToSkip(4) numberToReturn(4) query(doc)
      const nameEnd = message.indexOf(0, 20);
      const collection = message.toString("utf8", 20, nameEnd);
      const query = BSON.deserialize(message.subarray(nameEnd + 9), { promoteBuffers: true });
      const body = runCommand({ ...query, $db: collection.replace(/\.\$cmd$/, "") }, connectionId, session);
      return opReply(requestId, body);
    }
    if (opCode === OP_MSG) {
      const flags = message.readUInt32LE(16);
      let offset = 20;
      let command: Document | null = null;
      const end = flags & 1 ? message.length - 4 : message.length; // checksumPresent
      while (offset < end) {
        const kind = message.readUInt8(offset);
        offset += 1;
        const size = message.readInt32LE(offset);
        if (kind === 0) command = BSON.deserialize(message.subarray(offset, offset + size), { promoteBuffers: true });
        offset += size; // kind 1 (document sequences) carry a size prefix too; no command we handle uses them
      }
      if (!command) return opMsg(requestId, errors.badValue("OP_MSG without a body section"));
      const body = runCommand(command, connectionId, session);
      return flags & 2 ? null : opMsg(requestId, body); // moreToCome: the client expects no answer
    }
    return opMsg(requestId, errors.badValue(`unsupported opCode ${opCode}`));
  }

  type Session = { user: StoredUser | null; scram: ScramConversation | null };

  function runCommand(command: Document, connectionId: number, session: Session): Document {
    const name = Object.keys(command)[0]!;
    const db = String(command.$db ?? "admin");
    // What the command says, without the envelope every OP_MSG carries.
    const body = Object.fromEntries(Object.entries(command).filter(([key]) => !["$db", "lsid", "$clusterTime", "$readPreference"].includes(key)));
    const lower = name.toLowerCase();
    if (lower !== "ismaster" && lower !== "hello") {
      commands.push({ name, db, body, authenticatedAs: session.user ? `${session.user.user}@${session.user.db}` : null });
    }

    if (lower === "ismaster" || lower === "hello") {
      const reply: Document = {
        helloOk: true,
        ismaster: true,
        isWritablePrimary: true,
        maxBsonObjectSize: 16 * 1024 * 1024,
        maxMessageSizeBytes: 48_000_000,
        maxWriteBatchSize: 100_000,
        localTime: new Date(),
        logicalSessionTimeoutMinutes: 30,
        connectionId,
        minWireVersion: 0,
        maxWireVersion: 21, // MongoDB 7.0
        readOnly: false,
        ok: 1,
      };
      if (typeof command.saslSupportedMechs === "string") {
        const [mechDb, ...rest] = command.saslSupportedMechs.split(".");
        if (users.has(keyOf(mechDb!, rest.join(".")))) reply.saslSupportedMechs = ["SCRAM-SHA-256"];
      }
      return reply;
    }
    if (name === "saslStart") {
      if (command.mechanism !== "SCRAM-SHA-256") return errors.badValue(`unsupported mechanism ${String(command.mechanism)}`);
      const conversation = startScram(Buffer.from(command.payload as Buffer).toString("utf8"), db, users);
      if (!conversation) return errors.authFailed();
      session.scram = conversation;
      return { conversationId: 1, done: false, payload: Buffer.from(conversation.serverFirst), ok: 1 };
    }
    if (name === "saslContinue") {
      const conversation = session.scram;
      if (!conversation) return errors.badValue("no SASL conversation in progress");
      if (conversation.isVerified) return { conversationId: 1, done: true, payload: Buffer.alloc(0), ok: 1 };
      const serverFinal = finishScram(conversation, Buffer.from(command.payload as Buffer).toString("utf8"));
      if (!serverFinal) return errors.authFailed();
      session.user = conversation.user;
      conversation.isVerified = true;
      return { conversationId: 1, done: true, payload: Buffer.from(serverFinal), ok: 1 };
    }
    if (name === "ping" || name === "endSessions") return { ok: 1 };
    if (!session.user) return errors.unauthorized(name);

    if (name === "createUser") {
      const user = String(command.createUser);
      if (users.has(keyOf(db, user))) return errors.userExists(user, db);
      if (typeof command.pwd !== "string" || !Array.isArray(command.roles)) return errors.badValue("createUser needs pwd and roles");
      users.set(keyOf(db, user), { db, user, pwd: command.pwd, roles: command.roles, salt: randomBytes(28) });
      return { ok: 1 };
    }
    if (name === "updateUser") {
      const user = String(command.updateUser);
      const existing = users.get(keyOf(db, user));
      if (!existing) return errors.userNotFound(user, db);
      if (typeof command.pwd === "string") Object.assign(existing, { pwd: command.pwd, salt: randomBytes(28) });
      if (Array.isArray(command.roles)) existing.roles = command.roles;
      return { ok: 1 };
    }
    if (name === "dropUser") {
      const user = String(command.dropUser);
      if (!users.delete(keyOf(db, user))) return errors.userNotFound(user, db);
      return { ok: 1 };
    }
    if (name === "usersInfo") {
      const all = (command.usersInfo as Document | undefined)?.forAllDBs === true;
      if (!all && db !== "admin") return errors.badValue("this double answers usersInfo with { forAllDBs: true } only");
      const listed = [...users.values()].map((stored) => ({ _id: `${stored.db}.${stored.user}`, user: stored.user, db: stored.db, roles: stored.roles }));
      return { users: listed, ok: 1 };
    }
    if (name === "listDatabases") {
      if (db !== "admin") return errors.unauthorized(name);
      return { databases: [...databases].map((database) => ({ name: database })), ok: 1 };
    }
    if (name === "dropDatabase") {
      droppedDatabases.push(db);
      databases.delete(db);
      return { dropped: db, ok: 1 };
    }
    return errors.noSuchCommand(name);
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: (user = admin.user, password = admin.password, authSource = "admin") =>
      `mongodb://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/?authSource=${authSource}&directConnection=true`,
    commands,
    users,
    droppedDatabases,
    databases,
    /** Which wire messages clients sent: OP_QUERY (2004) for the first handshake, OP_MSG (2013) after it. */
    opCodes,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

type ScramConversation = {
  user: StoredUser;
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  isVerified: boolean;
};

function startScram(clientFirst: string, db: string, users: Map<string, StoredUser>): ScramConversation | null {
  // "n,,n=<user>,r=<client nonce>"
  const clientFirstBare = clientFirst.replace(/^n,,/, "");
  const attributes = parseScram(clientFirstBare);
  const user = users.get(`${db}.${attributes.n?.replace(/=2C/g, ",").replace(/=3D/g, "=")}`);
  if (!user || !attributes.r) return null;
  const nonce = attributes.r + randomBytes(18).toString("base64");
  const serverFirst = `r=${nonce},s=${user.salt.toString("base64")},i=${SCRAM_ITERATIONS}`;
  return { user, clientFirstBare, serverFirst, nonce, isVerified: false };
}

/** Verifies the client's proof; returns the server-final message ("v=<server signature>"), or null. */
function finishScram(conversation: ScramConversation, clientFinal: string): string | null {
  const attributes = parseScram(clientFinal);
  if (attributes.r !== conversation.nonce || !attributes.p) return null;
  const withoutProof = clientFinal.slice(0, clientFinal.lastIndexOf(",p="));
  const authMessage = `${conversation.clientFirstBare},${conversation.serverFirst},${withoutProof}`;
  const salted = pbkdf2Sync(conversation.user.pwd.normalize("NFKC"), conversation.user.salt, SCRAM_ITERATIONS, 32, "sha256");
  const hmac = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest();
  const storedKey = createHash("sha256").update(hmac(salted, "Client Key")).digest();
  const clientSignature = hmac(storedKey, authMessage);
  const proof = Buffer.from(attributes.p, "base64");
  if (proof.length !== clientSignature.length) return null;
  const clientKey = Buffer.from(proof.map((byte, i) => byte ^ clientSignature[i]!));
  if (!timingSafeEqual(createHash("sha256").update(clientKey).digest(), storedKey)) return null;
  return `v=${hmac(hmac(salted, "Server Key"), authMessage).toString("base64")}`;
}

function parseScram(message: string): Record<string, string> {
  return Object.fromEntries(message.split(",").map((part) => [part.slice(0, 1), part.slice(2)]));
}

function opReply(responseTo: number, document: Document) {
  const body = Buffer.from(BSON.serialize(document));
  const header = Buffer.alloc(36);
  header.writeInt32LE(36 + body.length, 0);
  header.writeInt32LE(Math.floor(Math.random() * 2 ** 31), 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_REPLY, 12);
  header.writeInt32LE(0, 16); // responseFlags
  header.writeBigInt64LE(0n, 20); // cursorID
  header.writeInt32LE(0, 28); // startingFrom
  header.writeInt32LE(1, 32); // numberReturned
  return Buffer.concat([header, body]);
}

function opMsg(responseTo: number, document: Document) {
  const body = Buffer.from(BSON.serialize(document));
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(Math.floor(Math.random() * 2 ** 31), 4);
  header.writeInt32LE(responseTo, 8);
  header.writeInt32LE(OP_MSG, 12);
  header.writeUInt32LE(0, 16); // flagBits
  header.writeUInt8(0, 20); // section kind 0: the body
  return Buffer.concat([header, body]);
}
