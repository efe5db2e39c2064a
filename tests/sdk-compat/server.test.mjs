// Server API through @authsignal/node: everything the server has on main. Run by OfficialSdkTests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { serverSdk } from "./lib/sdks.mjs";
import { expiredToken, expiredTokenUserId, newUserId, rotatedSecretKey, secretKey, signedWebhookFile } from "./lib/env.mjs";
import { assertIsoTime, rejectsWith } from "./lib/assertions.mjs";
import { verifyWebhook } from "../../docs/examples/verify-webhook.mjs";

const authsignal = serverSdk();

async function enrolSms(userId, phoneNumber = "+64270000001") {
  return authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "SMS", phoneNumber } });
}

test("track for a user who is not enrolled allows and returns a token", async () => {
  const userId = newUserId();
  const result = await authsignal.track({ userId, action: "signIn" });

  assert.equal(result.state, "ALLOW");
  assert.equal(result.isEnrolled, false);
  assert.deepEqual(result.enrolledVerificationMethods, []);
  assert.ok(result.allowedVerificationMethods.includes("SMS"), JSON.stringify(result));
  assert.equal(result.defaultVerificationMethod, undefined);
  assert.equal(result.token.split(".").length, 3);
  assert.ok(URL.canParse(result.url), result.url);
  assert.ok(result.idempotencyKey);
});

test("track for an enrolled user requires a challenge", async () => {
  const userId = newUserId();
  await enrolSms(userId);

  const result = await authsignal.track({
    userId,
    action: "signIn",
    attributes: { ipAddress: "203.0.113.7", userAgent: "sdk-compat", deviceId: "device-1", custom: { plan: "gold" } },
  });

  assert.equal(result.state, "CHALLENGE_REQUIRED");
  assert.equal(result.isEnrolled, true);
  assert.deepEqual(result.enrolledVerificationMethods, ["SMS"]);
  assert.equal(result.defaultVerificationMethod, "SMS");
});

test("track with the same idempotency key returns the same action", async () => {
  const userId = newUserId();
  const idempotencyKey = crypto.randomUUID();

  const first = await authsignal.track({ userId, action: "signIn", attributes: { idempotencyKey } });
  await enrolSms(userId);
  const second = await authsignal.track({ userId, action: "signIn", attributes: { idempotencyKey } });

  assert.equal(first.idempotencyKey, idempotencyKey);
  assert.equal(second.idempotencyKey, idempotencyKey);
  assert.equal(second.state, first.state, "the second track must not decide the action again");
  assert.equal((await authsignal.queryUserActions({ userId })).length, 1, "one action, not two");
});

test("track honours the configured ALLOW and BLOCK outcomes", async () => {
  const userId = newUserId();
  await enrolSms(userId);

  assert.equal((await authsignal.track({ userId, action: "blockedAction" })).state, "BLOCK");
  assert.equal((await authsignal.track({ userId, action: "allowedAction" })).state, "ALLOW");
});

test("getAction returns the tracked action's state and times", async () => {
  const userId = newUserId();
  await enrolSms(userId);
  const { idempotencyKey } = await authsignal.track({ userId, action: "signIn" });

  const action = await authsignal.getAction({ userId, action: "signIn", idempotencyKey });

  assert.equal(action.state, "CHALLENGE_REQUIRED");
  assertIsoTime(action.createdAt, "createdAt");
  assertIsoTime(action.stateUpdatedAt, "stateUpdatedAt");
  assert.equal(action.verificationMethod, undefined);
});

test("getAction for an unknown action is a 404 not_found AuthsignalError", async () => {
  await rejectsWith(authsignal.getAction({ userId: newUserId(), action: "signIn", idempotencyKey: crypto.randomUUID() }), 404, "not_found");
});

test("updateAction sets the state and getAction sees it", async () => {
  const userId = newUserId();
  const { idempotencyKey } = await authsignal.track({ userId, action: "signIn" });

  const updated = await authsignal.updateAction({ userId, action: "signIn", idempotencyKey, attributes: { state: "REVIEW_REQUIRED" } });
  assert.deepEqual(updated, { state: "REVIEW_REQUIRED" });

  assert.equal((await authsignal.getAction({ userId, action: "signIn", idempotencyKey })).state, "REVIEW_REQUIRED");
});

test("updateAction with an unknown state is a 400 invalid_request AuthsignalError", async () => {
  const userId = newUserId();
  const { idempotencyKey } = await authsignal.track({ userId, action: "signIn" });
  await rejectsWith(authsignal.updateAction({ userId, action: "signIn", idempotencyKey, attributes: { state: "MAYBE" } }), 400, "invalid_request");
});

