// Email magic links through @authsignal/browser (emailML.enroll, emailML.challenge, emailML.checkVerificationStatus),
// with the link read from the tenant's email.created webhook and opened as a mail client's browser would: the page
// fetched (twice, as a mail scanner would first), then its form posted. Also @authsignal/node's queryUsers. Needs the
// magic link and query users endpoints (docs/contract.md); run by OfficialSdkTests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { browserSdk, serverSdk } from "./lib/sdks.mjs";
import { startWebhookReceiver } from "./lib/webhooks.mjs";
import { baseUrl, newUserId } from "./lib/env.mjs";
import { assertIsoTime, rejectsWith } from "./lib/assertions.mjs";
import { chromium } from "playwright-core";

/** Debian's chromium (apt-get install chromium), driven by playwright-core. */
const chromiumPath = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const authsignal = serverSdk();
let web;
let webhooks;

before(async () => {
  web = await browserSdk();
  webhooks = await startWebhookReceiver();
});

after(async () => {
  await webhooks?.close();
});

function newEmail() {
  return `ml-${crypto.randomUUID().slice(0, 12)}@example.com`;
}

/** The link the server mailed for this action, as the tenant's backend receives it. */
async function linkFor(tracked, userId, email) {
  const event = await webhooks.waitFor("email.created",
    (e) => e.data.userId === userId && e.data.idempotencyKey === tracked.idempotencyKey && e.data.url && !e.seen);
  event.seen = true;
  assert.equal(event.data.to, email);
  assert.equal(event.data.verificationMethod, "EMAIL_MAGIC_LINK");
  assert.equal(event.data.actionCode, "signIn");
  assert.equal(event.data.code, undefined);
  return event.data.url;
}

function htmlDecode(text) {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/**
 * The page the link opens. The link names the server's PublicUrl; this server under test stands in for that host,
 * so the path and query are fetched from it, as a browser would fetch the link itself.
 */
async function openLink(url) {
  const link = new URL(url);
  const here = new URL(`${baseUrl}${link.pathname}${link.search}`);
  const response = await fetch(here);
  const html = await response.text();
  assert.equal(response.status, 200, html);
  assert.match(response.headers.get("content-type"), /^text\/html/);
  assert.match(response.headers.get("content-security-policy"), /frame-ancestors 'none'/);
  assert.doesNotMatch(html, /<script/i);
  return { here, html };
}

/** Presses the page's button: posts its form, as the browser does. */
async function confirm({ here, html }) {
  const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
  assert.ok(action, `the page has a confirm form: ${html}`);
  const response = await fetch(new URL(htmlDecode(action), here), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "",
  });
  const confirmed = await response.text();
  assert.equal(response.status, 200, confirmed);
  assert.match(confirmed, /You are signed in/);
}

async function stateOf(userId, tracked) {
  return (await authsignal.getAction({ userId, action: "signIn", idempotencyKey: tracked.idempotencyKey })).state;
}

/** checkVerificationStatus polls once a second until the link is confirmed: started before the click, like a web app. */
function pollUntilVerified() {
  let settled = false;
  const polling = web.emailML.checkVerificationStatus().finally(() => {
    settled = true;
  });
  return { polling, settled: () => settled };
}

test("emailML: a new user enrols by magic link; a prefetch of the link completes nothing, the page's button does", async () => {
  const userId = newUserId();
  const email = newEmail();
  const tracked = await authsignal.track({ userId, action: "signIn" });
  web.setToken(tracked.token);

  const enrolled = await web.emailML.enroll({ email });
  assert.equal(enrolled.error, undefined, JSON.stringify(enrolled));
  assert.equal(enrolled.data.userId, userId);
  assert.ok(enrolled.data.userAuthenticatorId);
  assert.ok(enrolled.data.challengeId);
  const url = await linkFor(tracked, userId, email);

  const poll = pollUntilVerified();
  // A mail scanner fetches the link first, twice: nothing completes.
  await openLink(url);
  const page = await openLink(url);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(poll.settled(), false, "the poll must still be waiting after a GET of the link");
  assert.notEqual(await stateOf(userId, tracked), "CHALLENGE_SUCCEEDED");

  await confirm(page);
  const verified = await poll.polling;
  assert.equal(verified.error, undefined, JSON.stringify(verified));
  assert.equal(verified.data.isVerified, true);
  assert.equal(typeof verified.data.token, "string", "the finalize answer's accessToken, handed back as token");
  assert.equal(verified.data.userAuthenticator?.userAuthenticatorId, enrolled.data.userAuthenticatorId);
  assert.equal(verified.data.userAuthenticator?.verificationMethod, "EMAIL_MAGIC_LINK");

  const validated = await authsignal.validateChallenge({ token: verified.data.token });
  assert.equal(validated.isValid, true, JSON.stringify(validated));
  assert.equal(validated.state, "CHALLENGE_SUCCEEDED");
  assert.equal(validated.verificationMethod, "EMAIL_MAGIC_LINK");
  const user = await authsignal.getUser({ userId });
  assert.equal(user.isEnrolled, true);
  assert.equal(user.email, email);
  assert.equal(user.emailVerified, true);
});

