// Sessions through @authsignal/node (createSession, validateSession, refreshSession, revokeSession,
// revokeUserSessions), with the access token checked as an API gateway would: against the tenant's JWKS with jose, a
// standard JWT library. Needs docs/contract.md §2.4; run by OfficialSdkTests.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { serverSdk } from "./lib/sdks.mjs";
import { startWebhookReceiver } from "./lib/webhooks.mjs";
import { baseUrl, expiredToken, newUserId, publicUrl, sessionClientId, tenantId } from "./lib/env.mjs";
import { rejectsWith } from "./lib/assertions.mjs";

const authsignal = serverSdk();
const clientId = sessionClientId;
const issuer = `${publicUrl}/v1/tenants/${encodeURIComponent(tenantId)}`;
const jwks = createRemoteJWKSet(new URL(`${baseUrl}/v1/tenants/${encodeURIComponent(tenantId)}/.well-known/jwks.json`));
let webhooks;

before(async () => {
  assert.ok(clientId && publicUrl, "CHALLENGES_SESSION_CLIENT_ID and CHALLENGES_PUBLIC_URL are set by OfficialSdkTests");
  webhooks = await startWebhookReceiver();
});

after(async () => {
  await webhooks?.close();
});

/** A client token whose action the backend has marked succeeded, for a user with a verified phone. */
async function succeededToken(userId = newUserId(), action = "signIn") {
  await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "SMS", phoneNumber: "+64270000321" } });
  const { token, idempotencyKey } = await authsignal.track({ userId, action });
  await authsignal.updateAction({ userId, action, idempotencyKey, attributes: { state: "CHALLENGE_SUCCEEDED" } });
  return { userId, token };
}

async function newSession(userId = newUserId()) {
  const { token } = await succeededToken(userId);
  return { userId, ...(await authsignal.createSession({ clientId, token })) };
}

test("createSession exchanges a succeeded client token for an access token and a refresh token", async () => {
  const { userId, token } = await succeededToken();

  const session = await authsignal.createSession({ clientId, token, action: "signIn" });

  assert.deepEqual(Object.keys(session).sort(), ["accessToken", "refreshToken"]);
  assert.equal(decodeProtectedHeader(session.accessToken).alg, "RS256");
  assert.equal(decodeJwt(session.accessToken).sub, userId);
  assert.match(session.refreshToken, /^[0-9a-f]{64}$/);
});

test("the access token verifies against the tenant's JWKS with jose, pinned to RS256, issuer and audience", async () => {
  const { userId, accessToken } = await newSession();

  const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { issuer, audience: clientId, algorithms: ["RS256"] });

  assert.equal(payload.sub, userId);
  assert.ok(protectedHeader.kid, "a kid names the key");
  assert.equal(payload.exp - payload.iat, 600);
  await assert.rejects(jwtVerify(accessToken, jwks, { issuer, audience: "another-client", algorithms: ["RS256"] }));
});

test("validateSession answers the user, the expiry and the method of a real SMS challenge", async () => {
  const userId = newUserId();
  const phoneNumber = "+64211000321";
  const started = await authsignal.challenge({ verificationMethod: "SMS", action: "signIn", phoneNumber });
  const sent = await webhooks.waitFor("sms.created", (e) => e.data.idempotencyKey === started.idempotencyKey);
  await authsignal.verify({ challengeId: started.challengeId, verificationCode: sent.data.code });
  const { token } = await authsignal.claimChallenge({ challengeId: started.challengeId, userId });
  const { accessToken } = await authsignal.createSession({ clientId, token });
  await authsignal.updateUser({ userId, attributes: { email: "jane@example.com", displayName: "Jane" } });

  const session = await authsignal.validateSession({ accessToken, clientIds: [clientId] });

  assert.equal(session.user.userId, userId);
  assert.equal(session.user.email, "jane@example.com");
  assert.equal(session.user.displayName, "Jane");
  assert.equal(session.expiresAt, decodeJwt(accessToken).exp);
  assert.equal(session.verificationMethod, "SMS");
  await rejectsWith(authsignal.validateSession({ accessToken, clientIds: ["another-client"] }), 401, "unauthorized");
});

test("refreshSession rotates the pair; reusing the replaced refresh token revokes the session", async () => {
  const first = await newSession();

  const second = await authsignal.refreshSession({ refreshToken: first.refreshToken });
  assert.notEqual(second.refreshToken, first.refreshToken);
  await jwtVerify(second.accessToken, jwks, { issuer, audience: clientId, algorithms: ["RS256"] });
  await rejectsWith(authsignal.validateSession({ accessToken: first.accessToken }), 401, "unauthorized");
  assert.equal((await authsignal.validateSession({ accessToken: second.accessToken })).user.userId, first.userId);

  await rejectsWith(authsignal.refreshSession({ refreshToken: first.refreshToken }), 401, "unauthorized");

  await rejectsWith(authsignal.validateSession({ accessToken: second.accessToken }), 401, "unauthorized");
  await rejectsWith(authsignal.refreshSession({ refreshToken: second.refreshToken }), 401, "unauthorized");
});

test("revokeSession ends the session of an access token", async () => {
  const { accessToken, refreshToken } = await newSession();

  assert.equal(await authsignal.revokeSession({ accessToken }), undefined);

  await rejectsWith(authsignal.validateSession({ accessToken }), 401, "unauthorized");
  await rejectsWith(authsignal.refreshSession({ refreshToken }), 401, "unauthorized");
});

test("revokeUserSessions ends every session of the user and no one else's", async () => {
  const userId = newUserId();
  const one = await newSession(userId);
  const two = await newSession(userId);
  const other = await newSession();

  assert.equal(await authsignal.revokeUserSessions({ userId }), undefined);

  await rejectsWith(authsignal.validateSession({ accessToken: one.accessToken }), 401, "unauthorized");
  await rejectsWith(authsignal.validateSession({ accessToken: two.accessToken }), 401, "unauthorized");
  assert.equal((await authsignal.validateSession({ accessToken: other.accessToken })).user.userId, other.userId);
});

test("session errors reach the SDK as AuthsignalError with the contract's codes", async () => {
  const { token } = await succeededToken();

  await rejectsWith(authsignal.createSession({ clientId: "no-such-client", token }), 400, "invalid_request");
  await rejectsWith(authsignal.createSession({ clientId, token, action: "payment" }), 401, "unauthorized");
  await authsignal.createSession({ clientId, token });
  await rejectsWith(authsignal.createSession({ clientId, token }), 409, "conflict");
  await rejectsWith(authsignal.createSession({ clientId, token: `${token.slice(0, -4)}AAAA` }), 401, "unauthorized");
  assert.ok(expiredToken, "CHALLENGES_EXPIRED_TOKEN is set by OfficialSdkTests");
  await rejectsWith(authsignal.createSession({ clientId, token: expiredToken }), 401, "expired_token");
  await rejectsWith(authsignal.refreshSession({ refreshToken: "0".repeat(64) }), 401, "unauthorized");
  await rejectsWith(authsignal.validateSession({ accessToken: "not-a-token" }), 401, "unauthorized");
  await rejectsWith(authsignal.revokeUserSessions({ userId: "" }), 400, "invalid_request");
});