test("queryUserActions lists the user's actions filtered by code and state", async () => {
  const userId = newUserId();
  const signIn = await authsignal.track({ userId, action: "signIn" });
  const payment = await authsignal.track({ userId, action: "payment" });
  await authsignal.updateAction({ userId, action: "payment", idempotencyKey: payment.idempotencyKey, attributes: { state: "REVIEW_FAILED" } });

  const all = await authsignal.queryUserActions({ userId });
  assert.ok(Array.isArray(all), JSON.stringify(all));
  assert.deepEqual(all.map((a) => a.idempotencyKey).sort(), [signIn.idempotencyKey, payment.idempotencyKey].sort());
  for (const row of all) {
    assertIsoTime(row.createdAt, "createdAt");
  }

  const payments = await authsignal.queryUserActions({ userId, actionCodes: ["payment"] });
  assert.deepEqual(payments.map((a) => [a.actionCode, a.idempotencyKey, a.state]), [["payment", payment.idempotencyKey, "REVIEW_FAILED"]]);

  const allowed = await authsignal.queryUserActions({ userId, state: "ALLOW", fromDate: new Date(Date.now() - 3_600_000).toISOString() });
  assert.deepEqual(allowed.map((a) => a.actionCode), ["signIn"]);
});

test("validateChallenge is valid once for a succeeded action and invalid the second time", async () => {
  const userId = newUserId();
  await enrolSms(userId);
  const { token, idempotencyKey } = await authsignal.track({ userId, action: "signIn" });

  const pending = await authsignal.validateChallenge({ token });
  assert.equal(pending.isValid, false);
  assert.equal(pending.state, "CHALLENGE_REQUIRED");

  await authsignal.updateAction({ userId, action: "signIn", idempotencyKey, attributes: { state: "CHALLENGE_SUCCEEDED" } });

  const first = await authsignal.validateChallenge({ token, userId, action: "signIn" });
  assert.equal(first.isValid, true);
  assert.equal(first.state, "CHALLENGE_SUCCEEDED");
  assert.equal(first.userId, userId);
  assert.equal(first.action, "signIn", "the SDK renames actionCode to action");
  assert.equal(first.idempotencyKey, idempotencyKey);
  assertIsoTime(first.stateUpdatedAt, "stateUpdatedAt");

  const second = await authsignal.validateChallenge({ token });
  assert.equal(second.isValid, false);
  assert.equal(second.state, "CHALLENGE_SUCCEEDED");
});

test("validateChallenge for another user's name is not valid and does not use the token up", async () => {
  const userId = newUserId();
  const { token, idempotencyKey } = await authsignal.track({ userId, action: "signIn" });
  await authsignal.updateAction({ userId, action: "signIn", idempotencyKey, attributes: { state: "CHALLENGE_SUCCEEDED" } });

  assert.equal((await authsignal.validateChallenge({ token, userId: "someone-else" })).isValid, false);
  assert.equal((await authsignal.validateChallenge({ token, action: "payment" })).isValid, false);
  assert.equal((await authsignal.validateChallenge({ token, userId })).isValid, true);
});

test("validateChallenge with a forged token is a 401 unauthorized AuthsignalError", async () => {
  const { token } = await authsignal.track({ userId: newUserId(), action: "signIn" });
  const [header, payload] = token.split(".");
  await rejectsWith(authsignal.validateChallenge({ token: `${header}.${payload}.${"A".repeat(43)}` }), 401, "unauthorized");
});

test("validateChallenge with an expired but genuine token is not valid, says the action's state, and does not use it up", async () => {
  assert.ok(expiredToken, "CHALLENGES_EXPIRED_TOKEN is not set: OfficialSdkTests issues it");

  const result = await authsignal.validateChallenge({ token: expiredToken });

  assert.equal(result.isValid, false);
  assert.equal(result.state, "CHALLENGE_SUCCEEDED");
  assert.equal(result.userId, expiredTokenUserId);
  assert.equal(result.action, "signIn");
});

test("a wrong secret key is a 401 unauthorized AuthsignalError", async () => {
  await rejectsWith(serverSdk("not-a-secret-key").getUser({ userId: newUserId() }), 401, "unauthorized");
});

