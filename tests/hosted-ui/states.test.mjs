// The page's other states and its defences: an expired link, an already used one, a redirect target that only the
// tracked action can set, the tenant's branding (its logo under the page's CSP), and the response headers.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkStep, cspViolations, logoUrl } from "./lib/browser.mjs";
import { assertSignedIn, codeFor, enterCode, harness, openFor } from "./lib/flow.mjs";
import { appUrl, baseUrl, hostedUrl, limitedSecretKey } from "./lib/server.mjs";

const h = harness("states");

test("An expired link says so and runs nothing", async () => {
  const page = await h.page();
  const response = await page.goto(`${baseUrl}/hosted?token=${encodeURIComponent(process.env.CHALLENGES_EXPIRED_TOKEN)}`);
  assert.equal(response.status(), 401);
  assert.equal(await page.locator("h1").textContent(), "This link has expired");
  assert.equal(await page.locator("script").count(), 0);
  await checkStep(page, "states", "1-expired");
  await page.context().close();
});

test("A link that was already used says so instead of starting again", async () => {
  const { userId, page, url } = await openFor(h, ["SMS"]);
  await page.getByRole("button", { name: "Send a code by SMS" }).click();
  await enterCode(page, await codeFor(h, "sms.created", userId));
  await assertSignedIn(h, page, userId);

  await page.goto(url);
  await page.getByRole("heading", { name: "Already confirmed" }).waitFor();
  assert.equal(await page.getByRole("button", { name: /Send a code/ }).count(), 0);
  await checkStep(page, "states", "2-used");
  await page.context().close();
});

test("Open redirect: a redirectUrl in the page's query is ignored; cancel goes only to the tracked action's target", async () => {
  const { page, url } = await openFor(h, ["SMS"]);
  await page.goto(`${url}&redirectUrl=${encodeURIComponent("https://attacker.example/steal")}&redirect_url=x`);
  await page.getByRole("button", { name: "Cancel" }).click();
  await page.waitForURL((url) => url.toString().startsWith(`${appUrl}/done`));
  assert.equal(new URL(page.url()).searchParams.get("error"), "cancelled");
  await page.context().close();
});

test("Branding: the tenant's colour on the primary button, its name, strict headers on the page", async () => {
  const { page, response } = await openFor(h);
  const headers = response.headers();
  assert.match(headers["content-security-policy"], /script-src 'self'; style-src 'self';/);
  assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
  assert.equal(headers["referrer-policy"], "no-referrer");
  assert.equal(headers["cache-control"], "no-store");
  const submit = page.getByRole("button", { name: "Send a code" }).first();
  assert.equal(await submit.evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(11, 110, 79)");
  assert.equal(await submit.evaluate((b) => getComputedStyle(b).color), "rgb(255, 255, 255)");
  assert.equal(await page.locator(".brand .tenant").textContent(), "Example Bank");
  await page.context().close();
});

test("Logo: the tenant's image, decorative (alt=\"\"), loads under a CSP whose img-src is exactly its origin", async () => {
  const { page, response } = await openFor(h);
  const imgSrc = response.headers()["content-security-policy"].split(";").map((d) => d.trim()).find((d) => d.startsWith("img-src "));
  assert.equal(imgSrc, `img-src ${new URL(logoUrl).origin}`);
  const logo = page.locator("header.brand img.logo");
  assert.equal(await logo.count(), 1);
  assert.equal(await logo.getAttribute("alt"), "", "the tenant's name is beside it as text: the image is decorative");
  assert.equal(await logo.getAttribute("src"), logoUrl);
  // Served by the test at its https URL (lib/browser.mjs); it loads only because the page's CSP allows that origin.
  await page.waitForFunction(() => document.querySelector("img.logo").complete);
  assert.ok(await logo.evaluate((img) => img.naturalWidth > 0), "the logo loaded");
  await checkStep(page, "states", "3-logo");

  // The same policy refuses an image from any other origin: the check above would have seen a violation.
  await page.evaluate(() => document.body.append(Object.assign(document.createElement("img"), { src: "https://elsewhere.example.test/pixel.png", alt: "" })));
  await page.waitForFunction(() => window.cspViolations.length > 0);
  assert.deepEqual(await cspViolations(page), ["img-src https://elsewhere.example.test/pixel.png"]);
  await page.context().close();
});

test("A tenant without a logo gets no image and img-src 'none'", async () => {
  const { page, response } = await openFor(h, [], { key: limitedSecretKey });
  assert.match(response.headers()["content-security-policy"], /img-src 'none';/);
  assert.equal(await page.locator("img").count(), 0);
  assert.equal(await page.locator(".brand .tenant").textContent(), "Example Shop");
  await page.context().close();
});
