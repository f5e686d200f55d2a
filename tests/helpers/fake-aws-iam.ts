// A loopback server that checks requests the way AWS IAM's Query API does and answers like it, for the IAM
// driver's contract test (AWS is not reachable from here). It verifies each request's Signature Version 4
// (service iam, region us-east-1, signed host and x-amz-date, the body's SHA-256) with its own implementation
// of the algorithm, requires POST / with a form body carrying Action and Version=2010-05-08, and keeps users,
// inline policies and access keys with IAM's limits and error codes (EntityAlreadyExists, NoSuchEntity,
// DeleteConflict, LimitExceeded: two keys per user).
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";

type User = { name: string; path: string; tags: Record<string, string>; policies: Map<string, string>; keys: Map<string, string> };
type IamCall = { action: string; params: Record<string, string>; accessKeyId: string };

const XMLNS = "https://iam.amazonaws.com/doc/2010-05-08/";
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export async function startFakeIam(credentials: { accessKeyId: string; secretAccessKey: string }) {
  const users = new Map<string, User>();
  const calls: IamCall[] = [];
  const rejected: { status: number; code: string; message: string }[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { "content-type": "text/xml", "x-amzn-requestid": randomUUID() });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
      };
      const fail = (status: number, code: string, message: string, type = "Sender") => {
        rejected.push({ status, code, message });
        reply(status, `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      };

      if (req.method !== "POST" || (req.url ?? "/") !== "/") return fail(400, "InvalidAction", `IAM's Query API takes POST /, not ${req.method} ${req.url}`);
      if (!String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        return fail(400, "MalformedQueryString", "the body must be application/x-www-form-urlencoded");
      }
      const signatureProblem = checkSignatureV4(req, body, credentials);
      if (signatureProblem) return fail(403, signatureProblem.code, signatureProblem.message);

      const params = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      if (params.Version !== "2010-05-08") return fail(400, "InvalidParameterValue", `unsupported Version ${params.Version}`);
      const action = params.Action ?? "";
      calls.push({ action, params, accessKeyId: credentials.accessKeyId });
      const userName = params.UserName ?? "";
      const user = users.get(userName);
      const noUser = () => fail(404, "NoSuchEntity", `The user with name ${userName} cannot be found.`);
      const ok = (result: string) =>
        reply(200, `<${action}Response xmlns="${XMLNS}">${result ? `<${action}Result>${result}</${action}Result>` : ""}<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`);
      const userXml = (u: User) =>
        `<User><Path>${escapeXml(u.path)}</Path><UserName>${escapeXml(u.name)}</UserName><UserId>AIDA${randomBytes(8).toString("hex").toUpperCase()}</UserId><Arn>arn:aws:iam::123456789012:user${escapeXml(u.path)}${escapeXml(u.name)}</Arn><CreateDate>${new Date().toISOString()}</CreateDate></User>`;

      switch (action) {
        case "CreateUser": {
          if (!/^[\w+=,.@-]{1,64}$/.test(userName)) return fail(400, "ValidationError", `invalid UserName ${userName}`);
          if (user) return fail(409, "EntityAlreadyExists", `User with name ${userName} already exists.`);
          const tags: Record<string, string> = {};
          for (let i = 1; params[`Tags.member.${i}.Key`]; i++) tags[params[`Tags.member.${i}.Key`]!] = params[`Tags.member.${i}.Value`] ?? "";
          const created: User = { name: userName, path: params.Path ?? "/", tags, policies: new Map(), keys: new Map() };
          users.set(userName, created);
          return ok(userXml(created));
        }
        case "PutUserPolicy": {
          if (!user) return noUser();
          try {
            JSON.parse(params.PolicyDocument ?? "");
          } catch {
            return fail(400, "MalformedPolicyDocument", "The policy is not valid JSON.");
          }
          user.policies.set(params.PolicyName!, params.PolicyDocument!);
          return ok("");
        }
        case "ListUserPolicies": {
          if (!user) return noUser();
          return ok(`<PolicyNames>${[...user.policies.keys()].map((name) => `<member>${escapeXml(name)}</member>`).join("")}</PolicyNames><IsTruncated>false</IsTruncated>`);
        }
        case "DeleteUserPolicy": {
          if (!user) return noUser();
          if (!user.policies.delete(params.PolicyName!)) return fail(404, "NoSuchEntity", `The user policy with name ${params.PolicyName} cannot be found.`);
          return ok("");
        }
        case "CreateAccessKey": {
          if (!user) return noUser();
          if (user.keys.size >= 2) return fail(409, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2");
          const id = `AKIA${randomBytes(8).toString("hex").toUpperCase()}`;
          const secret = randomBytes(30).toString("base64");
          user.keys.set(id, secret);
          return ok(`<AccessKey><UserName>${escapeXml(user.name)}</UserName><AccessKeyId>${id}</AccessKeyId><Status>Active</Status><SecretAccessKey>${secret}</SecretAccessKey><CreateDate>${new Date().toISOString()}</CreateDate></AccessKey>`);
        }
        case "ListAccessKeys": {
          if (!user) return noUser();
          const members = [...user.keys.keys()].map(
            (id) => `<member><UserName>${escapeXml(user.name)}</UserName><AccessKeyId>${id}</AccessKeyId><Status>Active</Status><CreateDate>${new Date().toISOString()}</CreateDate></member>`,
          );
          return ok(`<AccessKeyMetadata>${members.join("")}</AccessKeyMetadata><IsTruncated>false</IsTruncated>`);
        }
        case "DeleteAccessKey": {
          if (!user) return noUser();
          if (!user.keys.delete(params.AccessKeyId!)) return fail(404, "NoSuchEntity", `The Access Key with id ${params.AccessKeyId} cannot be found.`);
          return ok("");
        }
        case "ListUsers": {
          const prefix = params.PathPrefix ?? "/";
          const members = [...users.values()].filter((u) => u.path.startsWith(prefix)).map((u) => userXml(u).replace(/^<User>/, "<member>").replace(/<\/User>$/, "</member>"));
          return ok(`<Users>${members.join("")}</Users><IsTruncated>false</IsTruncated>`);
        }
        case "DeleteUser": {
          if (!user) return noUser();
          if (user.policies.size > 0) return fail(409, "DeleteConflict", "Cannot delete entity, must delete policies first.");
          if (user.keys.size > 0) return fail(409, "DeleteConflict", "Cannot delete entity, must delete access keys first.");
          users.delete(userName);
          return ok("");
        }
        default:
          return fail(400, "InvalidAction", `Could not find operation ${action} for version 2010-05-08`);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    users,
    calls,
    rejected,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html). */
function checkSignatureV4(req: http.IncomingMessage, body: Buffer, credentials: { accessKeyId: string; secretAccessKey: string }) {
  const authorization = String(req.headers.authorization ?? "");
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return { code: "IncompleteSignature", message: "Authorization header is not a SigV4 signature" };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = match as unknown as string[];
  if (accessKeyId !== credentials.accessKeyId) return { code: "InvalidClientTokenId", message: "The security token included in the request is invalid." };
  if (service !== "iam" || region !== "us-east-1") return { code: "SignatureDoesNotMatch", message: `Credential should be scoped to us-east-1/iam, not ${region}/${service}` };
  const signedHeaders = signedHeaderList!.split(";");
  if (!signedHeaders.includes("host") || !signedHeaders.includes("x-amz-date")) {
    return { code: "SignatureDoesNotMatch", message: "host and x-amz-date must be signed" };
  }
  const amzDate = String(req.headers["x-amz-date"] ?? "");
  const time = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  if (!amzDate.startsWith(date!) || Number.isNaN(time) || Math.abs(Date.now() - time) > MAX_CLOCK_SKEW_MS) {
    return { code: "SignatureDoesNotMatch", message: "Signature expired or x-amz-date does not match the credential scope" };
  }
  const bodyHash = createHash("sha256").update(body).digest("hex");
  const declaredHash = req.headers["x-amz-content-sha256"];
  if (declaredHash && declaredHash !== bodyHash) return { code: "SignatureDoesNotMatch", message: "x-amz-content-sha256 does not match the body" };
  const [path, query = ""] = (req.url ?? "/").split("?");
  const canonicalQuery = query
    .split("&")
    .filter(Boolean)
    .map((pair) => pair.split("=").map((part) => encodeURIComponent(decodeURIComponent(part ?? ""))).join("="))
    .sort()
    .join("&");
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${String(req.headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [req.method, path, canonicalQuery, canonicalHeaders, signedHeaderList, bodyHash].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date!), region!), service!), "aws4_request");
  const expected = hmac(signingKey, stringToSign);
  if (!timingSafeEqual(expected, Buffer.from(signature!, "hex"))) {
    return { code: "SignatureDoesNotMatch", message: "The request signature we calculated does not match the signature you provided." };
  }
  return null;
}

function escapeXml(value: string) {
  return value.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!);
}
