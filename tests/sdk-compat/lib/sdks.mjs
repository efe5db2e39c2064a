// The official SDKs, pointed at the server under test.
import { Authsignal as ServerSdk } from "@authsignal/node";
import { apiUrl, secretKey, tenantId } from "./env.mjs";

/**
 * @authsignal/node: Basic secret key auth, axios underneath. retries: 0 so that a 5xx or a dropped connection shows
 * as the failure it is instead of being retried away.
 */
export function serverSdk(key = secretKey) {
  return new ServerSdk({ apiSecretKey: key, apiUrl, retries: 0 });
}

/**
 * @authsignal/browser in plain Node 20: it uses the global fetch and window.btoa for requests; the bundled a11y-dialog
 * scans document.querySelectorAll when the module loads, and the constructor reads and writes document.cookie and
 * document.location (anonymous id cookie). Those few globals are all the OTP and push flows need; no DOM library and
 * no browser.
 */
export async function browserSdk(options = {}) {
  if (typeof globalThis.window === "undefined") {
    globalThis.window = globalThis;
  }
  if (typeof globalThis.document === "undefined") {
    globalThis.document = { cookie: "", readyState: "complete", querySelectorAll: () => [], location: new URL("http://localhost/") };
  }
  const { Authsignal } = await import("@authsignal/browser");
  return new Authsignal({ tenantId, baseUrl: apiUrl, ...options });
}
