// Passkeys in a real browser: Debian's chromium driven by playwright-core, a page served from an origin the tenant
// allows (http://localhost:<CHALLENGES_PAGE_PORT>, RP ID localhost) that loads @authsignal/browser's own bundle from
// node_modules, and a CDP virtual authenticator (internal transport, resident keys, user verification). The backend
// side is @authsignal/node. Needs the passkey endpoints (docs/contract.md, passkeys); run by OfficialSdkTests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";
import { serverSdk } from "./lib/sdks.mjs";
import { apiUrl, newUserId, tenantId } from "./lib/env.mjs";

const require = createRequire(import.meta.url);
const pagePort = Number(process.env.CHALLENGES_PAGE_PORT || 0);
const executablePath = process.env.CHALLENGES_CHROMIUM || "/usr/bin/chromium";
const origin = `http://localhost:${pagePort}`;
const authsignal = serverSdk();

let pageServer;
let browser;
let page;
let cdp;
let authenticatorId;

const html = `<!doctype html><html><head><meta charset="utf-8"><title>Passkeys</title>
<script src="/sdk/index.min.js"></script>
<script>window.sdk = new authsignal.Authsignal({ tenantId: ${JSON.stringify(tenantId)}, baseUrl: ${JSON.stringify(apiUrl)} });</script>
</head><body>passkeys</body></html>`;

async function addAuthenticator() {
  const added = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return added.authenticatorId;
}

before(async () => {
  assert.ok(pagePort > 0, "CHALLENGES_PAGE_PORT must name the port of an origin the tenant allows");
  const bundle = await readFile(require.resolve("@authsignal/browser/dist/index.min.js"));
  pageServer = createServer((request, response) => {
    if (request.url === "/sdk/index.min.js") {
      response.writeHead(200, { "Content-Type": "text/javascript" }).end(bundle);
    } else if (request.url === "/") {
      response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(html);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise((resolve) => pageServer.listen(pagePort, "127.0.0.1", resolve));
  browser = await chromium.launch({ executablePath, headless: true, args: ["--no-sandbox"] });
  page = await browser.newPage();
  page.on("pageerror", (error) => console.error("page error:", error));
  await page.goto(`${origin}/`);
  cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  authenticatorId = await addAuthenticator();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (pageServer ? pageServer.close(resolve) : resolve()));
});

/** Runs an SDK call in the page; a thrown WebAuthn error comes back as { thrown: name }. */
function inPage(call, argument) {
  return page.evaluate(
    async ({ source, argument }) => {
      try {
        return await new Function("sdk", "argument", `return (${source})(sdk, argument);`)(window.sdk, argument);
      } catch (error) {
        return { thrown: error.name, message: String(error.message) };
      }
    },
    { source: call.toString(), argument },
  );
}

async function credentialsOfAuthenticator() {
  return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
}

async function assertValidatedOnce(token, userId, action) {
  const first = await authsignal.validateChallenge({ token });
  assert.equal(first.isValid, true, JSON.stringify(first));
  assert.equal(first.state, "CHALLENGE_SUCCEEDED");
  assert.equal(first.userId, userId);
  assert.equal(first.action, action);
  assert.equal(first.verificationMethod, "PASSKEY");
  assert.equal((await authsignal.validateChallenge({ token })).isValid, false, "a token validates once");
}

const userId = newUserId();
let passkeyAuthenticatorId;

test("passkey.signUp with a tracked token registers a resident passkey and returns a fresh token", async () => {
  const tracked = await authsignal.track({ userId, action: "signUp" });
  assert.equal(tracked.state, "ALLOW");
  const result = await inPage((sdk, a) => sdk.passkey.signUp({ token: a.token, username: a.username }), {
    token: tracked.token,
    username: `${userId}@example.com`,
  });
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(typeof result.data?.token, "string", JSON.stringify(result));
  assert.equal(result.data.userAuthenticator?.verificationMethod, "PASSKEY");
  passkeyAuthenticatorId = result.data.userAuthenticator.userAuthenticatorId;

  const held = await credentialsOfAuthenticator();
  assert.equal(held.length, 1, "the virtual authenticator holds one credential");
  assert.equal(held[0].isResidentCredential, true);
  const [authenticator] = await authsignal.getAuthenticators({ userId });
  assert.equal(authenticator.verificationMethod, "PASSKEY");
  assert.equal(authenticator.userAuthenticatorId, passkeyAuthenticatorId);
  assert.equal(authenticator.webauthnCredential?.credentialId, result.data.registrationResponse.id);
  assert.equal(Buffer.from(held[0].credentialId, "base64").toString("base64url"), result.data.registrationResponse.id);
});

test("passkey.signIn with an action and no token: the backend validates the resulting token once", async () => {
  const result = await inPage((sdk) => sdk.passkey.signIn({ action: "signInWithPasskey" }));
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.data.isVerified, true, JSON.stringify(result));
  assert.equal(result.data.userId, userId);
  assert.equal(result.data.userAuthenticatorId, passkeyAuthenticatorId);
  await assertValidatedOnce(result.data.token, userId, "signInWithPasskey");
  const [credential] = await credentialsOfAuthenticator();
  assert.ok(credential.signCount >= 1, "the authenticator counted the assertion");
});

test("passkey.signIn with a tracked token (MFA): the action succeeds and validates once", async () => {
  const tracked = await authsignal.track({ userId, action: "withdraw" });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  const result = await inPage((sdk, token) => sdk.passkey.signIn({ token }), tracked.token);
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.data.isVerified, true, JSON.stringify(result));
  await assertValidatedOnce(result.data.token, userId, "withdraw");
});

