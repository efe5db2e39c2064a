// Authenticator apps through the official SDKs: @authsignal/browser totp.enroll / totp.verify, and @authsignal/node
// enrollVerifiedAuthenticator with an otpUri. The codes are computed here as an authenticator app would, with Node's
// crypto from the otpauth:// URI (RFC 6238: HMAC-SHA1, 30 s, 6 digits), never with the server's code. Needs
// docs/contract.md §3.4; run by OfficialSdkTests.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { browserSdk, serverSdk } from "./lib/sdks.mjs";
import { newUserId, tenantId } from "./lib/env.mjs";
import { rejectsWith } from "./lib/assertions.mjs";
import { fromBase32, toBase32, totp } from "./lib/totp.mjs";

const authsignal = serverSdk();
let web;

before(async () => {
  web = await browserSdk();
});

test("the test app's TOTP matches RFC 6238's SHA1 vectors", () => {
  const secret = Buffer.from("12345678901234567890", "ascii");
  assert.equal(totp(secret, 59_000, 8), "94287082");
  assert.equal(totp(secret, 1111111109_000, 8), "07081804");
  assert.equal(totp(secret, 1234567890_000, 8), "89005924");
  assert.equal(totp(secret, 20000000000_000, 8), "65353130");
  assert.equal(fromBase32(toBase32(secret)).toString("ascii"), "12345678901234567890");
});

/** The otpauth:// URI as Google Authenticator, Microsoft Authenticator and 1Password read it from the QR code. */
function readUri(uri, userId) {
  const url = new URL(uri);
  assert.equal(url.protocol, "otpauth:");
  assert.equal(url.host, "totp");
  assert.equal(decodeURIComponent(url.pathname), `/${tenantId}:${userId}`);
  assert.equal(url.searchParams.get("issuer"), tenantId);
  assert.equal(url.searchParams.get("algorithm"), "SHA1");
  assert.equal(url.searchParams.get("digits"), "6");
  assert.equal(url.searchParams.get("period"), "30");
  const secret = url.searchParams.get("secret");
  assert.match(secret, /^[A-Z2-7]{32}$/, "160 bits, unpadded upper-case Base32");
  return fromBase32(secret);
}

function assertVerified(result) {
  assert.equal(result.error, undefined, JSON.stringify(result));
  assert.equal(result.data.isVerified, true, JSON.stringify(result));
  assert.equal(typeof result.data.token, "string", "a successful verify returns accessToken, which the SDK hands back as token");
}

test("totp: a new user enrols an app with the browser SDK, verifies a code from the URI, and the code cannot be replayed", async () => {
  const userId = newUserId();
  const tracked = await authsignal.track({ userId, action: "signIn" });
  web.setToken(tracked.token);

  const enrolled = await web.totp.enroll();
  assert.equal(enrolled.error, undefined, JSON.stringify(enrolled));
  assert.equal(enrolled.data.userId, userId);
  assert.ok(enrolled.data.userAuthenticatorId);
  const secret = readUri(enrolled.data.uri, userId);
  assert.deepEqual(fromBase32(enrolled.data.secret), secret, "the typed-in key is the QR code's secret");
  assert.deepEqual((await authsignal.getAuthenticators({ userId })).filter((a) => a.verifiedAt), [], "unverified until a code is entered");

  const code = totp(secret);
  const verified = await web.totp.verify({ code });
  assertVerified(verified);
  assert.equal(verified.data.userAuthenticator?.userAuthenticatorId, enrolled.data.userAuthenticatorId, JSON.stringify(verified));
  assert.equal(verified.data.userAuthenticator?.verificationMethod, "AUTHENTICATOR_APP");
  const validated = await authsignal.validateChallenge({ token: verified.data.token });
  assert.equal(validated.isValid, true, JSON.stringify(validated));
  assert.equal(validated.verificationMethod, "AUTHENTICATOR_APP");
  const [app] = await authsignal.getAuthenticators({ userId });
  assert.equal(app.verificationMethod, "AUTHENTICATOR_APP");
  assert.equal(JSON.stringify(app).includes(enrolled.data.secret), false, "the secret is never shown again");

  const again = await authsignal.track({ userId, action: "signIn" });
  assert.equal(again.state, "CHALLENGE_REQUIRED");
  assert.deepEqual(again.enrolledVerificationMethods, ["AUTHENTICATOR_APP"]);
  web.setToken(again.token);
  const replayed = await web.totp.verify({ code });
  assert.equal(replayed.error, undefined, JSON.stringify(replayed));
  assert.equal(replayed.data.isVerified, false);
  assert.equal(replayed.data.failureReason, "CODE_INVALID_OR_EXPIRED");
  assert.equal((await authsignal.validateChallenge({ token: again.token })).isValid, false);
});

