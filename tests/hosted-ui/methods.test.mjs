// The methods beyond codes by SMS and email: a passkey and a security key (offered first where the browser has
// WebAuthn; CDP virtual authenticators stand in for the platform's and for a USB key), an authenticator app set up from
// the page's QR code (read back with jsQR from a screenshot, as a phone's camera would) with codes computed here from
// RFC 6238, an email magic link opened in another browser while the page waits, and recovery codes: shown once after a
// first enrolment on the page, then redeemed.
import assert from "node:assert/strict";
import { test } from "node:test";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { fromBase32, toBase32, totp } from "../sdk-compat/lib/totp.mjs";
import { checkStep, focused } from "./lib/browser.mjs";
import { assertSignedIn, enterCode, harness, openFor, saveRecoveryCodes } from "./lib/flow.mjs";
import { baseUrl, enrolVerified, hostedUrl, newUserId, track } from "./lib/server.mjs";

const h = harness("methods");

/** Reads the QR code on screen the way a phone's camera does: from pixels. */
async function scanQr(page) {
  const png = PNG.sync.read(await page.locator("svg.qr").screenshot());
  const found = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
  assert.ok(found, "the QR code on the page can be read");
  return found.data;
}

/** Opens the page of a new action for the user in `page`. */
async function openAgain(page, userId) {
  await page.goto(hostedUrl(await track(userId)));
  await page.getByRole("heading", { name: "Choose how to confirm" }).waitFor();
}

/** A page whose browser has no WebAuthn at all (an older or locked-down browser). */
async function pageWithoutWebAuthn() {
  const page = await h.page();
  await page.context().addInitScript(() => {
    delete window.PublicKeyCredential;
  });
  return page;
}

test("Authenticator app: set up from the QR code, first code verifies it, recovery codes are shown once and one signs in later", async () => {
  const { userId, page } = await openFor(h);
  await page.getByRole("heading", { name: "Add a way to confirm it’s you" }).waitFor();
  await checkStep(page, "app", "1-enrol");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.locator("svg.qr").waitFor();

  const uri = new URL(await scanQr(page));
  assert.equal(uri.protocol, "otpauth:");
  assert.equal(uri.searchParams.get("issuer"), "hosted-ui");
  await page.getByText("Can’t scan the code?").click();
  const typedKey = (await page.locator("#app-key").textContent()).replace(/\s/g, "");
  assert.equal(typedKey, uri.searchParams.get("secret"), "the key to type in is the QR code's secret");
  assert.equal(await page.getByRole("link", { name: "Open an authenticator app on this device" }).getAttribute("href"), uri.toString());
  await checkStep(page, "app", "2-qr");

  const secret = fromBase32(typedKey);
  await enterCode(page, totp(secret));
  const codes = await saveRecoveryCodes(page, "app");
  await assertSignedIn(h, page, userId);

  // Next time: the app is offered, and so is a recovery code.
  await openAgain(page, userId);
  await checkStep(page, "recovery", "1-choose");
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByRole("heading", { name: "Enter a recovery code" }).waitFor();
  assert.equal(await focused(page), "code");
  assert.equal(await page.locator("#code").getAttribute("autocomplete"), "off");
  await page.getByLabel("Recovery code").fill("aaaaa-bbbbb");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.locator("#error:not(:empty)").waitFor();
  assert.match(await page.locator("#error").textContent(), /wrong or was already used/);
  await checkStep(page, "recovery", "2-wrong");
  await page.getByLabel("Recovery code").fill(codes[0].toUpperCase());
  await page.getByRole("button", { name: "Verify" }).click();
  await assertSignedIn(h, page, userId);

  // A spent code is refused the next time.
  await openAgain(page, userId);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.locator("#error:not(:empty)").waitFor();
  assert.match(await page.locator("#error").textContent(), /wrong or was already used/);
  await page.context().close();
});