test("emailML: an enrolled user signs in with emailML.challenge and the link; the used link shows it was used", async () => {
  const userId = newUserId();
  const email = newEmail();
  const first = await authsignal.track({ userId, action: "signIn" });
  web.setToken(first.token);
  await web.emailML.enroll({ email });
  await confirm(await openLink(await linkFor(first, userId, email)));
  assert.equal((await web.emailML.checkVerificationStatus()).data.isVerified, true);

  const tracked = await authsignal.track({ userId, action: "signIn" });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  web.setToken(tracked.token);
  const started = await web.emailML.challenge();
  assert.equal(started.error, undefined, JSON.stringify(started));
  assert.ok(started.data.challengeId);
  const url = await linkFor(tracked, userId, email);
  const poll = pollUntilVerified();
  const page = await openLink(url);
  await confirm(page);

  const verified = await poll.polling;
  assert.equal(verified.data.isVerified, true, JSON.stringify(verified));
  assert.equal((await authsignal.validateChallenge({ token: verified.data.token })).verificationMethod, "EMAIL_MAGIC_LINK");
  const again = await fetch(new URL(htmlDecode(/action="([^"]*)"/.exec(page.html)[1]), page.here), { method: "POST" });
  assert.equal(again.status, 409);
  assert.match(await again.text(), /already been used/);
});

test("emailML: the link's page in a real browser applies its style under the CSP, runs no script, and its button signs in", async () => {
  const userId = newUserId();
  const email = newEmail();
  const tracked = await authsignal.track({ userId, action: "signIn" });
  web.setToken(tracked.token);
  await web.emailML.enroll({ email });
  const link = new URL(await linkFor(tracked, userId, email));

  const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    const problems = [];
    page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
    page.on("pageerror", (error) => problems.push(String(error)));
    const response = await page.goto(`${baseUrl}${link.pathname}${link.search}`);
    assert.equal(response.status(), 200);
    assert.equal(await page.$eval("button", (b) => getComputedStyle(b).backgroundColor), "rgb(27, 27, 31)",
      "the page's style block is allowed by its hash");
    assert.equal(await page.$$eval("script", (s) => s.length), 0);
    assert.notEqual(await stateOf(userId, tracked), "CHALLENGE_SUCCEEDED", "opening the page completes nothing");

    await Promise.all([page.waitForNavigation(), page.click("button")]);
    assert.match(await page.textContent("h1"), /You are signed in/);
    await page.reload();
    assert.match(await page.textContent("h1"), /already been used/);
    assert.deepEqual(problems.filter((p) => !/status of 409/.test(p)), [], "no CSP violation or error in the console");
  } finally {
    await browser.close();
  }
  const verified = await web.emailML.checkVerificationStatus();
  assert.equal(verified.data.isVerified, true, JSON.stringify(verified));
});

test("queryUsers: filters, pages through lastEvaluatedUserId, and lists createdAt", async () => {
  const username = `sdk-q-${crypto.randomUUID().slice(0, 12)}`;
  const created = [];
  for (let i = 0; i < 3; i++) {
    const userId = newUserId();
    await authsignal.updateUser({ userId, attributes: { username, email: `${userId}@example.com` } });
    created.push(userId);
  }

  const listed = [];
  let lastEvaluatedUserId;
  for (let page = 0; page < 50; page++) {
    const reply = await authsignal.queryUsers({ username, limit: 2, lastEvaluatedUserId });
    assert.ok(Array.isArray(reply.users), JSON.stringify(reply));
    assert.ok(reply.users.length <= 2);
    listed.push(...reply.users);
    lastEvaluatedUserId = reply.lastEvaluatedUserId;
    if (!lastEvaluatedUserId) {
      break;
    }
  }
  assert.equal(lastEvaluatedUserId, undefined, "paging reached the last page");
  assert.deepEqual(listed.map((u) => u.userId).sort(), [...created].sort());
  for (const user of listed) {
    assert.equal(user.username, username);
    assert.equal(user.emailVerified, false);
    assert.equal(user.phoneNumberVerified, false);
    assertIsoTime(user.createdAt, "createdAt");
  }

  const byEmail = await authsignal.queryUsers({ email: `${created[1]}@example.com`, username });
  assert.deepEqual(byEmail.users.map((u) => u.userId), [created[1]]);
  await rejectsWith(authsignal.queryUsers({ lastEvaluatedUserId: "not-a-cursor" }), 400, "invalid_request");
});