test("totp: the backend enrols a verified app with otpUri; its codes sign the user in, wrong ones are refused", async () => {
  const userId = newUserId();
  const secret = randomBytes(20);
  const otpUri = `otpauth://totp/Example:${userId}?secret=${toBase32(secret)}&issuer=Example&algorithm=SHA1&digits=6&period=30`;

  const enrolled = await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "AUTHENTICATOR_APP", otpUri } });
  assert.equal(enrolled.authenticator.verificationMethod, "AUTHENTICATOR_APP", JSON.stringify(enrolled));
  assert.ok(enrolled.authenticator.verifiedAt);
  assert.equal(enrolled.recoveryCodes, undefined, "this tenant does not enable recovery codes");
  assert.equal(JSON.stringify(enrolled).includes(toBase32(secret)), false);
  const again = await authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "AUTHENTICATOR_APP", otpUri } });
  assert.equal(again.authenticator.userAuthenticatorId, enrolled.authenticator.userAuthenticatorId, "the same secret is the same app");

  const tracked = await authsignal.track({ userId, action: "signIn" });
  assert.equal(tracked.state, "CHALLENGE_REQUIRED");
  web.setToken(tracked.token);
  const right = totp(secret);
  const wrong = ["000000", "111111", "222222"].find((c) => c !== right && c !== totp(secret, Date.now() - 30_000) && c !== totp(secret, Date.now() + 30_000));
  const refused = await web.totp.verify({ code: wrong });
  assert.equal(refused.data.isVerified, false, JSON.stringify(refused));
  assert.equal(refused.data.failureReason, "CODE_INVALID_OR_EXPIRED");

  assertVerified(await web.totp.verify({ code: right }));
  const validated = await authsignal.validateChallenge({ token: tracked.token });
  assert.equal(validated.isValid, true);
  assert.equal(validated.verificationMethod, "AUTHENTICATOR_APP");
});

test("totp: an otpUri the server cannot compute and a missing one are refused with invalid_request", async () => {
  const userId = newUserId();
  await rejectsWith(authsignal.enrollVerifiedAuthenticator({ userId, attributes: { verificationMethod: "AUTHENTICATOR_APP" } }), 400, "invalid_request");
  await rejectsWith(authsignal.enrollVerifiedAuthenticator({
    userId, attributes: { verificationMethod: "AUTHENTICATOR_APP", otpUri: `otpauth://totp/X:y?secret=${toBase32(randomBytes(20))}&algorithm=SHA512` },
  }), 400, "invalid_request");
  await rejectsWith(authsignal.enrollVerifiedAuthenticator({
    userId, attributes: { verificationMethod: "AUTHENTICATOR_APP", otpUri: "https://example.com/?secret=JBSWY3DPEHPK3PXP" },
  }), 400, "invalid_request");
});

test("totp: verify without an app is an error the browser SDK reports", async () => {
  const tracked = await authsignal.track({ userId: newUserId(), action: "signIn" });
  web.setToken(tracked.token);
  const result = await web.totp.verify({ code: "123456" });
  assert.equal(result.errorCode, "not_found", JSON.stringify(result));
});
