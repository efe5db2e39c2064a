// Push through @authsignal/browser (push.challenge / push.verify) answered by a device speaking the mobile wire
// format (docs/contract.md §3.2, §3.3), the push.created webhook checked with @authsignal/node's verifier, and the result
// validated by the backend. Needs the push endpoints; run by OfficialSdkTests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { browserSdk, serverSdk } from "./lib/sdks.mjs";
import { startWebhookReceiver } from "./lib/webhooks.mjs";
import { newDevice } from "./lib/device.mjs";
import { expiredToken, newUserId } from "./lib/env.mjs";

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

function ok(response, what) {
  assert.equal(response.status, 200, `${what}: ${JSON.stringify(response.body)}`);
  return response.body;
}

/** A user with one push device, enrolled with the token of a first tracked action, as an app does. */
async function enrolledUser(platform = "android") {
  const userId = newUserId();
  const device = newDevice({ platform });
  const first = await authsignal.track({ userId, action: "enrol" });
  const enrolled = ok(await device.enrol(first.token, `push-token-${userId}`), "enrol");
  assert.equal(enrolled.userId, userId);
  assert.ok(enrolled.userAuthenticatorId);
  return { userId, device, userAuthenticatorId: enrolled.userAuthenticatorId };
}

/** The web app's side: track, then start a push challenge with the browser SDK. */
async function startPush(userId, attributes = {}) {
  const tracked = await authsignal.track({ userId, action: "signIn", attributes });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  web.setToken(tracked.token);
  const started = await web.push.challenge({ action: "signIn" });
  assert.equal(started.error, undefined, JSON.stringify(started));
  assert.ok(started.data.challengeId);
  return { tracked, challengeId: started.data.challengeId };
}

test("push: a device enrols, finds the credential by its key, and the user is enrolled with PUSH", async () => {
  for (const platform of ["android", "ios"]) {
    const { userId, device, userAuthenticatorId } = await enrolledUser(platform);

    const credential = ok(await device.credential(), `credential (${platform} encoding)`);
    assert.equal(credential.userAuthenticatorId, userAuthenticatorId);
    assert.equal(credential.userId, userId);
    assert.ok(credential.verifiedAt);

    const user = await authsignal.getUser({ userId });
    assert.equal(user.isEnrolled, true);
    assert.deepEqual(user.enrolledVerificationMethods, ["PUSH"]);
  }
});

test("push: the web app starts a challenge, the device approves it, the web app gets a token the backend validates once", async () => {
  const { userId, device, userAuthenticatorId } = await enrolledUser();
  const { tracked, challengeId } = await startPush(userId, { ipAddress: "198.51.100.4", userAgent: "Firefox", custom: { amount: "42" } });

  const created = await webhooks.waitFor("push.created", (e) => e.data.challengeId === challengeId);
  assert.equal(created.data.userId, userId);
  assert.equal(created.data.actionCode, "signIn");
  assert.equal(created.data.idempotencyKey, tracked.idempotencyKey);
  assert.equal(created.data.pushToken, `push-token-${userId}`);

  const pending = await web.push.verify({ challengeId });
  assert.deepEqual(pending, { data: { isVerified: false, isConsumed: false } });

  const seen = ok(await device.pendingChallenge(), "pending challenge");
  assert.equal(seen.userAuthenticatorId, userAuthenticatorId);
  assert.equal(seen.challengeId, challengeId);
  assert.equal(seen.userId, userId);
  assert.equal(seen.actionCode, "signIn");
  assert.equal(seen.idempotencyKey, tracked.idempotencyKey);
  assert.equal(seen.ipAddress, "198.51.100.4");
  assert.equal(seen.userAgent, "Firefox");
  assert.ok(seen.expiresAt);
  assert.equal(seen.custom, undefined, "custom only for a signed request");
  const signedSeen = ok(await device.pendingChallenge({ signed: true }), "signed pending challenge");
  assert.deepEqual(signedSeen.custom, { amount: "42" });

  assert.deepEqual(ok(await device.answer(challengeId, true), "approve"), { isVerified: true });

  const approved = await web.push.verify({ challengeId });
  assert.equal(approved.error, undefined, JSON.stringify(approved));
  assert.equal(approved.data.isVerified, true);
  assert.equal(approved.data.isConsumed, true);
  assert.equal(typeof approved.data.token, "string", "accessToken, handed back by the SDK as token");

  const validated = await authsignal.validateChallenge({ token: approved.data.token });
  assert.equal(validated.isValid, true, JSON.stringify(validated));
  assert.equal(validated.state, "CHALLENGE_SUCCEEDED");
  assert.equal(validated.verificationMethod, "PUSH");
  assert.equal((await authsignal.validateChallenge({ token: approved.data.token })).isValid, false);

  const again = await device.answer(challengeId, false);
  assert.notEqual(again.status, 200, "a second answer is refused");
  assert.ok("error" in again.body, JSON.stringify(again.body));
  assert.equal((await web.push.verify({ challengeId })).data.isVerified, true, "the refused second answer changed nothing");
});

