// The one-time code flows as a person goes through them: enrol a phone typed loosely, verify by SMS, WhatsApp and
// email, wrong codes, a lock-out and starting again, resend after the cooldown and after the server's 429, another
// method, cancel, keyboard only.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkStep, focused } from "./lib/browser.mjs";
import { assertSignedIn, codeFor, enterCode, harness, openFor, saveRecoveryCodes, wrong } from "./lib/flow.mjs";
import { appUrl, limitedSecretKey, newPhone } from "./lib/server.mjs";

const h = harness("otp");

test("SMS: a phone number typed with spaces, dashes and a leading 0 is enrolled, a wrong code then the right one signs in", async () => {
  const { userId, page } = await openFor(h);
  assert.equal(await page.locator("h1").textContent(), "Sign in", "the tenant's name for the action, not its code");
  assert.match(await page.locator(".intro").textContent(), /Example Bank/);
  await checkStep(page, "sms-enrol", "1-enrol");

  const phone = page.getByLabel("Mobile phone number");
  await phone.fill("12ab");
  await page.getByRole("button", { name: "Send a code" }).first().click();
  assert.match(await page.locator("#error").textContent(), /Enter a mobile number/);
  assert.equal(await phone.inputValue(), "12ab", "what was typed stays");
  assert.equal(await phone.getAttribute("aria-invalid"), "true");
  assert.equal(await focused(page), "phone");
  assert.doesNotMatch(await page.content(), /E\.164|phoneNumber:/, "no raw API text");
  await checkStep(page, "sms-enrol", "2-phone-invalid");

  const local = `0${newPhone().slice(3)}`; // 027…: the tenant's default calling code is 64
  const typed = `${local.slice(0, 3)} ${local.slice(3, 6)}-${local.slice(6)}`;
  await phone.fill(typed);
  await page.getByRole("button", { name: "Send a code" }).first().click();
  await page.locator("#code").waitFor();
  assert.equal(await focused(page), "code", "focus moves to the code box");
  assert.equal(await page.locator("#code").getAttribute("autocomplete"), "one-time-code");
  const sent = await h.webhooks.waitFor("sms.created", userId);
  assert.equal(sent.data.to, `+64${local.slice(1)}`);
  await checkStep(page, "sms-enrol", "3-code");

  await enterCode(page, wrong(sent.data.code));
  await page.locator("#error:not(:empty)").waitFor();
  assert.match(await page.locator("#error").textContent(), /wrong or has expired/);
  assert.equal(await page.locator("#error").getAttribute("role"), "alert");
  assert.equal(await page.locator("#code").getAttribute("aria-invalid"), "true");
  await checkStep(page, "sms-enrol", "4-code-wrong");

  await enterCode(page, sent.data.code);
  // The user's first authenticator: the tenant enables recovery codes, so the page shows them once before going back.
  await saveRecoveryCodes(page, "sms-enrol");
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Email OTP in German (Accept-Language): the user's email gets the code", async () => {
  const { userId, page } = await openFor(h, ["EMAIL_OTP"], { locale: "de-DE" });
  assert.equal(await page.locator("html").getAttribute("lang"), "de");
  await checkStep(page, "email-de", "1-choose");
  await page.getByRole("button", { name: "Code per E-Mail senden" }).click();
  await page.locator("#code").waitFor();
  assert.equal(await focused(page), "code");
  await checkStep(page, "email-de", "2-code");
  const code = await codeFor(h, "email.created", userId);
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Bestätigen" }).click();
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("The action's locale beats Accept-Language", async () => {
  const { page } = await openFor(h, [], { locale: "en-GB", body: { locale: "de-AT" } });
  assert.equal(await page.locator("html").getAttribute("lang"), "de");
  assert.equal(await page.locator("label[for=phone]").textContent(), "Mobilnummer");
  await page.context().close();
});

test("WhatsApp is offered only to a user who enrolled it, and its code signs in", async () => {
  const smsOnly = await openFor(h, ["SMS"]);
  await smsOnly.page.getByRole("button", { name: "Send a code by SMS" }).waitFor();
  assert.equal(await smsOnly.page.getByRole("button", { name: "Send a code by WhatsApp" }).count(), 0);
  await smsOnly.page.context().close();

  const { userId, page } = await openFor(h, ["WHATSAPP"]);
  await page.getByRole("button", { name: "Send a code by WhatsApp" }).click();
  await page.locator("#code").waitFor();
  assert.match(await page.locator("#panel").textContent(), /by WhatsApp/);
  await checkStep(page, "whatsapp", "1-code");
  const sent = await h.webhooks.waitFor("sms.created", userId);
  assert.equal(sent.data.smsChannel, "WHATSAPP");
  await enterCode(page, sent.data.code);
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Five wrong codes lock the attempt; Start again goes back to the application, which starts a new one that succeeds", async () => {
  const { userId, page } = await openFor(h, ["SMS"], { body: (user) => ({ redirectUrl: `${appUrl}/done?user=${user}` }) });
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  const code = await codeFor(h, "sms.created", userId);
  for (let i = 0; i < 5; i++) {
    await enterCode(page, wrong(code));
    await page.locator("#error:not(:empty), #step:text('Too many wrong codes')").first().waitFor();
  }
  await page.getByRole("heading", { name: "Too many wrong codes" }).waitFor();
  await checkStep(page, "lockout", "1-locked");

  await page.reload();
  await page.getByRole("heading", { name: "This attempt was stopped" }).waitFor(); // no way round the lock by reloading
  await checkStep(page, "lockout", "2-reloaded");
  await page.getByRole("button", { name: "Start again" }).click();
  await page.waitForURL((url) => url.searchParams.get("error") === "challenge_failed" && url.searchParams.get("user") === userId);
  assert.equal(new URL(page.url()).searchParams.has("token"), false);

  const since = h.webhooks.events.length;
  await page.locator("#again").click();
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  await enterCode(page, await codeFor(h, "sms.created", userId, since));
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Resend shows its cooldown, then sends a new code that signs in", async () => {
  const { userId, page } = await openFor(h, ["SMS"]);
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  await h.webhooks.waitFor("sms.created", userId);
  const resend = page.getByRole("button", { name: /^Send a new code/ });
  assert.match(await resend.textContent(), /^Send a new code in \d+ s$/);
  assert.equal(await resend.isDisabled(), true);
  await checkStep(page, "resend", "1-cooldown");

  await page.getByRole("button", { name: "Send a new code", exact: true }).waitFor({ timeout: 15_000 });
  const since = h.webhooks.events.length;
  await page.getByRole("button", { name: "Send a new code", exact: true }).click();
  await page.locator("#status:text('We sent a new code.')").waitFor();
  assert.equal(await focused(page), "code");
  assert.equal(await resend.isDisabled(), true, "the cooldown starts again");
  await checkStep(page, "resend", "2-resent");
  await enterCode(page, await codeFor(h, "sms.created", userId, since));
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Resend refused by the server's send limit (429): the countdown is its Retry-After, then a new code signs in", async () => {
  // The second tenant sends one code per user and number in a 20 s window, and has no cooldown of its own.
  const { userId, page } = await openFor(h, ["SMS"], { key: limitedSecretKey, body: { redirectUrl: `${appUrl}/done?tenant=limited` } });
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  await page.locator("#code").waitFor(); // the first send's answer is in: the next answer awaited below is the resend's
  await h.webhooks.waitFor("sms.created", userId);
  const resend = page.getByRole("button", { name: /^Send a new code/ });
  const ready = page.getByRole("button", { name: "Send a new code", exact: true });

  // The first send may have been at the very end of a window: then this one is sent, and the next one is refused.
  let refused;
  for (let attempt = 0; !refused && attempt < 2; attempt++) {
    const answer = page.waitForResponse((r) => r.url().endsWith("/v1/client/challenge/sms"));
    await ready.click();
    const response = await answer;
    if (response.status() === 429) {
      refused = response;
    } else {
      assert.equal(response.status(), 200, `${response.status()} ${await response.text()}`);
      await page.locator("#status:text('We sent a new code.')").waitFor();
    }
  }
  assert.ok(refused, "the second send in a window is refused");
  assert.equal((await refused.json()).error, "too_many_requests");
  const retryAfter = Number(refused.headers()["retry-after"]);
  assert.ok(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}`);
  await page.locator("#error:not(:empty)").waitFor();
  assert.equal(await page.locator("#error").textContent(), `Too many attempts. Try again in ${retryAfter} s.`);
  const shown = Number((await resend.textContent()).match(/^Send a new code in (\d+) s$/)?.[1]);
  assert.ok(shown >= 1 && shown <= retryAfter, `the countdown (${shown} s) starts from Retry-After (${retryAfter} s)`);
  assert.equal(await resend.isDisabled(), true);
  await checkStep(page, "resend-limited", "1-refused");

  // When the countdown ends the window has too: the button is back and sends a code that signs in.
  await ready.waitFor({ timeout: (retryAfter + 5) * 1000 });
  assert.equal(await ready.isEnabled(), true);
  await checkStep(page, "resend-limited", "2-ready");
  const since = h.webhooks.events.length;
  const answer = page.waitForResponse((r) => r.url().endsWith("/v1/client/challenge/sms"));
  await ready.click();
  const sent = await answer;
  assert.equal(sent.status(), 200, `${sent.status()} ${sent.headers()["retry-after"]} ${await sent.text()} at ${new Date().toISOString()}`);
  await page.locator("#status:text('We sent a new code.')").waitFor();
  await enterCode(page, await codeFor(h, "sms.created", userId, since));
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Use another method: from the SMS code back to the choice, then email", async () => {
  const { userId, page } = await openFor(h, ["SMS", "EMAIL_OTP"]);
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  await page.locator("#code").waitFor();
  await page.getByRole("button", { name: "Use another method" }).click();
  await page.getByRole("heading", { name: "Choose how to confirm" }).waitFor();
  assert.equal(await focused(page), "step", "focus moves to the new step's heading");
  await page.getByRole("button", { name: "Send a code by email" }).click();
  await page.locator("#code").waitFor();
  await enterCode(page, await codeFor(h, "email.created", userId));
  await assertSignedIn(h, page, userId);
  await page.context().close();
});

test("Cancel goes back to the application with error=cancelled and no token", async () => {
  const { page } = await openFor(h, ["SMS"]);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL((url) => url.toString().startsWith(`${appUrl}/done`));
  const url = new URL(page.url());
  assert.equal(url.searchParams.get("error"), "cancelled");
  assert.equal(url.searchParams.has("token"), false);
  await page.context().close();
});

test("Keyboard only: Tab and Enter from the first step to signed in", async () => {
  const { userId, page } = await openFor(h, ["SMS"]);
  await page.getByRole("heading", { name: "Choose how to confirm" }).waitFor();
  await page.keyboard.press("Tab");
  assert.equal(await focused(page), "BUTTON:Send a code by SMS");
  await page.keyboard.press("Enter");
  await page.locator("#code").waitFor();
  assert.equal(await focused(page), "code");
  await page.keyboard.type(await codeFor(h, "sms.created", userId));
  await page.keyboard.press("Enter");
  await assertSignedIn(h, page, userId);
  await page.context().close();
});
