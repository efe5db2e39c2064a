// OTP through @authsignal/browser (sms, email, whatsapp), with the code read from the tenant's sms.created /
// email.created webhook, and the result checked by the backend with @authsignal/node. Needs the OTP endpoints of
// docs/contract.md §3.1; run by OfficialSdkTests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { browserSdk, serverSdk } from "./lib/sdks.mjs";
import { startWebhookReceiver } from "./lib/webhooks.mjs";
import { apiUrl, expiredToken, newUserId } from "./lib/env.mjs";
import { assertIsoTime } from "./lib/assertions.mjs";

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

/** The code the server sent for this action, as the tenant's backend receives it. */
async function codeFor(type, tracked, userId) {
  const event = await webhooks.waitFor(type, (e) => e.data.userId === userId && e.data.idempotencyKey === tracked.idempotencyKey);
  assert.match(event.data.code, /^\d{6}$/);
  assert.equal(event.data.actionCode, "signIn");
  for (const [key, value] of Object.entries(event.data)) {
    assert.equal(typeof value, "string", `webhook data.${key} must be a string`);
  }
  return event;
}

/** A code that is certainly not the one sent. */
function wrong(code) {
  return code === "000000" ? "111111" : "000000";
}

/** The browser SDK's verify answer: data, no error, and the fresh token it put in its place of accessToken. */
function assertVerified(result) {
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.data.isVerified, true, JSON.stringify(result));
  assert.equal(typeof result.data.token, "string", "a successful verify returns accessToken, which the SDK hands back as token");
  assert.equal(result.data.accessToken, undefined);
}

async function assertValidatedOnce(token, userId, method) {
  const first = await authsignal.validateChallenge({ token });
  assert.equal(first.isValid, true, JSON.stringify(first));
  assert.equal(first.state, "CHALLENGE_SUCCEEDED");
  assert.equal(first.userId, userId);
  assert.equal(first.action, "signIn");
  assert.equal(first.verificationMethod, method);
  assert.equal((await authsignal.validateChallenge({ token })).isValid, false);
}

test("sms: a new user enrols a phone number with the browser SDK and the backend validates the token", async () => {
  const userId = newUserId();
  const phoneNumber = "+64211000001";
  const tracked = await authsignal.track({ userId, action: "signIn" });
  assert.equal(tracked.state, "ALLOW");
  web.setToken(tracked.token);

  const enrolled = await web.sms.enroll({ phoneNumber });
  assert.equal(enrolled.error, undefined, JSON.stringify(enrolled));
  assert.equal(enrolled.data.userId, userId);
  assert.ok(enrolled.data.userAuthenticatorId);
  assert.deepEqual(await authsignal.getAuthenticators({ userId }).then((l) => l.filter((a) => a.verifiedAt)), [],
    "the authenticator is unverified until the code is entered");

  const sent = await codeFor("sms.created", tracked, userId);
  assert.equal(sent.data.to, phoneNumber);

  const verified = await web.sms.verify({ code: sent.data.code });
  assertVerified(verified);
  assert.equal(verified.data.userAuthenticator?.userAuthenticatorId, enrolled.data.userAuthenticatorId, JSON.stringify(verified));
  await assertValidatedOnce(verified.data.token, userId, "SMS");

  const [authenticator] = await authsignal.getAuthenticators({ userId });
  assert.equal(authenticator.verificationMethod, "SMS");
  assert.equal(authenticator.phoneNumber, phoneNumber);
  assertIsoTime(authenticator.verifiedAt, "verifiedAt");
  assert.equal((await authsignal.getUser({ userId })).isEnrolled, true);
});

test("sms: an enrolled user is challenged, a wrong code is refused, the right one succeeds", async () => {
  const userId = newUserId();
  const phoneNumber = "+64211000002";
  await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "SMS", phoneNumber } });
  const tracked = await authsignal.track({ userId, action: "signIn" });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  web.setToken(tracked.token);

  const challenge = await web.sms.challenge();
  assert.equal(challenge.error, undefined, JSON.stringify(challenge));
  assert.ok(challenge.data.challengeId);
  const sent = await codeFor("sms.created", tracked, userId);
  assert.equal(sent.data.to, phoneNumber);

  const refused = await web.sms.verify({ code: wrong(sent.data.code) });
  assert.equal(refused.error, undefined, "a wrong code is not an HTTP error");
  assert.equal(refused.data.isVerified, false);
  assert.equal(refused.data.failureReason, "CODE_INVALID_OR_EXPIRED");
  assert.equal((await authsignal.validateChallenge({ token: tracked.token })).isValid, false);

  const verified = await web.sms.verify({ code: sent.data.code });
  assertVerified(verified);
  await assertValidatedOnce(verified.data.token, userId, "SMS");
});

test("email: a new user enrols an address and verifies the emailed code", async () => {
  const userId = newUserId();
  const email = `${userId}@example.com`;
  const tracked = await authsignal.track({ userId, action: "signIn" });
  web.setToken(tracked.token);

  const enrolled = await web.email.enroll({ email });
  assert.equal(enrolled.error, undefined, JSON.stringify(enrolled));
  assert.equal(enrolled.data.userId, userId);
  const sent = await codeFor("email.created", tracked, userId);
  assert.equal(sent.data.to, email);
  assert.equal(sent.data.verificationMethod, "EMAIL_OTP");

  const verified = await web.email.verify({ code: sent.data.code });
  assertVerified(verified);
  await assertValidatedOnce(verified.data.token, userId, "EMAIL_OTP");
  assert.deepEqual((await authsignal.getAuthenticators({ userId })).map((a) => [a.verificationMethod, a.email]), [["EMAIL_OTP", email]]);
});

