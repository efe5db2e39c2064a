// What the xunit runner (OfficialSdkTests) hands to every test file, read once. Running a file by hand:
//   CHALLENGES_BASE_URL=http://127.0.0.1:5000 CHALLENGES_TENANT_ID=... CHALLENGES_SECRET_KEY=... node --test server.test.mjs
function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: these tests are started by OfficialSdkTests, which sets it (see README.md).`);
  }
  return value;
}

export const baseUrl = required("CHALLENGES_BASE_URL").replace(/\/+$/, "");
export const tenantId = required("CHALLENGES_TENANT_ID");
export const secretKey = required("CHALLENGES_SECRET_KEY");
/** The tenant's second active secret key (rotation), when it has one. */
export const rotatedSecretKey = process.env.CHALLENGES_SECRET_KEY_ROTATED || undefined;
/** The loopback port the tenant's WebhookUrl points at; the OTP and push tests listen on it. */
export const webhookPort = Number(process.env.CHALLENGES_WEBHOOK_PORT || 0);
/** A JSON file with a webhook body and X-Signature-V2 header signed by the server's WebhookSigner. */
export const signedWebhookFile = process.env.CHALLENGES_SIGNED_WEBHOOK_FILE || undefined;

/** A genuine client token past its lifetime, for a succeeded action of CHALLENGES_EXPIRED_TOKEN_USER_ID. */
export const expiredToken = process.env.CHALLENGES_EXPIRED_TOKEN || undefined;
export const expiredTokenUserId = process.env.CHALLENGES_EXPIRED_TOKEN_USER_ID || undefined;

/** Both SDKs take the API root including /v1 (their defaults are https://api.authsignal.com/v1). */
export const apiUrl = `${baseUrl}/v1`;

export function newUserId() {
  return `sdk-${crypto.randomUUID().slice(0, 12)}`;
}

/** A session app client of the tenant (Tenants__N__Sessions__Clients__M__Id) and the server's PublicUrl, for sessions.test.mjs. */
export const sessionClientId = process.env.CHALLENGES_SESSION_CLIENT_ID || undefined;
export const publicUrl = process.env.CHALLENGES_PUBLIC_URL || undefined;
