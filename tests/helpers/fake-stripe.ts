// A loopback stand-in for Stripe's API (https://docs.stripe.com/api) for the Stripe driver's contract tests.
// It checks what Stripe would check (the secret key in the Authorization header, form-encoded bodies, the
// Idempotency-Key semantics: same key and same body replay the first answer, same key with another body is
// an idempotency_error) and answers with Stripe-shaped JSON. Every request is recorded for assertions.
import { createHash } from "node:crypto";
import http from "node:http";

export type RecordedRequest = {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The form-encoded body as Stripe receives it: flat keys such as `line_items[0][price]`. */
  form: URLSearchParams;
  authorization: string | undefined;
  contentType: string | undefined;
  idempotencyKey: string | undefined;
  stripeVersion: string | undefined;
};

type Answer = { status: number; body: unknown };

export async function startFakeStripe(secretKey: string) {
  const requests: RecordedRequest[] = [];
  const customers = new Map<string, Record<string, unknown>>();
  const sessions = new Map<string, Record<string, unknown>>();
  const subscriptions = new Map<string, Record<string, unknown>>();
  const paymentMethods = new Map<string, Record<string, unknown>>();
  const invoices: Record<string, unknown>[] = [];
  const idempotent = new Map<string, { bodyHash: string; answer: Answer }>();
  const failures: { route: string; status: number }[] = [];
  /** Standing answers (an outage, a customer this key cannot see) checked before the routes; the first that answers wins. */
  const overrides = new Set<(request: RecordedRequest) => Answer | null>();
  let responseDelayMs = 0;
  let counter = 0;
  const nextId = (prefix: string) => `${prefix}_fake${String(++counter).padStart(6, "0")}`;

  const error = (status: number, type: string, message: string, extra: Record<string, unknown> = {}): Answer => ({
    status,
    body: { error: { type, message, ...extra } },
  });

  function route(request: RecordedRequest): Answer {
    const { method, path, form } = request;
    if (method === "POST" && path === "/v1/customers") {
      const customer = { id: nextId("cus"), object: "customer", email: form.get("email"), metadata: metadataOf(form), livemode: false };
      customers.set(customer.id, customer);
      return { status: 200, body: customer };
    }
    if (method === "POST" && path === "/v1/checkout/sessions") {
      for (const required of ["mode", "success_url", "line_items[0][price]"]) {
        if (!form.get(required)) return error(400, "invalid_request_error", `Missing required param: ${required}.`, { param: required });
      }
      const id = nextId("cs_test");
      const session = {
        id,
        object: "checkout.session",
        mode: form.get("mode"),
        customer: form.get("customer"),
        client_reference_id: form.get("client_reference_id"),
        metadata: metadataOf(form),
        status: "open",
        url: `https://checkout.stripe.com/c/pay/${id}`,
        success_url: form.get("success_url"),
        cancel_url: form.get("cancel_url"),
      };
      sessions.set(id, session);
      return { status: 200, body: session };
    }
    const subscription = /^\/v1\/subscriptions\/([^/]+)$/.exec(path);
    if (subscription && !subscriptions.has(subscription[1]!)) {
      return error(404, "invalid_request_error", `No such subscription: '${subscription[1]}'`, { code: "resource_missing", param: "id" });
    }
    if (method === "GET" && subscription) {
      const found = subscriptions.get(subscription[1]!)!;
      // `expand[]=default_payment_method` (or `latest_invoice`) replaces the id with the object, as Stripe does.
      const expand = [...request.query.entries()].filter(([key]) => /^expand\[\d*\]$/.test(key)).map(([, value]) => value);
      const paymentMethod = typeof found.default_payment_method === "string" ? paymentMethods.get(found.default_payment_method) : undefined;
      const latestInvoice = typeof found.latest_invoice === "string" ? invoices.find((invoice) => invoice.id === found.latest_invoice) : undefined;
      return {
        status: 200,
        body: {
          ...found,
          ...(expand.includes("default_payment_method") && paymentMethod && { default_payment_method: paymentMethod }),
          ...(expand.includes("latest_invoice") && latestInvoice && { latest_invoice: latestInvoice }),
        },
      };
    }
    if (method === "POST" && subscription) {
      const found = subscriptions.get(subscription[1]!)!;
      const trialEnd = form.get("trial_end");
      if (trialEnd !== null) {
        if (trialEnd !== "now" && !/^\d+$/.test(trialEnd)) {
          return error(400, "invalid_request_error", "Invalid trial_end: must be 'now' or a timestamp.", { param: "trial_end" });
        }
        const now = Math.floor(Date.now() / 1000);
        // Ending a trial now invoices the first period at once: paid with a card on file, past due without.
        Object.assign(found, {
          trial_end: trialEnd === "now" ? now : Number(trialEnd),
          ...(trialEnd === "now" && { status: found.default_payment_method ? "active" : "past_due" }),
        });
      }
      return { status: 200, body: found };
    }
    if (method === "GET" && path === "/v1/invoices") {
      const customer = request.query.get("customer");
      const data = invoices.filter((invoice) => invoice.customer === customer);
      return { status: 200, body: { object: "list", data, has_more: false, url: "/v1/invoices" } };
    }
    if (method === "POST" && path === "/v1/billing_portal/sessions") {
      if (!form.get("customer")) return error(400, "invalid_request_error", "Missing required param: customer.", { param: "customer" });
      const id = nextId("bps");
      return {
        status: 200,
        body: { id, object: "billing_portal.session", customer: form.get("customer"), return_url: form.get("return_url"), url: `https://billing.stripe.com/p/session/${id}` },
      };
    }
    return error(404, "invalid_request_error", `Unrecognized request URL (${method}: ${path}).`);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://stripe.test");
      const body = Buffer.concat(chunks).toString("utf8");
      const request: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        form: new URLSearchParams(body),
        authorization: req.headers.authorization,
        contentType: req.headers["content-type"],
        idempotencyKey: req.headers["idempotency-key"] as string | undefined,
        stripeVersion: req.headers["stripe-version"] as string | undefined,
      };
      requests.push(request);
      const send = (answer: Answer, headers: Record<string, string> = {}) => {
        const write = () => {
          res.writeHead(answer.status, { "content-type": "application/json", "request-id": `req_${counter}`, ...headers });
          res.end(JSON.stringify(answer.body));
        };
        if (responseDelayMs > 0) setTimeout(write, responseDelayMs);
        else write();
      };
      if (request.authorization !== `Bearer ${secretKey}`) {
        return send(error(401, "invalid_request_error", "Invalid API Key provided."));
      }
      if (request.method === "POST" && !request.contentType?.startsWith("application/x-www-form-urlencoded")) {
        return send(error(400, "invalid_request_error", "Stripe takes form-encoded request bodies."));
      }
      for (const override of overrides) {
        const answer = override(request);
        if (answer) return send(answer);
      }
      const failure = failures.findIndex((candidate) => candidate.route === `${request.method} ${request.path}`);
      if (failure >= 0) {
        const { status } = failures.splice(failure, 1)[0]!;
        return send(error(status, "api_error", "Something went wrong on Stripe's end."));
      }
      if (request.method === "POST" && request.idempotencyKey) {
        const bodyHash = createHash("sha256").update(`${request.path}\n${body}`).digest("hex");
        const earlier = idempotent.get(request.idempotencyKey);
        if (earlier && earlier.bodyHash !== bodyHash) {
          return send(
            error(400, "idempotency_error", "Keys for idempotent requests can only be used with the same parameters they were first used with."),
          );
        }
        if (earlier) return send(earlier.answer, { "idempotent-replayed": "true" });
        const answer = route(request);
        idempotent.set(request.idempotencyKey, { bodyHash, answer });
        return send(answer);
      }
      send(route(request));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    customers,
    sessions,
    subscriptions,
    /** Payment methods by id, returned in place of a subscription's `default_payment_method` when it is expanded. */
    paymentMethods,
    invoices,
    /** The next request to `METHOD /path` fails with this status (Stripe's SDK retries 5xx). */
    failNext(route: string, status = 500) {
      failures.push({ route, status });
    },
    /**
     * Until the returned function is called, requests for which `answer` returns an answer get it instead of the
     * route's (e.g. 500 for every subscription read during an outage).
     */
    override(answer: (request: RecordedRequest) => Answer | null) {
      overrides.add(answer);
      return () => void overrides.delete(answer);
    },
    /** Every answer leaves this much later (0: at once), so a client is caught mid-request. */
    delayResponses(ms: number) {
      responseDelayMs = ms;
    },
    /** Stripe's error body, for `override`. */
    error,
    requestsTo(route: string) {
      return requests.filter((request) => `${request.method} ${request.path}` === route);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function metadataOf(form: URLSearchParams): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [key, value] of form) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match) metadata[match[1]!] = value;
  }
  return metadata;
}

/** The prices the Stripe driver is configured with in tests, one per plan. */
const TEST_PRICES = { starter: "price_starter_test", growth: "price_growth_test", scale: "price_scale_test" };

/** Starts the double and points the Stripe billing driver at it: call it before server/env.ts is first read. */
export async function startStripeForDriver(secretKey: string) {
  const stripe = await startFakeStripe(secretKey);
  Object.assign(process.env, {
    STRIPE_SECRET_KEY: secretKey,
    STRIPE_API_BASE: stripe.url,
    STRIPE_PRICE_STARTER: TEST_PRICES.starter,
    STRIPE_PRICE_GROWTH: TEST_PRICES.growth,
    STRIPE_PRICE_SCALE: TEST_PRICES.scale,
    LYCEUM_PUBLIC_URL: "https://portal.example.org",
  });
  return stripe;
}
