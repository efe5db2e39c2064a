// A phone speaking the mobile device wire format (docs/contract.md §3.3), as the iOS and Android SDKs do: an EC P-256
// key, SPKI DER base64 as its identity, ECDSA SHA-256 DER signatures in standard base64, tenant Basic auth.
import { generateKeyPairSync, sign } from "node:crypto";
import { baseUrl, tenantId } from "./env.mjs";

export function newDevice({ platform = "android" } = {}) {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");

  // Android: padded standard base64 of "tenantId:" and of the SPKI text; iOS: unpadded base64url of both.
  const encode = (text) => {
    const b64 = Buffer.from(text, "utf8").toString("base64");
    return platform === "ios" ? b64.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "") : b64;
  };
  const basic = `Basic ${encode(`${tenantId}:`)}`;
  const keyParam = `publicKey=${encode(spki)}`;

  async function call(method, path, { body, headers = {}, auth = basic } = {}) {
    // Android posts application/json; the "ios" device posts its JSON with no Content-Type at all (fetch adds none for
    // a byte body), which the contract says the server must read as JSON too.
    const typed = platform !== "ios";
    const response = await fetch(`${baseUrl}/v1/client/user-authenticators/push${path}`, {
      method,
      headers: { Authorization: auth, ...(body && typed ? { "Content-Type": "application/json" } : {}), ...headers },
      body: body ? (typed ? JSON.stringify(body) : Buffer.from(JSON.stringify(body), "utf8")) : undefined,
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(`${method} ${path} answered ${response.status} with a body that is not JSON: ${text}`);
    }
    return { status: response.status, body: json };
  }

  return {
    publicKey: spki,
    platform,
    /** ECDSA P-256 over SHA-256 of the UTF-8 message, ASN.1 DER, standard base64. */
    sign: (message) => sign("sha256", Buffer.from(message, "utf8"), { key: privateKey, dsaEncoding: "der" }).toString("base64"),
    /** #1: enrol with the client token of a tracked action. */
    enrol: (token, pushToken) =>
      call("POST", "", { auth: `Bearer ${token}`, body: { publicKey: spki, deviceName: `Test ${platform}`, devicePlatform: platform, pushToken } }),
    /** #2 */
    credential: () => call("GET", `?${keyParam}`),
    /** #3 then #4 with X-Authsignal-Signature when signed. */
    async pendingChallenge({ signed = false } = {}) {
      if (!signed) {
        return call("GET", `/challenge?${keyParam}`);
      }
      const nonce = await call("POST", `/challenge/sign?${keyParam}`);
      if (nonce.status !== 200) {
        return nonce;
      }
      return call("GET", `/challenge?${keyParam}`, { headers: { "X-Authsignal-Signature": this.sign(nonce.body.message) } });
    },
    /** #5 */
    answer: (challengeId, approved, { signature, verificationCode } = {}) =>
      call("POST", "/challenge", {
        body: { challengeId, publicKey: spki, signature: signature ?? sign("sha256", Buffer.from(challengeId, "utf8"), { key: privateKey, dsaEncoding: "der" }).toString("base64"), approved, verificationCode },
      }),
    /** #6: signed over the current 10-minute window written as a float, e.g. "2941234.0". */
    remove() {
      const window = `${Math.floor(Date.now() / 1000 / 600)}.0`;
      return call("POST", "/remove", { body: { publicKey: spki, signature: this.sign(window) } });
    },
  };
}
