// Verifies a webhook from a Challenges server before trusting it. No dependencies beyond Node's own crypto.
//
// X-Signature-V2: t=<unix seconds>,v2=<signature>[,v2=<signature>]   (one v2 per active secret key of the tenant)
// signature = base64 (standard alphabet, '=' padding removed) of HMAC-SHA256(secret key, "<t>." + exact body bytes)
//
// rawBody: the request body exactly as received (a string or a Buffer), before any JSON parsing.
// secretKeys: your tenant secret key(s); pass both during a key rotation.
// Returns the parsed event; throws when the header is malformed, the timestamp is too old or too new, or no
// signature matches.
import { createHmac, timingSafeEqual } from "node:crypto";

export function verifyWebhook(rawBody, header, secretKeys, { toleranceSeconds = 300, now = Date.now() / 1000 } = {}) {
  const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(String(rawBody), "utf8");
  const parts = String(header ?? "").split(",").map((part) => part.trim());
  const timestamp = parts.find((part) => part.startsWith("t="))?.slice(2);
  const signatures = parts.filter((part) => part.startsWith("v2=")).map((part) => Buffer.from(part.slice(3)));
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) {
    throw new Error("Malformed X-Signature-V2 header");
  }
  if (Math.abs(now - Number(timestamp)) > toleranceSeconds) {
    throw new Error("Webhook timestamp outside the tolerance (a replay, or a clock far off)");
  }
  for (const key of [secretKeys].flat()) {
    const expected = Buffer.from(
      createHmac("sha256", key).update(`${timestamp}.`).update(body).digest("base64").replace(/=+$/, ""));
    if (signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected))) {
      return JSON.parse(body.toString("utf8"));
    }
  }
  throw new Error("Signature mismatch");
}
