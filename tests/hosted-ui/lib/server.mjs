// The parts of a tenant around the hosted page, as real processes and listeners: the Server API called with the secret
// key, the tenant's webhook receiver (where the codes arrive), and the tenant's application (where the page sends the
// user back with ?token= or ?error=, and which validates the token as a backend does).
import http from "node:http";
import { baseUrl, secretKey } from "../../sdk-compat/lib/env.mjs";

export { baseUrl, tenantId } from "../../sdk-compat/lib/env.mjs";
export const webhookPort = Number(process.env.CHALLENGES_WEBHOOK_PORT);
export const appPort = Number(process.env.CHALLENGES_APP_PORT);
export const appUrl = `http://127.0.0.1:${appPort}`;

const basic = (key) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

/** The second tenant's secret key: its send limit is one code per window (HostedBrowserFixture). */
export const limitedSecretKey = process.env.CHALLENGES_LIMITED_SECRET_KEY;

/** A Server API call, as the first tenant unless `key` is another tenant's secret key. */
export async function serverApi(method, path, body, key = secretKey) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { Authorization: basic(key), "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  }
  return json;
}

export const newUserId = () => `ui-${crypto.randomUUID().slice(0, 12)}`;

/** A phone number nobody else in the run uses (the send limits count per destination). */
export const newPhone = () => `+6427${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

/** Tracks an action whose redirectUrl is the application's /done; answers the track body. */
export const track = (userId, body = {}, action = "signIn", key = secretKey) =>
  serverApi("POST", `/v1/users/${encodeURIComponent(userId)}/actions/${action}`, { redirectUrl: `${appUrl}/done`, ...body }, key);

/** Gives the user an authenticator the backend has verified (SMS, WHATSAPP, EMAIL_OTP). */
export const enrolVerified = (userId, authenticator, key = secretKey) =>
  serverApi("POST", `/v1/users/${encodeURIComponent(userId)}/authenticators`, authenticator, key);

export const validate = (token, key = secretKey) => serverApi("POST", "/v1/validate", { token }, key);

/** The webhook receiver on the port the tenant's WebhookUrl names. */
export async function startWebhooks() {
  const events = [];
  const waiters = new Set();
  const server = http.createServer((request, response) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      events.push(event);
      for (const waiter of [...waiters]) {
        if (waiter.test(event)) {
          waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(event);
        }
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(webhookPort, "127.0.0.1", resolve));
  return {
    events,
    /** The first event of this type for the user (and matching `match`) after `since` events were seen. */
    waitFor(type, userId, { since = 0, match = () => true } = {}) {
      const test = (e) => e.type === type && e.data.userId === userId && match(e);
      const found = events.slice(since).find(test);
      if (found) {
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const waiter = { test, resolve };
        waiter.timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`No ${type} webhook for ${userId}; received ${JSON.stringify(events.map((e) => e.type))}`));
        }, 15_000);
        waiters.add(waiter);
      });
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * The tenant's application. /done?token= validates the token with the Server API (the second tenant's key when the
 * redirectUrl says tenant=limited) and shows the answer; /done?error=
 * shows the error with a "Sign in again" link to /start, which tracks a new action and sends the browser to its url.
 */
export async function startApp() {
  const validations = [];
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url, appUrl);
    const html = (status, body) => response.writeHead(status, { "content-type": "text/html; charset=utf-8" })
      .end(`<!doctype html><html lang="en"><title>App</title><main>${body}</main></html>`);
    try {
      if (url.pathname === "/done" && url.searchParams.has("token")) {
        const key = url.searchParams.get("tenant") === "limited" ? limitedSecretKey : secretKey;
        const first = await validate(url.searchParams.get("token"), key);
        const second = await validate(url.searchParams.get("token"), key);
        validations.push({ first, second });
        html(200, `<h1 id="result">${first.isValid ? "Signed in" : "Not signed in"}</h1><p id="user">${first.userId ?? ""}</p>`);
      } else if (url.pathname === "/done") {
        html(200, `<h1 id="result">error=${url.searchParams.get("error")}</h1><a id="again" href="/start?user=${encodeURIComponent(url.searchParams.get("user") ?? "")}">Sign in again</a>`);
      } else if (url.pathname === "/start") {
        const user = url.searchParams.get("user");
        const tracked = await track(user, { redirectUrl: `${appUrl}/done?user=${encodeURIComponent(user)}` });
        response.writeHead(302, { location: hostedUrl(tracked) }).end();
      } else {
        html(404, "not found");
      }
    } catch (error) {
      html(500, String(error));
    }
  });
  await new Promise((resolve, reject) => server.once("error", reject).listen(appPort, "127.0.0.1", resolve));
  return { validations, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The tracked action's url (the server's PublicUrl is the address this run reaches it at). */
export const hostedUrl = (tracked) => {
  const url = new URL(tracked.url);
  if (url.pathname !== "/hosted") {
    throw new Error(`The tracked url is not the hosted page: ${tracked.url}`);
  }
  return url.toString();
};
