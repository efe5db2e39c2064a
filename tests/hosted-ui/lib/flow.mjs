// What the scenarios share: one browser, the webhook receiver and the application for a whole test file, and the
// moves a person makes on the page.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { artifacts, axeLog, checkStep, launch, newPage } from "./browser.mjs";
import { appUrl, enrolVerified, hostedUrl, newPhone, newUserId, startApp, startWebhooks, track } from "./server.mjs";

/**
 * Starts the browser, the webhook receiver and the application before the file's tests; stops them after, and writes
 * the file's axe results to artifacts/axe-<name>.json.
 */
export function harness(name) {
  const h = {};
  before(async () => {
    h.browser = await launch();
    h.webhooks = await startWebhooks();
    h.app = await startApp();
  });
  after(async () => {
    await h.browser?.close();
    await h.webhooks?.close();
    await h.app?.close();
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, `axe-${name}.json`), `${JSON.stringify(axeLog, null, 2)}\n`);
  });
  h.page = (options) => newPage(h.browser, options);
  return h;
}

/** The code in the latest webhook of `type` for the user, after `since` events. */
export async function codeFor(h, type, userId, since = 0) {
  return (await h.webhooks.waitFor(type, userId, { since })).data.code;
}

/** A code of the right length that is not `code`. */
export const wrong = (code) => code.slice(0, -1) + String((Number(code.at(-1)) + 1) % 10);

/** Types the code and presses Verify. */
export async function enterCode(page, code) {
  await page.getByLabel(/^(Code)$/).fill(code);
  await page.getByRole("button", { name: /^(Verify|Bestätigen)$/ }).click();
}

/** Waits for the application's page and checks it validated the token once (a second validation says isValid:false). */
export async function assertSignedIn(h, page, userId) {
  await page.waitForURL((url) => url.toString().startsWith(`${appUrl}/done`));
  assert.equal(await page.locator("#result").textContent(), "Signed in");
  const last = h.app.validations.at(-1);
  assert.equal(last.first.isValid, true);
  assert.equal(last.first.userId, userId);
  assert.equal(last.first.state, "CHALLENGE_SUCCEEDED");
  assert.equal(last.second.isValid, false, "the token the page hands back is valid once");
}

/** The recovery codes on screen; checks the step, then continues to the application. */
export async function saveRecoveryCodes(page, scenario) {
  await page.getByRole("heading", { name: "Save your recovery codes" }).waitFor();
  const codes = await page.locator("ul.codes code").allTextContents();
  assert.equal(codes.length, 10);
  codes.forEach((code) => assert.match(code, /^[a-z2-7]{5}-[a-z2-7]{5}$/));
  await checkStep(page, scenario, "recovery-codes");
  await page.getByRole("button", { name: "I have saved them, continue" }).click();
  return codes;
}

/**
 * A new user with verified authenticators of these methods (SMS, WHATSAPP, EMAIL_OTP), and a page on the url of an
 * action tracked for them; `body` (or a function of the user id giving it) is added to the track request; `key` is
 * another tenant's secret key.
 */
export async function openFor(h, methods = [], { body = {}, locale, key } = {}) {
  const userId = newUserId();
  for (const verificationMethod of methods) {
    await enrolVerified(userId, verificationMethod === "EMAIL_OTP"
      ? { verificationMethod, email: `${userId}@example.com` }
      : { verificationMethod, phoneNumber: newPhone() }, key);
  }
  const page = await h.page(locale ? { locale } : undefined);
  const tracked = await track(userId, typeof body === "function" ? body(userId) : body, undefined, key);
  const response = await page.goto(hostedUrl(tracked));
  return { userId, page, response, url: hostedUrl(tracked) };
}
