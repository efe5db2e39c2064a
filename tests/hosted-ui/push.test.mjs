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