test("Authenticator app enrolled by the backend: its code signs in; a wrong one says so", async () => {
  const userId = newUserId();
  const secret = crypto.getRandomValues(new Uint8Array(20));
  await enrolVerified(userId, {
    verificationMethod: "AUTHENTICATOR_APP",
    otpUri: `otpauth://totp/Example:${userId}?secret=${toBase32(secret)}&issuer=Example`,
  });
  const page = await h.page();
  await page.goto(hostedUrl(await track(userId)));
  await page.getByRole("button", { name: "Use my authenticator app" }).click();
  await page.locator("#code").waitFor();
  assert.equal(await focused(page), "code");
  assert.equal(await page.getByRole("button", { name: /^Send a new code/ }).count(), 0, "an app's codes are not sent");
  await checkStep(page, "app-verify", "1-code");
  const code = totp(Buffer.from(secret));
  await enterCode(page, code.slice(0, -1) + String((Number(code.at(-1)) + 5) % 10));
  await page.locator("#error:not(:empty)").waitFor();
  await enterCode(page, code);
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Magic link: the page waits while the link is opened on another device, then moves on by itself", async () => {
  // A user who enrolled by magic link (the Client API, with the link confirmed in a browser).
  const userId = newUserId();
  const email = `${userId}@example.com`;
  const first = await track(userId);
  let since = h.webhooks.events.length;
  const enrolled = await fetch(`${baseUrl}/v1/client/user-authenticators/email-magic-link`, {
    method: "POST",
    headers: { Authorization: `Bearer ${first.token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ email }),
  });
  assert.equal(enrolled.status, 200, await enrolled.text());
  const mail = await h.page();
  const confirmLink = async () => {
    const sent = await h.webhooks.waitFor("email.created", userId, { since });
    assert.equal(sent.data.verificationMethod, "EMAIL_MAGIC_LINK");
    await mail.goto(sent.data.url);
    await mail.getByRole("button", { name: "Confirm sign-in" }).click();
    await mail.getByRole("heading", { name: /signed in|confirmed/i }).waitFor();
  };
  await confirmLink();

  const page = await h.page();
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    navigations += frame === page.mainFrame() ? 1 : 0;
  });
  await page.goto(hostedUrl(await track(userId)));
  since = h.webhooks.events.length;
  await page.getByRole("button", { name: "Send a link by email" }).click();
  await page.getByRole("heading", { name: "Check your email" }).waitFor();
  await page.locator("#status:text('Waiting for you to open the link…')").waitFor();
  await checkStep(page, "magic-link", "1-waiting");
  await confirmLink();
  await assertSignedIn(h, page, userId);
  assert.equal(navigations, 2, "one load of the page, one redirect to the application: no reload while waiting");
  await mail.context().close();
  await page.context().close();
});

test("Passkey: created on the page by a new user, then offered first and signing in; a browser without WebAuthn is offered none", async () => {
  const { userId, page } = await openFor(h);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.getByRole("heading", { name: "Add a way to confirm it’s you" }).waitFor();
  assert.deepEqual((await page.locator("#panel button").allTextContents()).slice(0, 2), ["Create a passkey", "Add a security key"],
    "a passkey is the first way offered, a security key the next");
  await page.getByRole("button", { name: "Create a passkey" }).click();
  const codes = await saveRecoveryCodes(page, "passkey");
  await assertSignedIn(h, page, userId);

  await openAgain(page, userId);
  const first = page.locator("#panel button").first();
  assert.equal(await first.textContent(), "Use my passkey");
  assert.equal(await first.getAttribute("class"), "primary");
  await checkStep(page, "passkey", "2-choose");
  await first.click();
  await assertSignedIn(h, page, userId);
  await page.context().close();

  // Without WebAuthn the passkey cannot be used here: the page says so and offers a recovery code.
  const plain = await pageWithoutWebAuthn();
  await openAgain(plain, userId);
  await plain.getByText("None of your ways to confirm it’s you works on this page").waitFor();
  assert.equal(await plain.getByRole("button", { name: "Use my passkey" }).count(), 0);
  await checkStep(plain, "passkey", "3-no-webauthn");
  await plain.getByRole("button", { name: "Use a recovery code" }).click();
  await plain.getByLabel("Recovery code").fill(codes[1]);
  await plain.getByRole("button", { name: "Verify" }).click();
  await assertSignedIn(h, plain, userId);
  await plain.context().close();

  // Nor is a passkey offered for enrolment there.
  const newcomer = await pageWithoutWebAuthn();
  await newcomer.goto(hostedUrl(await track(newUserId())));
  await newcomer.getByRole("heading", { name: "Add a way to confirm it’s you" }).waitFor();
  assert.equal(await newcomer.getByRole("button", { name: "Create a passkey" }).count(), 0);
  await newcomer.context().close();
});

test("Security key: added on the page by a new user, then offered and signing in", async () => {
  const { userId, page } = await openFor(h);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable", { enableUI: false });
  // A roaming key: USB, no discoverable credentials needed, with a PIN (user verification).
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "usb", hasResidentKey: false, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.getByRole("button", { name: "Add a security key" }).click();
  await saveRecoveryCodes(page, "security-key");
  await assertSignedIn(h, page, userId);

  await openAgain(page, userId);
  const first = page.locator("#panel button").first();
  assert.equal(await first.textContent(), "Use my security key");
  await checkStep(page, "security-key", "2-choose");
  await first.click();
  await assertSignedIn(h, page, userId);
  await page.context().close();
});