test("user ids as identity providers spell them travel unencoded in the SDK's paths and round-trip", async () => {
  // The SDK interpolates userId into the path as is; its Auth0 integration passes ids like "auth0|5f7c8ec7c33c6c004bbafe82".
  for (const userId of [`auth0|${crypto.randomUUID()}`, `${crypto.randomUUID()}@example.com`, `google-oauth2|${Date.now()}`]) {
    await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "SMS", phoneNumber: "+64270000004" } });
    const tracked = await authsignal.track({ userId, action: "signIn" });
    assert.equal(tracked.state, "CHALLENGE_REQUIRED", userId);
    assert.equal((await authsignal.getAction({ userId, action: "signIn", idempotencyKey: tracked.idempotencyKey })).state, "CHALLENGE_REQUIRED");
    const [authenticator] = await authsignal.getAuthenticators({ userId });
    assert.equal(authenticator.userId, userId);
    await authsignal.updateAction({ userId, action: "signIn", idempotencyKey: tracked.idempotencyKey, attributes: { state: "CHALLENGE_SUCCEEDED" } });
    const validated = await authsignal.validateChallenge({ token: tracked.token, userId });
    assert.equal(validated.isValid, true, userId);
    assert.equal(validated.userId, userId);
  }
});

test("getUser for an unknown user is not enrolled", async () => {
  const user = await authsignal.getUser({ userId: newUserId() });

  assert.equal(user.isEnrolled, false);
  assert.equal(user.emailVerified, false);
  assert.equal(user.phoneNumberVerified, false);
  assert.deepEqual(user.enrolledVerificationMethods, []);
  assert.ok(user.allowedVerificationMethods.length > 0, JSON.stringify(user));
});

test("updateUser returns the attributes and getUser shows them", async () => {
  const userId = newUserId();
  const attributes = { email: "ada@example.com", phoneNumber: "+64270000002", username: "ada", displayName: "Ada L", custom: { tier: "gold", seats: 3 } };

  const updated = await authsignal.updateUser({ userId, attributes });
  assert.deepEqual(updated, attributes);

  const user = await authsignal.getUser({ userId });
  assert.equal(user.email, "ada@example.com");
  assert.equal(user.phoneNumber, "+64270000002");
  assert.equal(user.username, "ada");
  assert.equal(user.displayName, "Ada L");
  assert.deepEqual(user.custom, { tier: "gold", seats: 3 });
  assert.equal(user.emailVerified, false);
  assert.equal(user.isEnrolled, false);
});

test("updateUser with a malformed email is a 400 invalid_request AuthsignalError", async () => {
  await rejectsWith(authsignal.updateUser({ userId: newUserId(), attributes: { email: "not an email" } }), 400, "invalid_request");
});

test("enrollVerifiedAuthenticator returns the authenticator and getAuthenticators lists it", async () => {
  const userId = newUserId();

  const { authenticator } = await authsignal.enrollVerifiedAuthenticator({
    userId,
    attributes: { verificationMethod: "EMAIL_OTP", email: "grace@example.com" },
  });
  assert.equal(authenticator.userId, userId);
  assert.equal(authenticator.verificationMethod, "EMAIL_OTP");
  assert.equal(authenticator.email, "grace@example.com");
  assert.ok(authenticator.userAuthenticatorId);
  assertIsoTime(authenticator.createdAt, "createdAt");
  assertIsoTime(authenticator.verifiedAt, "verifiedAt");

  await enrolSms(userId, "+64270000003");
  const list = await authsignal.getAuthenticators({ userId });
  assert.ok(Array.isArray(list), JSON.stringify(list));
  assert.deepEqual(list.map((a) => a.verificationMethod).sort(), ["EMAIL_OTP", "SMS"]);
  const sms = list.find((a) => a.verificationMethod === "SMS");
  assert.equal(sms.phoneNumber, "+64270000003");
  assert.equal(sms.userId, userId);

  const user = await authsignal.getUser({ userId });
  assert.equal(user.isEnrolled, true);
  assert.deepEqual([...user.enrolledVerificationMethods].sort(), ["EMAIL_OTP", "SMS"]);
});

test("enrollVerifiedAuthenticator without the phone number SMS needs is a 400 invalid_request AuthsignalError", async () => {
  await rejectsWith(authsignal.enrollVerifiedAuthenticator({ userId: newUserId(), attributes: { verificationMethod: "SMS" } }), 400, "invalid_request");
});

test("deleteAuthenticator removes it; an unknown one is a 404 not_found AuthsignalError", async () => {
  const userId = newUserId();
  const { authenticator } = await enrolSms(userId);

  await authsignal.deleteAuthenticator({ userId, userAuthenticatorId: authenticator.userAuthenticatorId });

  assert.deepEqual(await authsignal.getAuthenticators({ userId }), []);
  assert.equal((await authsignal.getUser({ userId })).isEnrolled, false);
  await rejectsWith(authsignal.deleteAuthenticator({ userId, userAuthenticatorId: authenticator.userAuthenticatorId }), 404, "not_found");
});