test("a second passkey.signUp on the authenticator that holds the user's passkey is refused: the credential is excluded", async () => {
  const tracked = await authsignal.track({ userId, action: "addPasskey", attributes: { scope: "add:authenticators" } });
  const result = await inPage((sdk, token) => sdk.passkey.signUp({ token }), tracked.token);
  assert.equal(result.thrown, "InvalidStateError", JSON.stringify(result));
  assert.equal((await credentialsOfAuthenticator()).length, 1, "no second credential was created");
  assert.equal((await authsignal.getAuthenticators({ userId })).length, 1);

  // Another authenticator (Chrome allows one internal authenticator at a time) is not excluded: it adds a second passkey.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  authenticatorId = await addAuthenticator();
  const again = await authsignal.track({ userId, action: "addPasskey", attributes: { scope: "add:authenticators" } });
  const added = await inPage((sdk, token) => sdk.passkey.signUp({ token }), again.token);
  assert.equal(added.error, undefined, JSON.stringify(added));
  assert.equal((await authsignal.getAuthenticators({ userId })).filter((a) => a.verificationMethod === "PASSKEY").length, 2);
});

test("a passkey the backend removed gives unknown_credential", async () => {
  const authenticators = await authsignal.getAuthenticators({ userId });
  const [held] = await credentialsOfAuthenticator();
  const removed = authenticators.find(
    (a) => a.webauthnCredential?.credentialId === Buffer.from(held.credentialId, "base64").toString("base64url"),
  );
  assert.ok(removed, "the server lists the authenticator's credential");
  await authsignal.deleteAuthenticator({ userId, userAuthenticatorId: removed.userAuthenticatorId });
  const result = await inPage((sdk) => sdk.passkey.signIn({ action: "signInWithPasskey" }));
  assert.equal(result.errorCode, "unknown_credential", JSON.stringify(result));
  assert.equal(result.data, undefined);
});

test("useCookies: signUp, signIn without an action and signIn with an action, all with credentials: include", async () => {
  // Chromium refuses a credentialed response without Access-Control-Allow-Credentials and the page's exact origin, so
  // each call below proves the server's CORS for calls with credentials. The server sets no cookie: it answers tokens.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  authenticatorId = await addAuthenticator();
  const cookieUser = newUserId();
  const tracked = await authsignal.track({ userId: cookieUser, action: "signUp" });
  const signedUp = await inPage((sdk, a) => sdk.passkey.signUp({ token: a.token, username: a.username, useCookies: true }), {
    token: tracked.token,
    username: `${cookieUser}@example.com`,
  });
  assert.equal(signedUp.thrown, undefined, JSON.stringify(signedUp));
  assert.equal(signedUp.error, undefined, JSON.stringify(signedUp));
  assert.equal(signedUp.data.userAuthenticator?.verificationMethod, "PASSKEY");

  const withoutAction = await inPage((sdk) => sdk.passkey.signIn({ useCookies: true }));
  assert.equal(withoutAction.thrown, undefined, JSON.stringify(withoutAction));
  assert.equal(withoutAction.data?.isVerified, true, JSON.stringify(withoutAction));
  assert.equal(withoutAction.data.userId, cookieUser);
  await assertValidatedOnce(withoutAction.data.token, cookieUser, "signInWithPasskey");

  const withAction = await inPage((sdk) => sdk.passkey.signIn({ action: "cookieSignIn", useCookies: true }));
  assert.equal(withAction.thrown, undefined, JSON.stringify(withAction));
  assert.equal(withAction.data?.isVerified, true, JSON.stringify(withAction));
  await assertValidatedOnce(withAction.data.token, cookieUser, "cookieSignIn");
});
