// Push with number matching: the page waits (long polling, no reload) while a device in this test process, speaking
// the mobile wire format with its own P-256 key, reads the challenge and answers it signed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { newDevice } from "../sdk-compat/lib/device.mjs";
import { checkStep } from "./lib/browser.mjs";
import { assertSignedIn, harness } from "./lib/flow.mjs";
import { hostedUrl, newUserId, track } from "./lib/server.mjs";

const h = harness("push");

/** A user with a push device (enrolled with the token of a first action, as an app does), and a page on a second action. */
async function pushUser() {
  const userId = newUserId();
  const device = newDevice();
  const enrolled = await device.enrol((await track(userId)).token);
  assert.equal(enrolled.status, 200, JSON.stringify(enrolled.body));
  const page = await h.page();
  let navigations = 0;
  page.on("framenavigated", (frame) => {
    if (frame === page.mainFrame()) {
      navigations += 1;
    }
  });
  await page.goto(hostedUrl(await track(userId)));
  return { userId, device, page, navigations: () => navigations };
}

async function pendingFor(device) {
  const pending = await device.pendingChallenge({ signed: true });
  assert.equal(pending.status, 200, JSON.stringify(pending.body));
  assert.ok(pending.body.challengeId, "the device sees the page's challenge");
  return pending.body;
}

test("Push: the number shown is chosen on the device, which approves; the page moves on by itself", async () => {
  const { userId, device, page, navigations } = await pushUser();
  await checkStep(page, "push", "1-choose");
  await page.getByRole("button", { name: "Approve on my phone" }).click();
  await page.locator("#number").waitFor();
  await page.locator("#status:text('Waiting for your approval…')").waitFor();
  await checkStep(page, "push", "2-waiting");
  const number = await page.locator("#number").textContent();
  const pending = await pendingFor(device);
  assert.equal(pending.verificationCodeRequired, true);

  const answered = await device.answer(pending.challengeId, true, { verificationCode: number });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
  await assertSignedIn(h, page, userId);
  assert.equal(navigations(), 2, "one load of the page, one redirect to the application: no reload while waiting");
  await page.context().close();
});

test("Push: a rejection is shown live; the attempt is over, and Start again goes back to the application", async () => {
  const { device, page } = await pushUser();
  await page.getByRole("button", { name: "Approve on my phone" }).click();
  await page.locator("#number").waitFor();
  const first = await pendingFor(device);
  assert.equal((await device.answer(first.challengeId, false)).status, 200);
  await page.locator("#error:text('The request was declined or has expired.')").waitFor();
  await checkStep(page, "push", "3-rejected");

  // A rejected push fails the action: another request is refused, and the page offers a new attempt instead.
  await page.getByRole("button", { name: "Send another request" }).click();
  await page.getByRole("heading", { name: "This attempt was stopped" }).waitFor();
  await checkStep(page, "push", "4-stopped");
  await page.getByRole("button", { name: "Start again" }).click();
  await page.waitForURL((url) => url.searchParams.get("error") === "challenge_failed");
  await page.context().close();
});

// Past the user's share of held waits (429) or the process's (503) the server refuses the long poll at once
// (HeldPushWaitAttackTests proves those answers against a real process); here the refusal is given to the page by the
// browser, with the same status, Retry-After and body, since holding two waits open would race the page for the token.
for (const [status, error, retryAfter] of [[429, "too_many_requests", "20"], [503, "service_unavailable", "2"]]) {
  test(`Push: a long poll refused with ${status} makes the page poll instead, and it still moves on when the device approves`, async () => {
    const { userId, device, page } = await pushUser();
    const refused = [];
    await page.route("**/hosted/push/wait", (route) => {
      refused.push(route.request().url());
      return route.fulfill({
        status, headers: { "Retry-After": retryAfter }, contentType: "application/json",
        body: JSON.stringify({ error, errorCode: error, errorDescription: "Refused by the test." }),
      });
    });
    await page.getByRole("button", { name: "Approve on my phone" }).click();
    await page.locator("#number").waitFor();
    await page.waitForResponse((r) => r.url().endsWith("/v1/client/verify/push") && r.status() === 200);
    assert.equal(refused.length, 1, "after one refusal the page does not ask for a held wait again");
    assert.equal(await page.locator("#error").textContent(), "", "a refused long poll is no error for the user");
    await checkStep(page, "push", `5-polling-after-${status}`);

    const pending = await pendingFor(device);
    await device.answer(pending.challengeId, true, { verificationCode: await page.locator("#number").textContent() });
    await assertSignedIn(h, page, userId);
    assert.equal(refused.length, 1);
    await page.context().close();
  });
}