test("push: the device rejects, the web app sees it consumed without a token", async () => {
  const { userId, device } = await enrolledUser("ios");
  const { tracked, challengeId } = await startPush(userId);

  assert.deepEqual(ok(await device.answer(challengeId, false), "reject"), { isVerified: false });

  const rejected = await web.push.verify({ challengeId });
  assert.deepEqual(rejected, { data: { isVerified: false, isConsumed: true } });
  const validated = await authsignal.validateChallenge({ token: tracked.token });
  assert.equal(validated.isValid, false);
  assert.equal(validated.state, "CHALLENGE_FAILED");
});

test("push: an answer with a bad signature is refused as invalid_credential and the challenge stays pending", async () => {
  const { userId, device } = await enrolledUser();
  const { challengeId } = await startPush(userId);

  const forged = await device.answer(challengeId, true, { signature: device.sign("something else") });
  assert.equal(forged.status, 400, JSON.stringify(forged.body));
  assert.equal(forged.body.error, "invalid_credential");

  assert.deepEqual(await web.push.verify({ challengeId }), { data: { isVerified: false, isConsumed: false } });
});

test("push: a device of another user cannot answer the challenge, and the user's own device still can", async () => {
  const { userId, device } = await enrolledUser();
  const other = await enrolledUser("ios");
  const { challengeId } = await startPush(userId);

  const intruder = await other.device.answer(challengeId, true);
  assert.notEqual(intruder.status, 200, JSON.stringify(intruder.body));
  assert.ok("error" in intruder.body, JSON.stringify(intruder.body));
  assert.deepEqual(await web.push.verify({ challengeId }), { data: { isVerified: false, isConsumed: false } });

  assert.deepEqual(ok(await device.answer(challengeId, true), "approve"), { isVerified: true });
  assert.equal((await web.push.verify({ challengeId })).data.isVerified, true);
});

test("push: the device removes itself with a time-window signature and is then unknown", async () => {
  const { userId, device, userAuthenticatorId } = await enrolledUser();

  assert.deepEqual(ok(await device.remove(), "remove"), { removedAuthenticatorId: userAuthenticatorId });

  const gone = await device.credential();
  assert.ok([400, 404].includes(gone.status), JSON.stringify(gone));
  assert.equal(gone.body.error, "invalid_credential");
  assert.equal((await authsignal.getUser({ userId })).isEnrolled, false);
});

test("push: an expired token is reported as expired_token, which makes the browser SDK call onTokenExpired", async () => {
  assert.ok(expiredToken, "CHALLENGES_EXPIRED_TOKEN is not set: OfficialSdkTests issues it");
  let expiredCalls = 0;
  const watched = await browserSdk({ onTokenExpired: () => expiredCalls++ });
  watched.setToken(expiredToken);

  const result = await watched.push.challenge({ action: "signIn" });

  assert.equal(result.errorCode, "expired_token", JSON.stringify(result));
  assert.equal(expiredCalls, 1, "the SDK fires onTokenExpired only for errorCode expired_token");
});