test("deleteUser removes the user with its authenticators and actions", async () => {
  const userId = newUserId();
  await authsignal.updateUser({ userId, attributes: { email: "del@example.com" } });
  await enrolSms(userId);
  const { idempotencyKey } = await authsignal.track({ userId, action: "signIn" });

  await authsignal.deleteUser({ userId });

  const user = await authsignal.getUser({ userId });
  assert.equal(user.isEnrolled, false);
  assert.equal(user.email, undefined);
  assert.deepEqual(await authsignal.getAuthenticators({ userId }), []);
  await rejectsWith(authsignal.getAction({ userId, action: "signIn", idempotencyKey }), 404, "not_found");
});

test("webhook.constructEvent accepts a body signed by the server's WebhookSigner, with either secret key", () => {
  assert.ok(signedWebhookFile, "CHALLENGES_SIGNED_WEBHOOK_FILE is not set: OfficialSdkTests writes it with WebhookSigner");
  const { body, signature } = JSON.parse(readFileSync(signedWebhookFile, "utf8"));

  const event = authsignal.webhook.constructEvent(body, signature);
  assert.equal(event.version, 1);
  assert.equal(event.type, "sms.created");
  assert.equal(typeof event.data.code, "string");
  assert.deepEqual(Object.keys(event), ["version", "id", "source", "time", "tenantId", "type", "data"]);

  if (rotatedSecretKey) {
    assert.deepEqual(serverSdk(rotatedSecretKey).webhook.constructEvent(body, signature), event);
  }
  // The SDK does not export InvalidSignatureError; its message is what it offers.
  assert.throws(() => authsignal.webhook.constructEvent(body.replace(event.data.code, "000000"), signature), /Signature mismatch/);
  assert.throws(() => serverSdk(`${secretKey}x`).webhook.constructEvent(body, signature), /Signature mismatch/);
});

test("the verifier in docs/examples accepts what the server signs and refuses tampering, other keys and old timestamps", () => {
  const { body, signature } = JSON.parse(readFileSync(signedWebhookFile, "utf8"));

  const event = verifyWebhook(body, signature, [secretKey]);
  assert.equal(event.type, "sms.created");
  assert.deepEqual(verifyWebhook(Buffer.from(body, "utf8"), signature, ["another-key-of-mine", rotatedSecretKey ?? secretKey]), event);
  assert.throws(() => verifyWebhook(body.replace(event.data.code, "000000"), signature, [secretKey]), /Signature mismatch/);
  assert.throws(() => verifyWebhook(body, signature, [`${secretKey}x`]), /Signature mismatch/);
  const signedAt = Number(/t=(\d+)/.exec(signature)[1]);
  assert.throws(() => verifyWebhook(body, signature, [secretKey], { now: signedAt + 301 }), /tolerance/);
  assert.throws(() => verifyWebhook(body, "v2=abc", [secretKey]), /Malformed/);
});

test("enrollVerifiedAuthenticator enrols a passkey verified elsewhere from its credential id and COSE key", async () => {
  // The SDK posts its attributes as they are; the passkey fields are those of the batch enrol.
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const jwk = publicKey.export({ format: "jwk" });
  const coordinate = (value) => Buffer.concat([Buffer.from([0x58, 0x20]), Buffer.from(value, "base64url")]);
  // COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}, CBOR by hand.
  const coseKey = Buffer.concat([Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21]), coordinate(jwk.x), Buffer.from([0x22]), coordinate(jwk.y)]);
  const credentialId = randomBytes(20).toString("base64url");
  const userId = newUserId();
  const attributes = { verificationMethod: "PASSKEY", credentialId, credentialPublicKey: coseKey.toString("base64url"), counter: 7, name: "Migrated" };

  const { authenticator } = await authsignal.enrollVerifiedAuthenticator({ userId, attributes });

  assert.equal(authenticator.verificationMethod, "PASSKEY");
  assert.equal(authenticator.webauthnCredential?.credentialId, credentialId);
  const [listed] = await authsignal.getAuthenticators({ userId });
  assert.equal(listed.userAuthenticatorId, authenticator.userAuthenticatorId);
  await rejectsWith(
    authsignal.enrollVerifiedAuthenticator({ userId, attributes: { ...attributes, credentialPublicKey: "not a key" } }),
    400,
    "invalid_request",
  );
  await rejectsWith(authsignal.enrollVerifiedAuthenticator({ userId: newUserId(), attributes }), 409, "conflict");
});