test("email: an enrolled user is challenged and verifies", async () => {
  const userId = newUserId();
  const email = `${userId}@example.com`;
  await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "EMAIL_OTP", email } });
  const tracked = await authsignal.track({ userId, action: "signIn" });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  web.setToken(tracked.token);

  const challenge = await web.email.challenge();
  assert.equal(challenge.error, undefined, JSON.stringify(challenge));
  assert.ok(challenge.data.challengeId);
  const sent = await codeFor("email.created", tracked, userId);
  assert.equal(sent.data.to, email);

  const verified = await web.email.verify({ code: sent.data.code });
  assertVerified(verified);
  await assertValidatedOnce(verified.data.token, userId, "EMAIL_OTP");
});

test("whatsapp: a user with an SMS number is challenged over WhatsApp and verifies", async () => {
  const userId = newUserId();
  const phoneNumber = "+64211000003";
  await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "SMS", phoneNumber } });
  const tracked = await authsignal.track({ userId, action: "signIn" });
  web.setToken(tracked.token);

  const challenge = await web.whatsapp.challenge();
  assert.equal(challenge.error, undefined, JSON.stringify(challenge));
  assert.ok(challenge.data.challengeId);
  const sent = await codeFor("sms.created", tracked, userId);
  assert.equal(sent.data.to, phoneNumber);
  assert.equal(sent.data.smsChannel, "WHATSAPP");

  const verified = await web.whatsapp.verify({ code: sent.data.code });
  assertVerified(verified);
  await assertValidatedOnce(verified.data.token, userId, "WHATSAPP");
});

test("server API passwordless: challenge, verify, claim and validate through the node SDK", async () => {
  const phoneNumber = "+64211000004";
  const userId = newUserId();

  const started = await authsignal.challenge({ verificationMethod: "SMS", action: "signIn", phoneNumber });
  assert.ok(started.challengeId);
  assert.ok(started.idempotencyKey);
  assert.ok(Number.isInteger(started.expiresAt) && started.expiresAt > Date.now() / 1000, `expiresAt in Unix seconds: ${started.expiresAt}`);
  const sent = await webhooks.waitFor("sms.created", (e) => e.data.idempotencyKey === started.idempotencyKey);
  assert.equal(sent.data.to, phoneNumber);
  assert.match(sent.data.code, /^\d{6}$/);

  const found = await authsignal.getChallenge({ challengeId: started.challengeId });
  assert.equal(found.challengeId, started.challengeId);
  assert.equal(found.verificationMethod, "SMS");

  const refused = await authsignal.verify({ challengeId: started.challengeId, verificationCode: wrong(sent.data.code) });
  assert.equal(refused.isVerified, false);
  assert.equal(refused.failureReason, "CODE_INVALID_OR_EXPIRED");
  assert.equal(refused.phoneNumber, undefined, "phone number only on success");

  const verified = await authsignal.verify({ challengeId: started.challengeId, verificationCode: sent.data.code });
  assert.equal(verified.isVerified, true, JSON.stringify(verified));
  assert.equal(verified.verificationMethod, "SMS");
  assert.equal(verified.phoneNumber, phoneNumber);

  const claimed = await authsignal.claimChallenge({ challengeId: started.challengeId, userId });
  assert.equal(claimed.verificationMethod, "SMS");
  const validated = await authsignal.validateChallenge({ token: claimed.token });
  assert.equal(validated.isValid, true, JSON.stringify(validated));
  assert.equal(validated.userId, userId);
  assert.equal(validated.state, "CHALLENGE_SUCCEEDED");
});

test("a forged token comes back as the browser SDK's error result with the contract's code", async () => {
  const tracked = await authsignal.track({ userId: newUserId(), action: "signIn" });
  const [header, payload] = tracked.token.split(".");
  web.setToken(`${header}.${payload}.${"A".repeat(43)}`);

  const result = await web.sms.challenge();

  assert.equal(result.data, undefined);
  assert.equal(result.errorCode, "unauthorized", JSON.stringify(result));
  assert.ok(result.errorDescription);
});

test("an expired token is reported as expired_token, which makes the browser SDK call onTokenExpired", async () => {
  assert.ok(expiredToken, "CHALLENGES_EXPIRED_TOKEN is not set: OfficialSdkTests issues it");
  let expiredCalls = 0;
  const watched = await browserSdk({ onTokenExpired: () => expiredCalls++ });
  watched.setToken(expiredToken);

  const result = await watched.sms.challenge();

  assert.equal(result.errorCode, "expired_token", JSON.stringify(result));
  assert.equal(expiredCalls, 1, "the SDK fires onTokenExpired only for errorCode expired_token");
});

test("the browser SDK's tenant Basic spelling (base64 of the percent-encoded tenant id, no colon) is accepted", async () => {
  // passkey.signIn starts with this call before it needs WebAuthn; its API client is the SDK's own request code.
  const started = await web.passkey.api.challenge({ action: "signIn" });
  assert.equal(started.error, undefined, JSON.stringify(started));
  assert.ok(started.challengeId, JSON.stringify(started));
});

test("a browser's CORS preflight for the SDK's requests is allowed from the tenant's origin", async () => {
  // Node's fetch does not enforce CORS; a browser sends this before every SDK call (Authorization + JSON body).
  for (const path of ["/client/challenge/sms", "/client/verify/sms", "/client/user-authenticators/email-otp", "/client/challenge"]) {
    const response = await fetch(`${apiUrl}${path}`, {
      method: "OPTIONS",
      headers: {
        Origin: "https://app.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
      },
    });
    assert.ok(response.status === 200 || response.status === 204, `${path}: ${response.status}`);
    assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example", path);
    assert.match(response.headers.get("access-control-allow-headers") ?? "", /authorization/i, path);
  }
});
