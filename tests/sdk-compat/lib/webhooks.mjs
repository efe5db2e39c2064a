// The tenant's webhook receiver: a real HTTP server on the port the tenant's WebhookUrl points at. Every event is
// checked with @authsignal/node's own verifier (webhook.constructEvent) before a test sees it, so each OTP and push
// flow also proves that the server's X-Signature-V2 is what the SDK accepts.
import http from "node:http";
import { serverSdk } from "./sdks.mjs";
import { webhookPort } from "./env.mjs";

export async function startWebhookReceiver() {
  if (!webhookPort) {
    throw new Error("CHALLENGES_WEBHOOK_PORT is not set: the tenant's WebhookUrl must point at a port this test can listen on.");
  }
  const verifier = serverSdk().webhook;
  const events = [];
  const rejected = [];
  const waiters = new Set();

  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        const event = verifier.constructEvent(body, request.headers["x-signature-v2"]);
        events.push(event);
        for (const waiter of [...waiters]) {
          if (waiter.match(event)) {
            waiters.delete(waiter);
            clearTimeout(waiter.timer);
            waiter.resolve(event);
          }
        }
        response.writeHead(200, { "content-type": "application/json" }).end("{}");
      } catch (error) {
        rejected.push({ body, header: request.headers["x-signature-v2"], error: String(error) });
        response.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error) }));
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(webhookPort, "127.0.0.1", resolve);
  });

  return {
    events,
    rejected,
    /** The first event (already received or still to come) of this type that matches. */
    waitFor(type, match = () => true, timeoutMs = 10_000) {
      const test = (event) => event.type === type && match(event);
      const found = events.find(test);
      if (found) {
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const waiter = { match: test, resolve };
        waiter.timer = setTimeout(() => {
          waiters.delete(waiter);
          const why = rejected.length ? ` Rejected by the SDK verifier: ${JSON.stringify(rejected)}` : "";
          reject(new Error(`No ${type} webhook within ${timeoutMs} ms; received ${JSON.stringify(events.map((e) => e.type))}.${why}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
